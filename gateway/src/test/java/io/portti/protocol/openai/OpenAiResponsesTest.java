package io.portti.protocol.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.portti.protocol.Json;
import io.portti.protocol.Usage;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OpenAiResponsesTest {

  static final String RESPONSE =
      "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1730000000,"
          + "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"message\":"
          + "{\"role\":\"assistant\",\"content\":\"Hei!\"},\"finish_reason\":\"stop\"}],"
          + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,\"total_tokens\":12}}";

  @Test
  void readsTheReportedUsage() {
    assertEquals(new Usage(9, 3, true), OpenAiResponses.usageOf(bytes(RESPONSE)));
  }

  @Test
  void saysWhenNoUsageWasReported() {
    assertEquals(Usage.NOT_REPORTED, OpenAiResponses.usageOf(bytes("{\"choices\":[]}")));
    assertEquals(Usage.NOT_REPORTED, OpenAiResponses.usageOf(bytes("{\"usage\":null}")));
    assertEquals(Usage.NOT_REPORTED, OpenAiResponses.usageOf(bytes("<html>bad gateway")));
  }

  @Test
  void showsTheClientItsOwnModelName() {
    byte[] rewritten = OpenAiResponses.withModel(bytes(RESPONSE), "fast");

    assertEquals(
        Json.readLenient(RESPONSE.replace("gpt-4o-mini-2024-07-18", "fast")),
        Json.readLenient(rewritten));
  }

  @Test
  void returnsTheSameBytesWhenNothingChanges() {
    byte[] sameModel = bytes("{\"model\":\"fast\"}");
    byte[] notJson = bytes("<html>");

    assertSame(sameModel, OpenAiResponses.withModel(sameModel, "fast"));
    assertSame(notJson, OpenAiResponses.withModel(notJson, "fast"));
  }

  @Test
  void writesErrorsInOpenAisShape() {
    assertEquals(
        "{\"error\":{\"message\":\"Incorrect API key provided.\","
            + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}",
        text(OpenAiResponses.error(
            "Incorrect API key provided.", "invalid_request_error", "invalid_api_key")));
    assertEquals(
        "{\"error\":{\"message\":\"No \\\"quota\\\"\",\"type\":\"insufficient_quota\","
            + "\"param\":null,\"code\":null}}",
        text(OpenAiResponses.error("No \"quota\"", "insufficient_quota", null)));
    assertEquals(
        "{\"error\":{\"message\":\"Missing required parameter: 'messages'.\","
            + "\"type\":\"invalid_request_error\",\"param\":\"messages\",\"code\":null}}",
        text(OpenAiResponses.error(new InvalidRequest(
            "Missing required parameter: 'messages'.", "messages"))));
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
