package io.portti.relay;

import io.portti.http.Credentials;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.RemoteAddress;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/** The OpenAI-compatible relay endpoints: parse the key, the client address and the body, then ask the relay. */
public final class ChatRoute extends AllDirectives {
  private static final Duration BODY_TIMEOUT = Duration.ofSeconds(30);

  private final ChatRelay relay;
  private final boolean trustForwardedFor;
  private final long maxBodyBytes;

  public ChatRoute(ChatRelay relay, boolean trustForwardedFor, long maxBodyBytes) {
    this.relay = relay;
    this.trustForwardedFor = trustForwardedFor;
    this.maxBodyBytes = maxBodyBytes;
  }

  public Route route() {
    return pathPrefix("v1", () -> concat(
        path(PathMatchers.segment("chat").slash("completions"), () -> post(() -> withClient((key, ip) ->
            extractStrictEntity(BODY_TIMEOUT, maxBodyBytes, entity ->
                completeWithFuture(relay.chatCompletion(key, ip, entity.getData().toArrayUnsafe())))))),
        path("models", () -> get(() -> withClient((key, ip) -> completeWithFuture(relay.listModels(key, ip)))))));
  }

  private interface ClientRoute {
    Route apply(String key, String clientIp);
  }

  private Route withClient(ClientRoute inner) {
    return extractRequest(request -> {
      if (request.getUri().query().get("key").isPresent() || request.getUri().query().get("api_key").isPresent()) {
        return complete(RelayError.badRequest(
            "API keys are not accepted in the URL. Send it as Authorization: Bearer <key>.", "key_in_query").toOpenAi());
      }
      return inner.apply(Credentials.clientKey(request), clientIp(request));
    });
  }

  private String clientIp(HttpRequest request) {
    if (trustForwardedFor) {
      Optional<String> forwarded = request.getHeader("x-forwarded-for").map(h -> h.value().split(",")[0].trim());
      if (forwarded.isPresent()) {
        return forwarded.get();
      }
    }
    return request.getAttribute(AttributeKeys.remoteAddress)
        .flatMap(RemoteAddress::getAddress)
        .map(InetAddress::getHostAddress)
        .orElse("");
  }
}
