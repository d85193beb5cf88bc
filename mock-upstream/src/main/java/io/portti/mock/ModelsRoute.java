package io.portti.mock;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code GET /v1/models}: a fixed list of the models the mock claims to serve. */
final class ModelsRoute extends AllDirectives {

  private static final HttpResponse MODELS = HttpResponse.create().withEntity(ContentTypes.APPLICATION_JSON,
      "{\"object\":\"list\",\"data\":["
          + "{\"id\":\"gpt-4o-mini\",\"object\":\"model\",\"created\":1721172741,\"owned_by\":\"mock\"},"
          + "{\"id\":\"gpt-4o\",\"object\":\"model\",\"created\":1715367049,\"owned_by\":\"mock\"},"
          + "{\"id\":\"gpt-3.5-turbo\",\"object\":\"model\",\"created\":1677610602,\"owned_by\":\"mock\"}]}");

  private final Supplier<MockBehaviour> behaviour;

  ModelsRoute(Supplier<MockBehaviour> behaviour) {
    this.behaviour = behaviour;
  }

  Route route() {
    return path(segment("v1").slash("models"), () ->
        get(() ->
            optionalHeaderValueByName("Authorization", authorization -> {
              HttpResponse rejection =
                  OpenAiErrors.rejectAuthorization(behaviour.get().expectedApiKey(), authorization.orElse(null));
              return complete(rejection != null ? rejection : MODELS);
            })));
  }
}
