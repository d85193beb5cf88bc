package io.portti.mock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MockUpstreamTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  // "Say hello to me" is 4 words, "You are terse" 3, plus 4 per message.
  private static final String MESSAGES = "[{\"role\":\"system\",\"content\":\"You are terse\"},"
      + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Say hello\"},{\"type\":\"text\",\"text\":\" to me\"}]}]";
  private static final int PROMPT_TOKENS = 15;

  private static MockUpstream mock;
  private static HttpClient client;

  @BeforeAll
  static void start() {
    mock = MockUpstream.start(0);
    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterAll
  static void stop() {
    mock.stop();
  }

  @BeforeEach
  void reset() {
    mock.setBehaviour(MockBehaviour.defaults());
    mock.resetStats();
  }

  @Test
  void nonStreamAnswerHasOpenAiShapeAndUsage() throws Exception {
    HttpResponse<String> response = post(chat("gpt-4o-mini", ""), "Bearer sk-upstream");

    assertEquals(200, response.statusCode());
    assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
    JsonNode body = JSON.readTree(response.body());
    assertTrue(body.get("id").textValue().startsWith("chatcmpl-"));
    assertEquals("chat.completion", body.get("object").textValue());
    assertTrue(body.get("created").isIntegralNumber());
    assertEquals("gpt-4o-mini", body.get("model").textValue());
    JsonNode choice = body.get("choices").get(0);
    assertEquals(0, choice.get("index").intValue());
    assertEquals("assistant", choice.get("message").get("role").textValue());
    String content = choice.get("message").get("content").textValue();
    assertTrue(content.startsWith("Hello "));
    assertEquals(16, content.split(" ").length);
    assertEquals("stop", choice.get("finish_reason").textValue());
    assertTrue(choice.get("logprobs").isNull());
    assertUsage(body.get("usage"), PROMPT_TOKENS, 16);

    MockStats stats = mock.stats();
    assertEquals(1, stats.requests());
    assertEquals("Bearer sk-upstream", stats.lastAuthorization());
    assertEquals("gpt-4o-mini", stats.lastModel());
    assertEquals(chat("gpt-4o-mini", ""), stats.lastRequestBody());
  }

  @Test
  void streamWithoutUsageSendsRoleWordsFinishThenDone() throws Exception {
    HttpResponse<String> response = post(chat("gpt-4o", ",\"stream\":true"), null);

    assertEquals(200, response.statusCode());
    assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("text/event-stream"));
    List<String> events = sseData(response.body());
    assertEquals(1 + 16 + 1 + 1, events.size());
    assertEquals("[DONE]", events.get(events.size() - 1));
    List<JsonNode> chunks = chunks(events);
    for (JsonNode chunk : chunks) {
      assertEquals("chat.completion.chunk", chunk.get("object").textValue());
      assertEquals("gpt-4o", chunk.get("model").textValue());
      assertEquals(chunks.get(0).get("id"), chunk.get("id"));
      assertFalse(chunk.has("usage"));
    }
    JsonNode firstDelta = chunks.get(0).get("choices").get(0).get("delta");
    assertEquals("assistant", firstDelta.get("role").textValue());
    assertEquals("", firstDelta.get("content").textValue());
    StringBuilder content = new StringBuilder();
    for (JsonNode chunk : chunks.subList(1, 17)) {
      JsonNode choice = chunk.get("choices").get(0);
      assertTrue(choice.get("finish_reason").isNull());
      content.append(choice.get("delta").get("content").textValue());
    }
    assertEquals(AnswerWords.text(16), content.toString());
    JsonNode finish = chunks.get(17).get("choices").get(0);
    assertEquals(0, finish.get("delta").size());
    assertEquals("stop", finish.get("finish_reason").textValue());
    awaitStats(stats -> stats.completedStreams() == 1);
  }

  @Test
  void streamWithIncludeUsageEndsWithUsageChunkThenDone() throws Exception {
    HttpResponse<String> response =
        post(chat("gpt-4o-mini", ",\"stream\":true,\"stream_options\":{\"include_usage\":true}"), null);

    List<String> events = sseData(response.body());
    assertEquals(1 + 16 + 1 + 1 + 1, events.size());
    assertEquals("[DONE]", events.get(events.size() - 1));
    List<JsonNode> chunks = chunks(events);
    for (JsonNode chunk : chunks.subList(0, chunks.size() - 1)) {
      assertTrue(chunk.get("usage").isNull());
    }
    JsonNode usageChunk = chunks.get(chunks.size() - 1);
    assertEquals(0, usageChunk.get("choices").size());
    assertUsage(usageChunk.get("usage"), PROMPT_TOKENS, 16);
  }

  @Test
  void maxTokensBelowTheAnswerLengthTruncatesWithFinishReasonLength() throws Exception {
    JsonNode body = JSON.readTree(post(chat("gpt-4o-mini", ",\"max_tokens\":5"), null).body());
    assertEquals("Hello this is a mock", body.get("choices").get(0).get("message").get("content").textValue());
    assertEquals("length", body.get("choices").get(0).get("finish_reason").textValue());
    assertUsage(body.get("usage"), PROMPT_TOKENS, 5);

    List<JsonNode> chunks = chunks(sseData(post(chat("gpt-4o-mini",
        ",\"stream\":true,\"max_completion_tokens\":3,\"stream_options\":{\"include_usage\":true}"), null).body()));
    assertEquals(1 + 3 + 1 + 1, chunks.size());
    assertEquals("length", chunks.get(4).get("choices").get(0).get("finish_reason").textValue());
    assertEquals(3, chunks.get(5).get("usage").get("completion_tokens").intValue());
  }

  @Test
  void mockFieldOverridesTheBehaviourForThatRequestOnly() throws Exception {
    JsonNode body = JSON.readTree(post(chat("gpt-4o-mini", ",\"mock\":{\"answer_tokens\":3}"), null).body());
    assertEquals("Hello this is", body.get("choices").get(0).get("message").get("content").textValue());
    assertEquals(16, mock.behaviour().answerTokens());

    HttpResponse<String> failed = post(chat("gpt-4o-mini", ",\"mock\":{\"failure\":\"ERROR_500\"}"), null);
    assertEquals(500, failed.statusCode());
    assertEquals(200, post(chat("gpt-4o-mini", ""), null).statusCode());

    HttpResponse<String> invalid = post(chat("gpt-4o-mini", ",\"mock\":{\"failure\":\"EXPLODE\"}"), null);
    assertEquals(400, invalid.statusCode());
  }

  @Test
  void simulatedErrorsUseOpenAiErrorBodies() throws Exception {
    mock.setBehaviour(MockBehaviour.defaults().withFailure(MockBehaviour.Failure.ERROR_500));
    HttpResponse<String> serverError = post(chat("gpt-4o-mini", ""), null);
    assertEquals(500, serverError.statusCode());
    assertError(serverError, "server_error", null);

    mock.setBehaviour(MockBehaviour.defaults().withFailure(MockBehaviour.Failure.ERROR_429));
    HttpResponse<String> rateLimited = post(chat("gpt-4o-mini", ",\"stream\":true"), null);
    assertEquals(429, rateLimited.statusCode());
    assertEquals("1", rateLimited.headers().firstValue("Retry-After").orElseThrow());
    assertError(rateLimited, "rate_limit_error", "rate_limit_exceeded");
  }

  @Test
  void malformedRequestsGetInvalidRequestErrors() throws Exception {
    for (String body : List.of("{not json", "{\"messages\":" + MESSAGES + "}", "{\"model\":\"gpt-4o\"}")) {
      HttpResponse<String> response = post(body, null);
      assertEquals(400, response.statusCode(), body);
      assertError(response, "invalid_request_error", null);
    }
    assertEquals(3, mock.stats().requests());
  }

  @Test
  void cutStreamStopsAfterTheConfiguredChunksWithoutDone() throws Exception {
    mock.setBehaviour(MockBehaviour.defaults().withFailure(MockBehaviour.Failure.CUT_STREAM).withCutAfterChunks(2));
    HttpResponse<InputStream> response = client.send(
        request(chat("gpt-4o-mini", ",\"stream\":true"), null), HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, response.statusCode());

    List<String> received = new ArrayList<>();
    boolean broken = false;
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (line.startsWith("data: ")) received.add(line.substring(6));
      }
    } catch (IOException e) {
      broken = true;
    }
    assertTrue(broken, "the connection should be aborted, not closed cleanly");
    assertFalse(received.contains("[DONE]"));
    assertEquals(1 + 2, received.size());

    HttpRequest nonStream = request(chat("gpt-4o-mini", ""), null);
    assertThrows(IOException.class, () -> client.send(nonStream, HttpResponse.BodyHandlers.ofString()));
    MockStats stats = mock.stats();
    assertEquals(0, stats.completedStreams());
    assertEquals(0, stats.cancelledStreams());
  }

  @Test
  void clientClosingMidStreamCountsAsCancelled() throws Exception {
    mock.setBehaviour(MockBehaviour.defaults().withAnswerTokens(200).withChunkDelayMillis(20));
    HttpResponse<InputStream> response = client.send(
        request(chat("gpt-4o-mini", ",\"stream\":true"), null), HttpResponse.BodyHandlers.ofInputStream());
    BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8));
    assertTrue(reader.readLine().startsWith("data: "));
    reader.close();

    awaitStats(stats -> stats.cancelledStreams() == 1);
    assertEquals(0, mock.stats().completedStreams());
  }

  @Test
  void hangNeverAnswers() {
    mock.setBehaviour(MockBehaviour.defaults().withFailure(MockBehaviour.Failure.HANG));
    HttpRequest hanging = HttpRequest.newBuilder(URI.create(mock.baseUrl() + "/chat/completions"))
        .timeout(Duration.ofMillis(500))
        .POST(HttpRequest.BodyPublishers.ofString(chat("gpt-4o-mini", "")))
        .build();
    assertThrows(HttpTimeoutException.class, () -> client.send(hanging, HttpResponse.BodyHandlers.ofString()));
    assertEquals(1, mock.stats().requests());
  }

  @Test
  void expectedApiKeyRejectsOtherKeysWith401() throws Exception {
    mock.setBehaviour(MockBehaviour.defaults().withExpectedApiKey("sk-right"));

    HttpResponse<String> missing = post(chat("gpt-4o-mini", ""), null);
    assertEquals(401, missing.statusCode());
    assertError(missing, "invalid_request_error", null);
    HttpResponse<String> wrong = post(chat("gpt-4o-mini", ""), "Bearer sk-wrong");
    assertEquals(401, wrong.statusCode());
    assertError(wrong, "invalid_request_error", "invalid_api_key");
    assertEquals(200, post(chat("gpt-4o-mini", ""), "Bearer sk-right").statusCode());
    assertEquals("Bearer sk-right", mock.stats().lastAuthorization());
  }

  @Test
  void modelsListsTheMockModels() throws Exception {
    HttpResponse<String> response = get("/v1/models");
    JsonNode body = JSON.readTree(response.body());
    assertEquals("list", body.get("object").textValue());
    assertEquals("gpt-4o-mini", body.get("data").get(0).get("id").textValue());
    assertEquals("model", body.get("data").get(0).get("object").textValue());
    assertEquals("mock", body.get("data").get(0).get("owned_by").textValue());
  }

  @Test
  void controlEndpointsSteerAndReportTheMock() throws Exception {
    HttpResponse<String> updated = client.send(
        HttpRequest.newBuilder(URI.create(root() + "/mock/config"))
            .PUT(HttpRequest.BodyPublishers.ofString("{\"answer_tokens\":2,\"failure\":\"ERROR_429\"}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, updated.statusCode());
    assertEquals(
        MockBehaviour.defaults().withAnswerTokens(2).withFailure(MockBehaviour.Failure.ERROR_429), mock.behaviour());
    assertEquals("ERROR_429", JSON.readTree(get("/mock/config").body()).get("failure").textValue());

    post(chat("gpt-4o", ""), null);
    JsonNode stats = JSON.readTree(get("/mock/stats").body());
    assertEquals(1, stats.get("requests").longValue());
    assertEquals("gpt-4o", stats.get("last_model").textValue());
    assertNull(stats.get("last_authorization").textValue());

    HttpResponse<String> reset = client.send(
        HttpRequest.newBuilder(URI.create(root() + "/mock/stats/reset")).POST(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(204, reset.statusCode());
    assertEquals(0, mock.stats().requests());
  }

  private static String chat(String model, String extraFields) {
    return "{\"model\":\"" + model + "\",\"messages\":" + MESSAGES + extraFields + "}";
  }

  private static String root() {
    return "http://127.0.0.1:" + mock.port();
  }

  private static HttpRequest request(String body, String authorization) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(mock.baseUrl() + "/chat/completions"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) request.header("Authorization", authorization);
    return request.build();
  }

  private static HttpResponse<String> post(String body, String authorization) throws Exception {
    return client.send(request(body, authorization), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(root() + path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The payloads of the {@code data:} events, checking that every event is one data line and a blank line. */
  private static List<String> sseData(String body) {
    assertTrue(body.endsWith("\n\n"));
    List<String> data = new ArrayList<>();
    for (String event : body.split("\n\n")) {
      assertTrue(event.startsWith("data: ") && !event.contains("\n"), event);
      data.add(event.substring(6));
    }
    return data;
  }

  private static List<JsonNode> chunks(List<String> events) throws IOException {
    List<JsonNode> chunks = new ArrayList<>();
    for (String event : events) {
      if (!event.equals("[DONE]")) chunks.add(JSON.readTree(event));
    }
    return chunks;
  }

  private static void assertUsage(JsonNode usage, int prompt, int completion) {
    assertEquals(prompt, usage.get("prompt_tokens").intValue());
    assertEquals(completion, usage.get("completion_tokens").intValue());
    assertEquals(prompt + completion, usage.get("total_tokens").intValue());
  }

  private static void assertError(HttpResponse<String> response, String type, String code) throws IOException {
    JsonNode error = JSON.readTree(response.body()).get("error");
    assertFalse(error.get("message").textValue().isEmpty());
    assertEquals(type, error.get("type").textValue());
    assertTrue(error.has("param"));
    assertEquals(code, error.get("code").textValue());
  }

  /** Polls until the condition holds, failing after a deadline. */
  private static void awaitStats(Predicate<MockStats> condition) {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!condition.test(mock.stats())) {
      if (System.nanoTime() > deadline) throw new AssertionError("stats never matched: " + mock.stats());
      LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
    }
  }
}
