package io.portti.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Counts tokens the way OpenAI's tokenizers do, to estimate a prompt before forwarding it and to
 * count an answer whose upstream reported no usage.
 */
public final class TokenCounter {

  // Per OpenAI's cookbook: every message costs 3 tokens of framing, a name 1 more, and the
  // assistant's reply is primed with 3.
  private static final int TOKENS_PER_MESSAGE = 3;
  private static final int TOKENS_PER_NAME = 1;
  private static final int TOKENS_REPLY_PRIMING = 3;

  // What a low-detail image costs; a high-detail one costs more, but its size is not known here.
  private static final int TOKENS_PER_IMAGE = 85;

  // Models since gpt-4o use o200k_base; older and unknown ones are counted with cl100k_base,
  // which is close enough for the non-OpenAI models that speak this format.
  private static final List<String> O200K_MODEL_PREFIXES =
      List.of("gpt-4o", "chatgpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4");

  private TokenCounter() {}

  public static int countText(String model, String text) {
    if (text == null || text.isEmpty()) {
      return 0;
    }
    // Ordinary: text that spells a special token like <|endoftext|> is counted, not rejected.
    return encodingFor(model).countTokensOrdinary(text);
  }

  /** Estimates the prompt tokens of a chat's {@code messages} array; odd input counts as text. */
  public static int countChatPrompt(String model, JsonNode messages) {
    Encoding encoding = encodingFor(model);
    int tokens = TOKENS_REPLY_PRIMING;
    if (messages == null || !messages.isArray()) {
      return tokens;
    }
    for (JsonNode message : messages) {
      tokens += TOKENS_PER_MESSAGE + countMessage(encoding, message);
    }
    return tokens;
  }

  private static int countMessage(Encoding encoding, JsonNode message) {
    if (!message.isObject()) {
      return countNode(encoding, message);
    }
    int tokens = 0;
    for (Map.Entry<String, JsonNode> field : message.properties()) {
      JsonNode value = field.getValue();
      if (field.getKey().equals("content") && value.isArray()) {
        tokens += countContentParts(encoding, value);
      } else {
        tokens += countNode(encoding, value);
      }
      if (field.getKey().equals("name")) {
        tokens += TOKENS_PER_NAME;
      }
    }
    return tokens;
  }

  private static int countContentParts(Encoding encoding, JsonNode parts) {
    int tokens = 0;
    for (JsonNode part : parts) {
      String type = part.path("type").asText();
      if (type.equals("text")) {
        tokens += countNode(encoding, part.path("text"));
      } else if (type.equals("image_url")) {
        tokens += TOKENS_PER_IMAGE;
      } else {
        tokens += countNode(encoding, part);
      }
    }
    return tokens;
  }

  /** A string counts its value, null nothing, anything else (tool calls, objects) its JSON text. */
  private static int countNode(Encoding encoding, JsonNode node) {
    if (node.isNull() || node.isMissingNode()) {
      return 0;
    }
    String text = node.isTextual() ? node.textValue() : node.toString();
    return text.isEmpty() ? 0 : encoding.countTokensOrdinary(text);
  }

  private static Encoding encodingFor(String model) {
    return Registry.INSTANCE.getEncoding(encodingTypeFor(model));
  }

  static EncodingType encodingTypeFor(String model) {
    if (model == null) {
      return EncodingType.CL100K_BASE;
    }
    // Gateways often prefix a vendor ("openai/gpt-4o"); the tokenizer depends on the name after it.
    String name = model.substring(model.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    for (String prefix : O200K_MODEL_PREFIXES) {
      if (name.startsWith(prefix)) {
        return EncodingType.O200K_BASE;
      }
    }
    return EncodingType.CL100K_BASE;
  }

  // Loading an encoding's vocabulary is expensive: done once per JVM, on first use.
  private static final class Registry {
    static final EncodingRegistry INSTANCE = Encodings.newLazyEncodingRegistry();
  }
}
