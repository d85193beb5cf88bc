package io.portti.mock;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/** Every error the mock returns, in OpenAI's {@code {"error":{...}}} shape. */
final class OpenAiErrors {

  static final HttpResponse SERVER_ERROR = response(StatusCodes.INTERNAL_SERVER_ERROR,
      "The server had an error while processing your request. Sorry about that!", "server_error", null, null);

  static final HttpResponse RATE_LIMITED = response(StatusCodes.TOO_MANY_REQUESTS,
      "Rate limit reached for requests. Please try again in 1s.", "rate_limit_error", null, "rate_limit_exceeded")
      .addHeader(RawHeader.create("Retry-After", "1"));

  static final HttpResponse MISSING_API_KEY = response(StatusCodes.UNAUTHORIZED,
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth"
          + " (i.e. Authorization: Bearer YOUR_KEY).",
      "invalid_request_error", null, null);

  static final HttpResponse INCORRECT_API_KEY = response(StatusCodes.UNAUTHORIZED,
      "Incorrect API key provided.", "invalid_request_error", null, "invalid_api_key");

  private OpenAiErrors() {}

  static HttpResponse invalidRequest(String message, String param) {
    return response(StatusCodes.BAD_REQUEST, message, "invalid_request_error", param, null);
  }

  /** Null when {@code authorization} carries the expected key, or there is none to expect. */
  static HttpResponse rejectAuthorization(String expectedApiKey, String authorization) {
    if (expectedApiKey == null) return null;
    if (authorization == null || authorization.isBlank()) return MISSING_API_KEY;
    boolean bearer = authorization.regionMatches(true, 0, "Bearer ", 0, 7);
    return bearer && authorization.substring(7).trim().equals(expectedApiKey) ? null : INCORRECT_API_KEY;
  }

  private static HttpResponse response(StatusCode status, String message, String type, String param, String code) {
    ObjectNode body = MockJson.MAPPER.createObjectNode();
    ObjectNode error = body.putObject("error");
    error.put("message", message);
    error.put("type", type);
    error.put("param", param);
    error.put("code", code);
    return HttpResponse.create()
        .withStatus(status)
        .withEntity(ContentTypes.APPLICATION_JSON, MockJson.write(body).getBytes(StandardCharsets.UTF_8));
  }
}
