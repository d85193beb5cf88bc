package io.portti.http;

import io.portti.protocol.openai.OpenAiResponses;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;

/** Binds the root route: the relay, the management API and a health check, errors in OpenAI's body. */
public final class GatewayServer extends AllDirectives {
  private GatewayServer() {}

  public static CompletionStage<ServerBinding> bind(ActorSystem<?> system, String host, int port, Route relay, Route admin) {
    GatewayServer server = new GatewayServer();
    Route root = server.handleRejections(openAiRejections(), () -> server.concat(
        server.path("health", () -> server.get(() -> server.complete("ok"))),
        admin,
        relay));
    return Http.get(system).newServerAt(host, port).bind(root);
  }

  /** Pekko's own rejections (unknown path, wrong method...), re-worded as OpenAI error bodies. */
  private static RejectionHandler openAiRejections() {
    return RejectionHandler.defaultHandler().mapRejectionResponse(response -> {
      if (response.entity() instanceof HttpEntity.Strict strict
          && !strict.getContentType().equals(ContentTypes.APPLICATION_JSON)) {
        String message = strict.getData().utf8String();
        String type = response.status().intValue() == 404 ? "not_found" : "invalid_request_error";
        return response.withEntity(ContentTypes.APPLICATION_JSON, OpenAiResponses.error(message, type, null));
      }
      return response;
    });
  }
}
