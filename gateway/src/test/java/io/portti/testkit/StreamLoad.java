package io.portti.testkit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Many streamed chat completions at once, each read to its end (or its failure). */
public final class StreamLoad {
  private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private StreamLoad() {}

  /** status -1: the connection failed (its node died). */
  public record Outcome(int status, String body) {
    public boolean finished() {
      return status == 200 && body.contains("data: [DONE]");
    }
  }

  public record Call(int port, String key, int maxTokens, Map<String, Object> mock) {}

  public static CompletableFuture<Outcome> send(Call call) {
    Map<String, Object> body = Map.of("model", Tenant.MODEL, "stream", true, "max_tokens", call.maxTokens(),
        "messages", List.of(Map.of("role", "user", "content", "tell me a story")), "mock", call.mock());
    HttpRequest request;
    try {
      request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + call.port() + "/v1/chat/completions"))
          .timeout(Duration.ofSeconds(60))
          .header("Authorization", "Bearer " + call.key()).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(Http.JSON.writeValueAsString(body))).build();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return CLIENT.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .thenApply(r -> new Outcome(r.statusCode(), r.body()))
        .exceptionally(e -> new Outcome(-1, e.toString()));
  }

  public static List<Outcome> sendAll(List<Call> calls) {
    List<CompletableFuture<Outcome>> all = calls.stream().map(StreamLoad::send).toList();
    return all.stream().map(f -> f.orTimeout(90, TimeUnit.SECONDS).join()).toList();
  }
}
