package io.portti.relay;

import io.portti.key.ApiKey;
import io.portti.protocol.openai.InvalidRequest;
import io.portti.protocol.openai.OpenAiResponses;
import java.util.List;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/** Why the gateway refused or failed a request, as a value until the edge renders it. */
public record RelayError(int status, String type, String code, String message, long retryAfterSeconds) {

  public static RelayError badRequest(String message, String code) {
    return new RelayError(400, "invalid_request_error", code, message, 0);
  }

  public static RelayError invalidKey(String message) {
    return new RelayError(401, "invalid_request_error", "invalid_api_key", message, 0);
  }

  public static RelayError insufficientQuota(String message) {
    return new RelayError(402, "insufficient_quota", "insufficient_quota", message, 0);
  }

  public static RelayError modelNotFound(String model, String why) {
    return new RelayError(404, "invalid_request_error", "model_not_found",
        "The model `" + model + "` " + why, 0);
  }

  public static RelayError upstream(int status, String code, String message) {
    return new RelayError(status, "upstream_error", code, message, 0);
  }

  public static RelayError of(ApiKey.Denied denied) {
    return switch (denied.reason()) {
      case INVALID_KEY, DISABLED, EXPIRED -> invalidKey(denied.message());
      case MODEL_NOT_ALLOWED -> new RelayError(403, "permission_error", "model_not_allowed", denied.message(), 0);
      case IP_NOT_ALLOWED -> new RelayError(403, "permission_error", "ip_not_allowed", denied.message(), 0);
      case QUOTA_EXHAUSTED, INSUFFICIENT_FUNDS -> insufficientQuota(denied.message());
      case RATE_LIMITED -> new RelayError(429, "rate_limit_error", "rate_limit_exceeded", denied.message(),
          denied.retryAfterSeconds());
    };
  }

  /** The error in OpenAI's wire format. */
  public HttpResponse toOpenAi() {
    HttpResponse response = HttpResponse.create()
        .withStatus(StatusCodes.get(status))
        .withEntity(ContentTypes.APPLICATION_JSON, OpenAiResponses.error(message, type, code));
    if (retryAfterSeconds > 0) {
      List<HttpHeader> headers = List.of(RawHeader.create("Retry-After", Long.toString(retryAfterSeconds)));
      return response.addHeaders(headers);
    }
    return response;
  }

  public static HttpResponse toOpenAi(InvalidRequest invalid) {
    return HttpResponse.create()
        .withStatus(StatusCodes.BAD_REQUEST)
        .withEntity(ContentTypes.APPLICATION_JSON, OpenAiResponses.error(invalid));
  }

  /** Thrown inside a future to end the exchange with this error. */
  public static final class Failure extends RuntimeException {
    public final RelayError error;

    public Failure(RelayError error) {
      super(error.message(), null, false, false);
      this.error = error;
    }
  }
}
