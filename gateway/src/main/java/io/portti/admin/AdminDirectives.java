package io.portti.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.portti.protocol.Json;
import java.io.IOException;
import io.portti.protocol.openai.OpenAiResponses;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What every management route shares: JSON in and out, and errors in OpenAI's body. */
public abstract class AdminDirectives extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(AdminDirectives.class);
  private static final Duration BODY_TIMEOUT = Duration.ofSeconds(10);
  private static final long MAX_BODY_BYTES = 1 << 20;
  protected static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);

  /** Bad input from an admin: 400 with this message. */
  public static final class BadInput extends RuntimeException {
    public BadInput(String message) {
      super(message, null, false, false);
    }
  }

  /** The named thing does not exist: 404. */
  public static final class NotFound extends RuntimeException {
    public NotFound(String message) {
      super(message, null, false, false);
    }
  }

  protected Route jsonBody(Function<JsonNode, Route> inner) {
    return extractStrictEntity(BODY_TIMEOUT, MAX_BODY_BYTES, entity -> {
      JsonNode body;
      try {
        body = Json.MAPPER.readTree(entity.getData().toArrayUnsafe());
      } catch (JsonProcessingException e) {
        return complete(error(400, "invalid_request_error", "invalid_json", "The body is not valid JSON."));
      } catch (IOException e) {
        return complete(error(400, "invalid_request_error", "invalid_json", "The body could not be read."));
      }
      if (body == null || !body.isObject()) {
        return complete(error(400, "invalid_request_error", "invalid_json", "The body must be a JSON object."));
      }
      try {
        return inner.apply(body);
      } catch (BadInput e) {
        return complete(error(400, "invalid_request_error", "invalid_value", e.getMessage()));
      }
    });
  }

  protected Route reply(CompletionStage<HttpResponse> response) {
    return completeWithFuture(response.exceptionally(AdminDirectives::failure));
  }

  public static HttpResponse json(int status, Object body) {
    try {
      return HttpResponse.create().withStatus(StatusCodes.get(status))
          .withEntity(ContentTypes.APPLICATION_JSON, Json.MAPPER.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static HttpResponse error(int status, String type, String code, String message) {
    return HttpResponse.create().withStatus(StatusCodes.get(status))
        .withEntity(ContentTypes.APPLICATION_JSON, OpenAiResponses.error(message, type, code));
  }

  static HttpResponse failure(Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof BadInput) {
      return error(400, "invalid_request_error", "invalid_value", cause.getMessage());
    }
    if (cause instanceof NotFound) {
      return error(404, "invalid_request_error", "not_found", cause.getMessage());
    }
    if (cause instanceof StatusReply.ErrorMessage refused) {
      // Entities refuse in words: "... not found" or "... exists".
      return refused.getMessage().endsWith("not found")
          ? error(404, "invalid_request_error", "not_found", refused.getMessage())
          : error(409, "invalid_request_error", "conflict", refused.getMessage());
    }
    log.error("management request failed", cause);
    return error(500, "server_error", "internal_error", "The request failed: " + cause.getClass().getSimpleName());
  }
}
