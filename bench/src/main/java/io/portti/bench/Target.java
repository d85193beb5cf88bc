package io.portti.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** One endpoint under load: a prepared request and an HTTP client of its own, so targets never share connections. */
final class Target implements AutoCloseable {

  static final String CLIENT_THREAD_PREFIX = "bench-client-";
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private final String name;
  private final ChatCall call;
  private final ThreadFactory threads;
  private final ExecutorService executor;
  private final HttpClient client;
  private final HttpRequest request;

  private Target(String name, ChatCall call, ThreadFactory threads, ExecutorService executor, HttpClient client,
      HttpRequest request) {
    this.name = name;
    this.call = call;
    this.threads = threads;
    this.executor = executor;
    this.client = client;
    this.request = request;
  }

  /** {@code baseUrl} is an OpenAI base URL such as {@code http://127.0.0.1:8080/v1}. */
  static Target create(String name, String baseUrl, String bearer, ChatCall call) {
    ThreadFactory threads = namedDaemons(name);
    ExecutorService executor = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(), threads);
    // java.net.http, not Pekko HTTP: a selector thread and a core-sized pool, no second actor system to compete with the gateway's.
    HttpClient client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .executor(executor)
        .build();
    HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/chat/completions"))
        .timeout(REQUEST_TIMEOUT)
        .header("Authorization", "Bearer " + bearer)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(call.body()))
        .build();
    return new Target(name, call, threads, executor, client, request);
  }

  private static ThreadFactory namedDaemons(String name) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, CLIENT_THREAD_PREFIX + name.replace(' ', '-') + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  String name() {
    return name;
  }

  /** A thread named after this target, so its CPU time is counted as the load generator's. */
  Thread newThread(Runnable work) {
    return threads.newThread(work);
  }

  /**
   * Blocking on purpose: sendAsync hands every answer to CompletableFuture's default pool, which on 2 cores
   * starts a new thread per request and would make the load generator the bottleneck.
   */
  HttpResponse<String> send() throws IOException, InterruptedException {
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** Null for a whole 200 answer, otherwise a short label of what went wrong. */
  String failureOf(HttpResponse<String> response) {
    if (response.statusCode() != 200) return "HTTP " + response.statusCode();
    return call.isWhole(response.body()) ? null : "incomplete body";
  }

  /** One request before any load, so a broken setup fails loudly instead of as a wall of errors. */
  void probe() throws IOException, InterruptedException {
    HttpResponse<String> response = send();
    String failure = failureOf(response);
    if (failure != null) {
      throw new IllegalStateException(name + ": first request failed (" + failure + "): " + response.body());
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
