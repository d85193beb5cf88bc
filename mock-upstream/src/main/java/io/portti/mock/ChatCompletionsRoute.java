package io.portti.mock;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/** {@code POST /v1/chat/completions}: answers, streams or fails as the effective {@link MockBehaviour} says. */
final class ChatCompletionsRoute extends AllDirectives {

  private static final ContentType EVENT_STREAM = MediaTypes.TEXT_EVENT_STREAM.toContentType();

  private static final Duration CUT_GRACE = Duration.ofMillis(100);

  /** Failing a response entity is how Pekko HTTP is made to abort the connection. */
  private static final class StreamCut extends RuntimeException {
    StreamCut() {
      super("CUT_STREAM: the mock upstream aborts this response on purpose", null, false, false);
    }
  }

  private final Supplier<MockBehaviour> behaviour;
  private final MockStatsRecorder stats;
  private final ActorSystem<?> system;

  ChatCompletionsRoute(Supplier<MockBehaviour> behaviour, MockStatsRecorder stats, ActorSystem<?> system) {
    this.behaviour = behaviour;
    this.stats = stats;
    this.system = system;
  }

  Route route() {
    return path(segment("v1").slash("chat").slash("completions"), () ->
        post(() ->
            optionalHeaderValueByName("Authorization", authorization ->
                entity(Unmarshaller.entityToString(), body -> answer(authorization.orElse(null), body)))));
  }

  private Route answer(String authorization, String body) {
    JsonNode json = MockJson.readTreeOrNull(body);
    stats.requestReceived(authorization, json == null ? null : json.path("model").textValue(), body);
    MockBehaviour instanceBehaviour = behaviour.get();
    ChatRequest.Parsed parsed = ChatRequest.parse(json, instanceBehaviour);
    MockBehaviour effective =
        parsed instanceof ChatRequest.Valid valid ? valid.request().behaviour() : instanceBehaviour;
    HttpResponse rejection = OpenAiErrors.rejectAuthorization(effective.expectedApiKey(), authorization);
    if (rejection != null) return complete(rejection);
    if (parsed instanceof ChatRequest.Invalid invalid) {
      return complete(OpenAiErrors.invalidRequest(invalid.message(), invalid.param()));
    }
    return respond(((ChatRequest.Valid) parsed).request());
  }

  private Route respond(ChatRequest request) {
    return switch (request.behaviour().failure()) {
      case ERROR_500 -> complete(OpenAiErrors.SERVER_ERROR);
      case ERROR_429 -> complete(OpenAiErrors.RATE_LIMITED);
      case HANG -> completeWithFuture(new CompletableFuture<>());
      case NONE, CUT_STREAM -> request.stream() ? complete(stream(request)) : completion(request);
    };
  }

  private Route completion(ChatRequest request) {
    ByteString body = new ChatAnswer(request).completionBody();
    HttpResponse response = request.behaviour().failure() == MockBehaviour.Failure.CUT_STREAM
        // The declared length promises the whole body; the entity fails after half of it.
        ? HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body.length(),
            thenCut(Source.single(body.take(body.length() / 2)))))
        : HttpResponse.create().withEntity(ContentTypes.APPLICATION_JSON, body);
    long delay = request.behaviour().chunkDelayMillis();
    if (delay == 0) return complete(response);
    return completeWithFuture(Patterns.after(Duration.ofMillis(delay), system,
        () -> CompletableFuture.completedFuture(response)));
  }

  private HttpResponse stream(ChatRequest request) {
    MockBehaviour behaviour = request.behaviour();
    List<ByteString> events = new ChatAnswer(request).streamEvents();
    boolean cut = behaviour.failure() == MockBehaviour.Failure.CUT_STREAM;
    List<ByteString> sent =
        cut ? events.subList(0, 1 + Math.min(behaviour.cutAfterChunks(), request.completionTokens())) : events;
    Source<ByteString, NotUsed> source;
    int elements;
    if (behaviour.chunkDelayMillis() > 0) {
      source = Source.from(sent).throttle(1, Duration.ofMillis(behaviour.chunkDelayMillis()));
      elements = sent.size();
    } else {
      // Undelayed events would be coalesced on the wire anyway, and one element streams cheaper than twenty.
      source = Source.single(concat(sent));
      elements = 1;
    }
    if (cut) source = thenCut(source);
    return HttpResponse.create().withEntity(HttpEntities.createChunked(EVENT_STREAM, countedOutcome(source, elements)));
  }

  private static ByteString concat(List<ByteString> events) {
    ByteStringBuilder all = ByteString.createBuilder();
    events.forEach(all::append);
    return all.result();
  }

  /**
   * {@code sent}, then a failure that makes Pekko HTTP abort the connection with a TCP reset. The grace
   * period lets the bytes before it be written first: an abort drops whatever is still queued.
   */
  private Source<ByteString, NotUsed> thenCut(Source<ByteString, NotUsed> sent) {
    return sent.concatLazy(Source.lazyCompletionStage(() ->
        Patterns.after(CUT_GRACE, system, () -> CompletableFuture.failedFuture(new StreamCut()))));
  }

  /**
   * Records how the stream ended. A downstream cancel (the client went away) can complete the termination
   * future successfully, just like a finished stream, so the elements that got through tell the two apart.
   */
  private Source<ByteString, NotUsed> countedOutcome(Source<ByteString, NotUsed> source, int elementCount) {
    AtomicInteger emitted = new AtomicInteger();
    return source
        .map(event -> {
          emitted.incrementAndGet();
          return event;
        })
        .watchTermination((notUsed, termination) -> {
          termination.whenComplete((done, failure) -> {
            if (failure instanceof StreamCut) return;
            if (failure == null && emitted.get() == elementCount) {
              stats.streamCompleted();
            } else {
              stats.streamCancelled();
            }
          });
          return notUsed;
        });
  }
}
