package io.portti.protocol.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class OpenAiSseDecoderTest {

  static final List<String> EVENTS =
      List.of(
          "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1730000000,"
              + "\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_0ba0d124f1\","
              + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\","
              + "\"refusal\":null},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}",
          "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1730000000,"
              + "\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_0ba0d124f1\","
              + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hei\"},\"logprobs\":null,"
              + "\"finish_reason\":null}],\"usage\":null}",
          "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1730000000,"
              + "\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_0ba0d124f1\","
              + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\" maailma 🌍 ä\"},"
              + "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}",
          "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1730000000,"
              + "\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_0ba0d124f1\","
              + "\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,"
              + "\"finish_reason\":\"stop\"}],\"usage\":null}",
          "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1730000000,"
              + "\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_0ba0d124f1\","
              + "\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":5,"
              + "\"total_tokens\":14,\"prompt_tokens_details\":{\"cached_tokens\":0},"
              + "\"completion_tokens_details\":{\"reasoning_tokens\":0}}}",
          "[DONE]");

  // What a stream of EVENTS decodes to, after a comment and a pretty-printed event.
  static final List<String> DECODED =
      Stream.concat(Stream.of("{\n  \"a\": 1\n}"), EVENTS.stream()).toList();

  static String stream(String lineEnd) {
    StringBuilder stream = new StringBuilder(": OPENROUTER PROCESSING" + lineEnd + lineEnd);
    stream.append("data: {").append(lineEnd).append("data:   \"a\": 1").append(lineEnd);
    stream.append("data: }").append(lineEnd).append(lineEnd);
    for (String event : EVENTS) {
      stream.append("data: ").append(event).append(lineEnd).append(lineEnd);
    }
    return stream.toString();
  }

  @Test
  void decodesAWholeStreamInOneChunk() {
    OpenAiSseDecoder decoder = new OpenAiSseDecoder();

    assertEquals(DECODED, decoder.feed(ByteString.fromString(stream("\n"))));
    assertEquals(List.of(), decoder.finish());
  }

  @Test
  void decodesTheSameEventsWhereverTheStreamIsCut() {
    for (String lineEnd : List.of("\n", "\r\n", "\r")) {
      byte[] bytes = stream(lineEnd).getBytes(StandardCharsets.UTF_8);
      for (int cut = 0; cut <= bytes.length; cut++) {
        OpenAiSseDecoder decoder = new OpenAiSseDecoder();
        List<String> events = new ArrayList<>(decoder.feed(ByteString.fromArray(bytes, 0, cut)));
        events.addAll(decoder.feed(ByteString.fromArray(bytes, cut, bytes.length - cut)));
        events.addAll(decoder.finish());
        assertEquals(DECODED, events, "cut at " + cut + " with " + lineEnd.length() + "-char EOL");
      }
    }
  }

  @Test
  void decodesAStreamFedOneByteAtATime() {
    byte[] bytes = stream("\r\n").getBytes(StandardCharsets.UTF_8);
    OpenAiSseDecoder decoder = new OpenAiSseDecoder();
    List<String> events = new ArrayList<>();
    for (int i = 0; i < bytes.length; i++) {
      events.addAll(decoder.feed(ByteString.fromArray(bytes, i, 1)));
    }

    assertEquals(DECODED, events);
  }

  @Test
  void keepsAnEmojiWholeWhenACutFallsInsideIt() {
    byte[] bytes = stream("\n").getBytes(StandardCharsets.UTF_8);
    byte[] emoji = "🌍".getBytes(StandardCharsets.UTF_8);
    int emojiAt = indexOf(bytes, emoji);
    for (int cut = emojiAt + 1; cut < emojiAt + emoji.length; cut++) {
      OpenAiSseDecoder decoder = new OpenAiSseDecoder();
      List<String> events = new ArrayList<>(decoder.feed(ByteString.fromArray(bytes, 0, cut)));
      events.addAll(decoder.feed(ByteString.fromArray(bytes, cut, bytes.length - cut)));

      assertTrue(events.get(3).contains(" maailma 🌍 ä"), events.get(3));
    }
  }

  @Test
  void returnsEveryEventOfAChunkInOrder() {
    OpenAiSseDecoder decoder = new OpenAiSseDecoder();

    assertEquals(
        List.of("1", "2"), decoder.feed(ByteString.fromString("data: 1\n\ndata: 2\n\ndata: 3")));
    assertEquals(List.of("3"), decoder.feed(ByteString.fromString("\n\n")));
  }

  @Test
  void skipsCommentsAndFieldsOtherThanData() {
    OpenAiSseDecoder decoder = new OpenAiSseDecoder();
    String stream =
        ": keep-alive\n\n"
            + "event: message\nid: 7\nretry: 1000\ndata: {\"a\":1}\n\n"
            + "id: 8\n\n"
            + "database: not a data field\ndata:tight\n\n";

    assertEquals(List.of("{\"a\":1}", "tight"), decoder.feed(ByteString.fromString(stream)));
  }

  @Test
  void joinsTheLinesOfAMultiLineEvent() {
    OpenAiSseDecoder decoder = new OpenAiSseDecoder();

    assertEquals(
        List.of("{\n\"a\": 1\n}", ""),
        decoder.feed(ByteString.fromString("data: {\ndata: \"a\": 1\ndata: }\n\ndata\n\n")));
  }

  @Test
  void finishReturnsAnEventTheStreamDidNotClose() {
    OpenAiSseDecoder unterminatedLine = new OpenAiSseDecoder();
    OpenAiSseDecoder unterminatedEvent = new OpenAiSseDecoder();

    assertEquals(List.of(), unterminatedLine.feed(ByteString.fromString("data: {\"a\":1}")));
    assertEquals(List.of("{\"a\":1}"), unterminatedLine.finish());
    assertEquals(List.of(), unterminatedEvent.feed(ByteString.fromString("data: [DONE]\r\n")));
    assertEquals(List.of("[DONE]"), unterminatedEvent.finish());
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    throw new AssertionError("not found");
  }
}
