package io.portti.channel;

import io.portti.CborSerializable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;

/** A one-token chat completion sent to a channel to see whether it answers, and how fast. */
public final class Probe {
  private Probe() {}

  /** ok: the upstream answered 2xx within the timeout; status -1 when it did not answer at all. */
  public record Result(boolean ok, int status, long latencyMillis, String error) implements CborSerializable {}

  public static CompletionStage<Result> send(ActorSystem<?> system, ChannelConfig channel, Duration timeout) {
    String body = "{\"model\":\"" + jsonEscaped(channel.upstreamModel(channel.models().get(0)))
        + "\",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"ping\"}]}";
    long start = System.nanoTime();
    // A plain future for the timeout: Pekko's would run its canceller on the common pool.
    CompletableFuture<Result> result = new CompletableFuture<Result>().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    Http.get(system)
        .singleRequest(OpenAiUpstream.chatCompletions(channel, body.getBytes(StandardCharsets.UTF_8), false))
        .whenCompleteAsync((response, error) -> {
          if (error != null) {
            result.complete(new Result(false, -1, elapsed(start), error.toString()));
            return;
          }
          response.discardEntityBytes(system);
          int status = response.status().intValue();
          result.complete(new Result(status < 300, status, elapsed(start), status < 300 ? null : "HTTP " + status));
        }, system.executionContext());
    return result.exceptionally(timedOut ->
        new Result(false, -1, elapsed(start), "no answer within " + timeout.toMillis() + " ms"));
  }

  private static long elapsed(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  private static String jsonEscaped(String text) {
    return text.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
