package io.portti.protocol;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.knuddels.jtokkit.api.EncodingType;
import org.junit.jupiter.api.Test;

class TokenCounterTest {

  @Test
  void countsTextWithTheModelsTokenizer() {
    assertEquals(2, TokenCounter.countText("gpt-4", "hello world"));
    assertEquals(2, TokenCounter.countText("gpt-4o", "hello world"));
    assertEquals(0, TokenCounter.countText("gpt-4", ""));
    assertEquals(0, TokenCounter.countText("gpt-4", null));
  }

  @Test
  void picksO200kForModelsSinceGpt4o() {
    for (String model : new String[] {"gpt-4o-mini", "GPT-4.1", "o1", "o3-mini", "o4-mini",
        "gpt-5", "openai/gpt-4o"}) {
      assertEquals(EncodingType.O200K_BASE, TokenCounter.encodingTypeFor(model), model);
    }
    for (String model : new String[] {"gpt-4", "gpt-3.5-turbo", "llama-3-70b", "", null}) {
      assertEquals(EncodingType.CL100K_BASE, TokenCounter.encodingTypeFor(model), model);
    }
  }

  @Test
  void countsTextThatSpellsASpecialTokenAsText() {
    assertTrue(TokenCounter.countText("gpt-4", "<|endoftext|>") > 1);
  }

  @Test
  void countsAChatPromptAsTheCookbookDoes() {
    JsonNode messages =
        json(
            "[{\"role\":\"system\",\"content\":\"You are a helpful assistant.\"},"
                + "{\"role\":\"user\",\"content\":\"Hello!\"}]");

    // 3 per message, role 1 each, contents 6 and 2, reply priming 3.
    assertEquals(19, TokenCounter.countChatPrompt("gpt-4", messages));
    assertEquals(19, TokenCounter.countChatPrompt("gpt-4", messages));
  }

  @Test
  void countsANameOneTokenMoreThanItsText() {
    JsonNode anonymous = json("[{\"role\":\"user\",\"content\":\"Hi\"}]");
    JsonNode named = json("[{\"role\":\"user\",\"name\":\"ann\",\"content\":\"Hi\"}]");

    assertEquals(
        TokenCounter.countChatPrompt("gpt-4", anonymous)
            + TokenCounter.countText("gpt-4", "ann")
            + 1,
        TokenCounter.countChatPrompt("gpt-4", named));
  }

  @Test
  void countsContentPartsTextByTextAndImagesAtAFixedPrice() {
    JsonNode plain = json("[{\"role\":\"user\",\"content\":\"What is this?\"}]");
    JsonNode vision =
        json(
            "[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"What is this?\"},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,iVBOR\"}}"
                + "]}]");

    assertEquals(
        TokenCounter.countChatPrompt("gpt-4o", plain) + 85,
        TokenCounter.countChatPrompt("gpt-4o", vision));
  }

  @Test
  void countsToolCallsByTheirJson() {
    String toolCalls =
        "[{\"id\":\"call_1\",\"type\":\"function\","
            + "\"function\":{\"name\":\"weather\",\"arguments\":\"{\\\"city\\\":\\\"Oulu\\\"}\"}}]";
    JsonNode messages =
        json("[{\"role\":\"assistant\",\"content\":null,\"tool_calls\":" + toolCalls + "}]");

    assertEquals(
        3
            + 3
            + TokenCounter.countText("gpt-4", "assistant")
            + TokenCounter.countText("gpt-4", toolCalls),
        TokenCounter.countChatPrompt("gpt-4", messages));
  }

  @Test
  void neverThrowsOnOddMessages() {
    for (String odd : new String[] {"null", "{}", "\"text\"", "[1, null, [], \"x\"]",
        "[{\"role\":7,\"content\":{\"a\":[true]}}]", "[{\"content\":[1, {\"type\":5}, null]}]"}) {
      assertDoesNotThrow(() -> TokenCounter.countChatPrompt("gpt-4", json(odd)), odd);
    }
    assertEquals(3, TokenCounter.countChatPrompt(null, null));
  }

  private static JsonNode json(String text) {
    return Json.readLenient(text);
  }
}
