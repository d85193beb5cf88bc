package io.portti.protocol.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portti.protocol.Json;
import io.portti.protocol.TokenCounter;
import io.portti.protocol.Usage;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class OpenAiStreamPassthroughTest {

  static final List<String> EVENTS = OpenAiSseDecoderTest.EVENTS;
  static final String UPSTREAM_MODEL = "gpt-4o-mini";

  @Test
  void hidesTheUsageChunkFromAClientThatDidNotAskForIt() {
    OpenAiStreamPassthrough passthrough =
        new OpenAiStreamPassthrough(UPSTREAM_MODEL, UPSTREAM_MODEL, false, 100);

    List<ByteString> sent = feed(passthrough, EVENTS);

    List<ByteString> expected = new ArrayList<>();
    for (String event : EVENTS) {
      expected.add(ByteString.fromString("data: " + event + "\n\n"));
    }
    expected.set(4, ByteString.emptyByteString());
    assertEquals(expected, sent);
    assertEquals(new Usage(9, 5, true), passthrough.usage());
    assertTrue(passthrough.doneSeen());
  }

  @Test
  void passesEverythingUntouchedToAClientThatAskedForUsage() {
    OpenAiStreamPassthrough passthrough =
        new OpenAiStreamPassthrough(UPSTREAM_MODEL, UPSTREAM_MODEL, true, 100);

    List<ByteString> sent = feed(passthrough, EVENTS);

    for (int i = 0; i < EVENTS.size(); i++) {
      assertEquals(ByteString.fromString("data: " + EVENTS.get(i) + "\n\n"), sent.get(i));
    }
    assertEquals(new Usage(9, 5, true), passthrough.usage());
  }

  @Test
  void removesUsageFromAContentChunkTheClientDidNotAskFor() {
    OpenAiStreamPassthrough passthrough =
        new OpenAiStreamPassthrough(UPSTREAM_MODEL, UPSTREAM_MODEL, false, 100);
    String lastChunkWithUsage =
        "{\"id\":\"c\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":"
            + "{\"content\":\"!\"},\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15}}";

    JsonNode sent = payload(passthrough.onEvent(lastChunkWithUsage));

    assertFalse(sent.has("usage"));
    assertEquals("!", sent.at("/choices/0/delta/content").asText());
    assertEquals(new Usage(12, 3, true), passthrough.usage());
  }

  @Test
  void showsTheClientItsOwnModelName() {
    OpenAiStreamPassthrough passthrough =
        new OpenAiStreamPassthrough("fast", UPSTREAM_MODEL, true, 100);

    List<ByteString> sent = feed(passthrough, EVENTS);

    for (int i = 0; i < EVENTS.size() - 1; i++) {
      JsonNode chunk = payload(sent.get(i));
      assertEquals("fast", chunk.get("model").asText());
      ((ObjectNode) chunk).put("model", "gpt-4o-mini-2024-07-18");
      assertEquals(Json.readLenient(EVENTS.get(i)), chunk);
    }
    assertEquals(ByteString.fromString("data: [DONE]\n\n"), sent.get(EVENTS.size() - 1));
  }

  @Test
  void countsTheAnswerWhenTheUpstreamReportsNoUsage() {
    OpenAiStreamPassthrough passthrough =
        new OpenAiStreamPassthrough(UPSTREAM_MODEL, UPSTREAM_MODEL, false, 42);

    feed(passthrough, EVENTS.subList(0, 4));
    passthrough.onEvent(
        "{\"choices\":[{\"delta\":{\"reasoning_content\":\"thinking\",\"tool_calls\":"
            + "[{\"index\":0,\"function\":{\"name\":\"weather\","
            + "\"arguments\":\"{\\\"city\\\":\\\"Oulu\\\"}\"}}]}}]}");

    String answer = "Hei maailma 🌍 äthinkingweather{\"city\":\"Oulu\"}";
    assertEquals(
        new Usage(42, TokenCounter.countText(UPSTREAM_MODEL, answer), false),
        passthrough.usage());
    assertFalse(passthrough.doneSeen());
  }

  @Test
  void countsALongAnswerAsIfWhole() {
    OpenAiStreamPassthrough passthrough =
        new OpenAiStreamPassthrough(UPSTREAM_MODEL, UPSTREAM_MODEL, false, 0);
    StringBuilder answer = new StringBuilder();
    for (int i = 0; i < 10_000; i++) {
      String delta = (i == 0 ? "" : " ") + "word" + (i % 7);
      answer.append(delta);
      passthrough.onEvent("{\"choices\":[{\"delta\":{\"content\":\"" + delta + "\"}}]}");
    }

    assertEquals(
        TokenCounter.countText(UPSTREAM_MODEL, answer.toString()),
        passthrough.usage().completionTokens());
  }

  @Test
  void passesWhatIsNotAJsonObjectAsItCame() {
    OpenAiStreamPassthrough passthrough =
        new OpenAiStreamPassthrough("fast", UPSTREAM_MODEL, false, 0);

    assertEquals(ByteString.fromString("data: not json\n\n"), passthrough.onEvent("not json"));
    assertEquals(
        ByteString.fromString("data: {\ndata: \"a\":1}\n\n"), passthrough.onEvent("{\n\"a\":1}"));
  }

  @Test
  void writesAMidStreamErrorInOpenAisShape() {
    ByteString event =
        OpenAiStreamPassthrough.errorEvent("upstream \"timed\" out", "upstream_error");

    assertTrue(event.utf8String().startsWith("data: {\"error\":"));
    assertTrue(event.utf8String().endsWith("}\n\n"));
    assertEquals(
        Json.readLenient(
            "{\"error\":{\"message\":\"upstream \\\"timed\\\" out\",\"type\":\"upstream_error\","
                + "\"param\":null,\"code\":null}}"),
        payload(event));
  }

  private static List<ByteString> feed(OpenAiStreamPassthrough passthrough, List<String> events) {
    List<ByteString> sent = new ArrayList<>();
    for (String event : events) {
      sent.add(passthrough.onEvent(event));
    }
    return sent;
  }

  private static JsonNode payload(ByteString event) {
    List<String> data = new OpenAiSseDecoder().feed(event);
    assertEquals(1, data.size(), event.utf8String());
    return Json.readLenient(data.get(0));
  }
}
