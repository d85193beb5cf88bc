package io.portti.mock;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/** {@code /mock/config} and {@code /mock/stats}: steer and observe a mock running in another process. */
final class MockControlRoute extends AllDirectives {

  private final AtomicReference<MockBehaviour> behaviour;
  private final MockStatsRecorder stats;

  MockControlRoute(AtomicReference<MockBehaviour> behaviour, MockStatsRecorder stats) {
    this.behaviour = behaviour;
    this.stats = stats;
  }

  Route route() {
    return concat(
        path(segment("mock").slash("config"), () ->
            concat(
                get(() -> completeJson(behaviour.get().toJson())),
                put(() -> entity(Unmarshaller.entityToString(), this::updateConfig)))),
        path(segment("mock").slash("stats"), () -> get(() -> completeJson(stats.snapshot().toJson()))),
        path(segment("mock").slash("stats").slash("reset"), () ->
            post(() -> {
              stats.reset();
              return complete(StatusCodes.NO_CONTENT);
            })));
  }

  private Route updateConfig(String body) {
    JsonNode json = MockJson.readTreeOrNull(body);
    if (json == null) return complete(OpenAiErrors.invalidRequest("The body is not JSON.", null));
    try {
      return completeJson(behaviour.updateAndGet(current -> current.overriddenBy(json)).toJson());
    } catch (IllegalArgumentException e) {
      return complete(OpenAiErrors.invalidRequest(e.getMessage(), null));
    }
  }

  private Route completeJson(JsonNode json) {
    return complete(HttpResponse.create().withEntity(ContentTypes.APPLICATION_JSON, MockJson.write(json)));
  }
}
