package io.portti.mock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * How the mock answers. An instance-wide value set with {@link MockUpstream#setBehaviour}, optionally
 * overridden per request by a top-level {@code "mock"} object in the request body, using the snake_case
 * names of {@link #toJson()}.
 *
 * @param answerTokens     completion tokens (words) in an answer, before any max_tokens cap
 * @param chunkDelayMillis pause between stream events; a non-stream reply waits this long once
 * @param failure          the failure to simulate
 * @param cutAfterChunks   with {@link Failure#CUT_STREAM}, content chunks sent before the connection is aborted
 * @param expectedApiKey   when set, requests without {@code Authorization: Bearer <this>} get 401
 */
public record MockBehaviour(
    int answerTokens, long chunkDelayMillis, Failure failure, int cutAfterChunks, String expectedApiKey) {

  public enum Failure {
    NONE,
    ERROR_500,
    ERROR_429,
    /** Accept the request and never answer. */
    HANG,
    /** Abort the TCP connection part-way through the response. */
    CUT_STREAM
  }

  public MockBehaviour {
    if (answerTokens < 0) throw new IllegalArgumentException("answer_tokens must be >= 0");
    if (chunkDelayMillis < 0) throw new IllegalArgumentException("chunk_delay_ms must be >= 0");
    if (failure == null) throw new IllegalArgumentException("failure must be set");
    if (cutAfterChunks < 0) throw new IllegalArgumentException("cut_after_chunks must be >= 0");
  }

  public static MockBehaviour defaults() {
    return new MockBehaviour(16, 0, Failure.NONE, 3, null);
  }

  public MockBehaviour withAnswerTokens(int answerTokens) {
    return new MockBehaviour(answerTokens, chunkDelayMillis, failure, cutAfterChunks, expectedApiKey);
  }

  public MockBehaviour withChunkDelayMillis(long chunkDelayMillis) {
    return new MockBehaviour(answerTokens, chunkDelayMillis, failure, cutAfterChunks, expectedApiKey);
  }

  public MockBehaviour withFailure(Failure failure) {
    return new MockBehaviour(answerTokens, chunkDelayMillis, failure, cutAfterChunks, expectedApiKey);
  }

  public MockBehaviour withCutAfterChunks(int cutAfterChunks) {
    return new MockBehaviour(answerTokens, chunkDelayMillis, failure, cutAfterChunks, expectedApiKey);
  }

  public MockBehaviour withExpectedApiKey(String expectedApiKey) {
    return new MockBehaviour(answerTokens, chunkDelayMillis, failure, cutAfterChunks, expectedApiKey);
  }

  /**
   * This behaviour with the fields present in {@code overrides} replaced; absent fields are kept.
   *
   * @throws IllegalArgumentException naming the offending field when a field is unknown or has a bad value
   */
  public MockBehaviour overriddenBy(JsonNode overrides) {
    if (!overrides.isObject()) throw new IllegalArgumentException("mock settings must be a JSON object");
    MockBehaviour result = this;
    Iterator<Map.Entry<String, JsonNode>> fields = overrides.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      JsonNode value = field.getValue();
      result = switch (field.getKey()) {
        case "answer_tokens" -> result.withAnswerTokens(intField("answer_tokens", value));
        case "chunk_delay_ms" -> result.withChunkDelayMillis(intField("chunk_delay_ms", value));
        case "failure" -> result.withFailure(failureField(value));
        case "cut_after_chunks" -> result.withCutAfterChunks(intField("cut_after_chunks", value));
        case "expected_api_key" -> result.withExpectedApiKey(value.isNull() ? null : textField("expected_api_key", value));
        default -> throw new IllegalArgumentException("unknown mock setting '" + field.getKey() + "'");
      };
    }
    return result;
  }

  public ObjectNode toJson() {
    ObjectNode json = MockJson.MAPPER.createObjectNode();
    json.put("answer_tokens", answerTokens);
    json.put("chunk_delay_ms", chunkDelayMillis);
    json.put("failure", failure.name());
    json.put("cut_after_chunks", cutAfterChunks);
    json.put("expected_api_key", expectedApiKey);
    return json;
  }

  private static int intField(String name, JsonNode value) {
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      throw new IllegalArgumentException(name + " must be an integer");
    }
    return value.intValue();
  }

  private static String textField(String name, JsonNode value) {
    if (!value.isTextual()) throw new IllegalArgumentException(name + " must be a string");
    return value.textValue();
  }

  private static Failure failureField(JsonNode value) {
    try {
      return Failure.valueOf(textField("failure", value));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("failure must be one of NONE, ERROR_500, ERROR_429, HANG, CUT_STREAM");
    }
  }
}
