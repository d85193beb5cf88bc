package io.portti.mock;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.util.ByteString;

/** One answer to a chat request, rendered in OpenAI's exact wire format as a whole body or as SSE events. */
final class ChatAnswer {

  private static final char[] ID_ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
  private static final ByteString DONE = ByteString.fromString("data: [DONE]\n\n");

  private final ChatRequest request;
  private final String id;
  private final long created;

  ChatAnswer(ChatRequest request) {
    this.request = request;
    this.id = newId();
    this.created = System.currentTimeMillis() / 1000;
  }

  ByteString completionBody() {
    StringBuilder json = new StringBuilder(256 + request.completionTokens() * 8);
    json.append("{\"id\":\"").append(id)
        .append("\",\"object\":\"chat.completion\",\"created\":").append(created)
        .append(",\"model\":").append(MockJson.quote(request.model()))
        .append(",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"")
        .append(AnswerWords.text(request.completionTokens()))
        .append("\"},\"finish_reason\":\"").append(finishReason())
        .append("\",\"logprobs\":null}],\"usage\":").append(usage()).append('}');
    return ByteString.fromString(json.toString());
  }

  /**
   * The SSE events of a stream in order: the role chunk, one chunk per word, the finish chunk, the usage
   * chunk when the client asked for it, and {@code [DONE]}.
   */
  List<ByteString> streamEvents() {
    boolean includeUsage = request.includeUsage();
    String prefix = "data: {\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":" + created
        + ",\"model\":" + MockJson.quote(request.model()) + ",\"choices\":";
    // OpenAI sends "usage":null on every chunk but the last once include_usage is on.
    String suffix = includeUsage ? ",\"usage\":null}\n\n" : "}\n\n";
    List<ByteString> events = new ArrayList<>(request.completionTokens() + 4);
    events.add(choiceEvent(prefix, "{\"role\":\"assistant\",\"content\":\"\"}", "null", suffix));
    for (int i = 0; i < request.completionTokens(); i++) {
      events.add(choiceEvent(prefix, "{\"content\":\"" + AnswerWords.word(i) + "\"}", "null", suffix));
    }
    events.add(choiceEvent(prefix, "{}", "\"" + finishReason() + "\"", suffix));
    if (includeUsage) {
      events.add(ByteString.fromString(prefix + "[],\"usage\":" + usage() + "}\n\n"));
    }
    events.add(DONE);
    return events;
  }

  private static ByteString choiceEvent(String prefix, String delta, String finishReason, String suffix) {
    return ByteString.fromString(prefix + "[{\"index\":0,\"delta\":" + delta
        + ",\"logprobs\":null,\"finish_reason\":" + finishReason + "}]" + suffix);
  }

  private String finishReason() {
    return request.truncated() ? "length" : "stop";
  }

  private String usage() {
    int prompt = request.promptTokens();
    int completion = request.completionTokens();
    return "{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":" + completion
        + ",\"total_tokens\":" + (prompt + completion) + "}";
  }

  private static String newId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    StringBuilder id = new StringBuilder("chatcmpl-");
    for (int i = 0; i < 29; i++) id.append(ID_ALPHABET[random.nextInt(ID_ALPHABET.length)]);
    return id.toString();
  }
}
