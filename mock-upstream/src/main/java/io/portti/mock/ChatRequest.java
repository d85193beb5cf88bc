package io.portti.mock;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The parts of a Chat Completions request the mock acts on.
 *
 * @param completionTokens answer length: the behaviour's answer tokens, capped by max_(completion_)tokens
 * @param truncated        whether the cap applied, which makes the finish reason "length"
 * @param behaviour        the instance behaviour with the request's {@code "mock"} overrides applied
 */
record ChatRequest(
    String model,
    boolean stream,
    boolean includeUsage,
    int promptTokens,
    int completionTokens,
    boolean truncated,
    MockBehaviour behaviour) {

  /** Per message on top of its words, as OpenAI's own accounting adds a few tokens of framing. */
  static final int TOKENS_PER_MESSAGE = 4;

  sealed interface Parsed permits Valid, Invalid {}

  record Valid(ChatRequest request) implements Parsed {}

  /** Why the request is rejected, in OpenAI's invalid_request_error terms. */
  record Invalid(String message, String param) implements Parsed {}

  /** Reads a request body already parsed into {@code json}, which is null when the body wasn't JSON. */
  static Parsed parse(JsonNode json, MockBehaviour instanceBehaviour) {
    if (json == null || !json.isObject()) {
      return new Invalid("We could not parse the JSON body of your request. The OpenAI API expects a JSON payload.", null);
    }
    MockBehaviour behaviour = instanceBehaviour;
    JsonNode overrides = json.get("mock");
    if (overrides != null) {
      try {
        behaviour = instanceBehaviour.overriddenBy(overrides);
      } catch (IllegalArgumentException e) {
        return new Invalid("Invalid 'mock': " + e.getMessage() + ".", "mock");
      }
    }
    JsonNode model = json.get("model");
    if (model == null || !model.isTextual() || model.textValue().isEmpty()) {
      return new Invalid("you must provide a model parameter", null);
    }
    JsonNode messages = json.get("messages");
    if (messages == null || !messages.isArray()) {
      return new Invalid("Missing required parameter: 'messages'.", "messages");
    }
    if (messages.isEmpty()) {
      return new Invalid("Invalid 'messages': empty array. Expected an array with minimum length 1.", "messages");
    }
    String capField = json.has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
    JsonNode cap = json.get(capField);
    int completionTokens = behaviour.answerTokens();
    boolean truncated = false;
    if (cap != null && !cap.isNull()) {
      if (!cap.isIntegralNumber() || cap.longValue() < 1) {
        return new Invalid("Invalid '" + capField + "': expected an integer >= 1.", capField);
      }
      if (cap.longValue() < completionTokens) {
        completionTokens = cap.intValue();
        truncated = true;
      }
    }
    return new Valid(new ChatRequest(
        model.textValue(),
        json.path("stream").asBoolean(false),
        json.path("stream_options").path("include_usage").asBoolean(false),
        promptTokens(messages),
        completionTokens,
        truncated,
        behaviour));
  }

  /**
   * A deterministic stand-in for a tokenizer: for every message, {@value #TOKENS_PER_MESSAGE} plus the
   * whitespace-separated words of its string {@code content}, or of the {@code text} of each part when
   * {@code content} is an array of parts.
   */
  static int promptTokens(JsonNode messages) {
    int tokens = 0;
    for (JsonNode message : messages) {
      tokens += TOKENS_PER_MESSAGE;
      JsonNode content = message.path("content");
      if (content.isTextual()) {
        tokens += words(content.textValue());
      } else if (content.isArray()) {
        for (JsonNode part : content) {
          JsonNode text = part.path("text");
          if (text.isTextual()) tokens += words(text.textValue());
        }
      }
    }
    return tokens;
  }

  private static int words(String text) {
    int words = 0;
    boolean inWord = false;
    for (int i = 0; i < text.length(); i++) {
      boolean space = Character.isWhitespace(text.charAt(i));
      if (!space && !inWord) words++;
      inWord = !space;
    }
    return words;
  }
}
