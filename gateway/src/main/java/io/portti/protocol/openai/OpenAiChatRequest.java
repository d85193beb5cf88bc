package io.portti.protocol.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portti.protocol.Json;
import java.util.OptionalInt;

/**
 * A client's {@code /v1/chat/completions} body, parsed and checked once. Everything the gateway
 * does not read is kept as the client sent it and forwarded untouched.
 */
public final class OpenAiChatRequest {

  private final ObjectNode body;
  private final String model;
  private final boolean stream;
  private final boolean clientWantsUsage;
  private final OptionalInt maxOutputTokens;

  private OpenAiChatRequest(
      ObjectNode body,
      String model,
      boolean stream,
      boolean clientWantsUsage,
      OptionalInt maxOutputTokens) {
    this.body = body;
    this.model = model;
    this.stream = stream;
    this.clientWantsUsage = clientWantsUsage;
    this.maxOutputTokens = maxOutputTokens;
  }

  public static OpenAiChatRequest parse(byte[] json) throws InvalidRequest {
    ObjectNode body = readObject(json);

    JsonNode model = body.path("model");
    if (isPresent(model) && !model.isTextual()) {
      throw invalidType("model", "a string", model);
    }
    if (!isPresent(model) || model.textValue().isEmpty()) {
      throw new InvalidRequest("you must provide a model parameter", "model");
    }

    JsonNode messages = body.path("messages");
    if (messages.isMissingNode() || messages.isNull()) {
      throw new InvalidRequest("Missing required parameter: 'messages'.", "messages");
    }
    if (!messages.isArray()) {
      throw invalidType("messages", "an array", messages);
    }
    if (messages.isEmpty()) {
      throw new InvalidRequest(
          "Invalid 'messages': empty array. Expected an array with minimum length 1,"
              + " but got an empty array instead.",
          "messages");
    }

    JsonNode stream = body.path("stream");
    if (isPresent(stream) && !stream.isBoolean()) {
      throw invalidType("stream", "a boolean", stream);
    }

    JsonNode streamOptions = body.path("stream_options");
    if (isPresent(streamOptions) && !streamOptions.isObject()) {
      throw invalidType("stream_options", "an object", streamOptions);
    }

    OptionalInt maxCompletionTokens = positiveInt(body, "max_completion_tokens");
    OptionalInt maxTokens = positiveInt(body, "max_tokens");

    return new OpenAiChatRequest(
        body,
        model.textValue(),
        stream.asBoolean(false),
        streamOptions.path("include_usage").asBoolean(false),
        maxCompletionTokens.isPresent() ? maxCompletionTokens : maxTokens);
  }

  public String model() {
    return model;
  }

  public boolean stream() {
    return stream;
  }

  /** Whether the client asked, via {@code stream_options.include_usage}, for a usage chunk. */
  public boolean clientWantsUsage() {
    return clientWantsUsage;
  }

  /** The client's cap on the answer; {@code max_completion_tokens} wins over {@code max_tokens}. */
  public OptionalInt maxOutputTokens() {
    return maxOutputTokens;
  }

  /** The {@code messages} array, an array of at least one element. Not to be modified. */
  public JsonNode messages() {
    return body.get("messages");
  }

  /**
   * The body to send upstream: the client's own, with the channel's model name and, when
   * streaming, {@code stream_options.include_usage} on, since billing needs the usage chunk.
   */
  public byte[] toUpstream(String upstreamModel) {
    // A shallow copy: nested nodes are shared, never modified, so the parsed body stays intact.
    ObjectNode upstream = body.objectNode();
    upstream.setAll(body);
    upstream.put("model", upstreamModel);
    if (stream) {
      ObjectNode streamOptions = upstream.objectNode();
      if (body.get("stream_options") instanceof ObjectNode clientOptions) {
        streamOptions.setAll(clientOptions);
      }
      streamOptions.put("include_usage", true);
      upstream.set("stream_options", streamOptions);
    }
    return Json.toBytes(upstream);
  }

  private static ObjectNode readObject(byte[] json) throws InvalidRequest {
    if (Json.readLenient(json) instanceof ObjectNode object) {
      return object;
    }
    throw new InvalidRequest(
        "We could not parse the JSON body of your request. The OpenAI API expects a JSON object"
            + " as the request body.",
        null);
  }

  private static OptionalInt positiveInt(ObjectNode body, String param) throws InvalidRequest {
    JsonNode value = body.path(param);
    if (!isPresent(value)) {
      return OptionalInt.empty();
    }
    if (!value.isIntegralNumber()) {
      throw invalidType(param, "an integer", value);
    }
    if (value.bigIntegerValue().signum() < 1) {
      throw outOfRange(param, "below minimum", "value >= 1", value);
    }
    if (!value.canConvertToInt()) {
      throw outOfRange(param, "above maximum", "value <= " + Integer.MAX_VALUE, value);
    }
    return OptionalInt.of(value.intValue());
  }

  private static InvalidRequest invalidType(String param, String expected, JsonNode actual) {
    return new InvalidRequest(
        "Invalid type for '" + param + "': expected " + expected + ", but got "
            + typeName(actual) + " instead.",
        param);
  }

  private static InvalidRequest outOfRange(
      String param, String bound, String expected, JsonNode actual) {
    return new InvalidRequest(
        "Invalid '" + param + "': integer " + bound + " value. Expected a " + expected
            + ", but got " + actual.asText() + " instead.",
        param);
  }

  // OpenAI treats an explicit null like an absent optional field.
  private static boolean isPresent(JsonNode value) {
    return !value.isMissingNode() && !value.isNull();
  }

  private static String typeName(JsonNode node) {
    return switch (node.getNodeType()) {
      case STRING -> "a string";
      case NUMBER -> node.isIntegralNumber() ? "an integer" : "a decimal";
      case BOOLEAN -> "a boolean";
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      default -> "null";
    };
  }
}
