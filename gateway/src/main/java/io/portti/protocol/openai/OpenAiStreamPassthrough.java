package io.portti.protocol.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portti.protocol.Json;
import io.portti.protocol.TokenCounter;
import io.portti.protocol.Usage;
import org.apache.pekko.util.ByteString;

/**
 * Passes one OpenAI chat stream from an upstream to a client that speaks OpenAI too, event by
 * event: shows the client its own model name, hides the usage chunk the gateway asked for on its
 * behalf, and meters usage as it goes. One per stream; not thread-safe.
 */
public final class OpenAiStreamPassthrough {

  private static final String DONE = "[DONE]";
  private static final ByteString NOTHING = ByteString.emptyByteString();

  // Answer text is counted in batches, so a long answer isn't held whole in memory.
  private static final int COUNT_BATCH_CHARS = 16 * 1024;

  private final String clientModel;
  private final String upstreamModel;
  private final boolean clientWantsUsage;
  private final int promptTokensEstimate;

  private final StringBuilder uncountedText = new StringBuilder();
  private int countedCompletionTokens;
  private Usage reportedUsage = Usage.NOT_REPORTED;
  private boolean doneSeen;

  /**
   * @param upstreamModel the channel's name for the model, which may differ from the client's
   * @param promptTokensEstimate the prompt's size should the upstream report no usage
   */
  public OpenAiStreamPassthrough(
      String clientModel,
      String upstreamModel,
      boolean clientWantsUsage,
      int promptTokensEstimate) {
    this.clientModel = clientModel;
    this.upstreamModel = upstreamModel;
    this.clientWantsUsage = clientWantsUsage;
    this.promptTokensEstimate = promptTokensEstimate;
  }

  /** The SSE bytes to send the client for one upstream event's data, or none to drop it. */
  public ByteString onEvent(String data) {
    if (data.equals(DONE)) {
      doneSeen = true;
      return frame(DONE);
    }
    // Not a JSON object (a provider's oddity): the client gets it as it came.
    if (!(Json.readLenient(data) instanceof ObjectNode chunk)) {
      return frame(data);
    }
    collectAnswerText(chunk);
    boolean changed = false;
    Usage usage = OpenAiResponses.usageOf(chunk);
    if (usage.reported()) {
      reportedUsage = usage;
      if (!clientWantsUsage) {
        if (chunk.path("choices").isEmpty()) {
          return NOTHING;
        }
        chunk.remove("usage");
        changed = true;
      }
    }
    if (!clientModel.equals(upstreamModel)) {
      changed |= OpenAiResponses.rewriteModel(chunk, clientModel);
    }
    // Untouched chunks go out byte for byte as the upstream wrote them, with no re-serialising.
    return frame(changed ? chunk.toString() : data);
  }

  /** What the upstream reported, or else the prompt estimate and a count of the answer seen. */
  public Usage usage() {
    if (reportedUsage.reported()) {
      return reportedUsage;
    }
    return new Usage(
        promptTokensEstimate,
        countedCompletionTokens + TokenCounter.countText(upstreamModel, uncountedText.toString()),
        false);
  }

  /** Whether the upstream closed the stream with {@code [DONE]}. */
  public boolean doneSeen() {
    return doneSeen;
  }

  /** The event that tells the client, in OpenAI's shape, that the stream failed midway. */
  public static ByteString errorEvent(String message, String type) {
    return frame(OpenAiResponses.errorNode(message, type, null, null).toString());
  }

  private static ByteString frame(String data) {
    // A payload that spans lines needs a data field per line to stay one event.
    return ByteString.fromString("data: " + data.replace("\n", "\ndata: ") + "\n\n");
  }

  private void collectAnswerText(ObjectNode chunk) {
    for (JsonNode choice : chunk.path("choices")) {
      JsonNode delta = choice.path("delta");
      collect(delta.path("content"));
      collect(delta.path("reasoning_content"));
      for (JsonNode toolCall : delta.path("tool_calls")) {
        collect(toolCall.path("function").path("name"));
        collect(toolCall.path("function").path("arguments"));
      }
    }
    if (uncountedText.length() >= COUNT_BATCH_CHARS) {
      countCollectedText();
    }
  }

  private void collect(JsonNode text) {
    if (text.isTextual()) {
      uncountedText.append(text.textValue());
    }
  }

  private void countCollectedText() {
    // Cut before a space, where a token almost always starts, so batches barely skew the count.
    int cut = uncountedText.lastIndexOf(" ");
    if (cut <= 0) {
      cut = uncountedText.length();
    }
    countedCompletionTokens +=
        TokenCounter.countText(upstreamModel, uncountedText.substring(0, cut));
    uncountedText.delete(0, cut);
  }
}
