package io.portti.protocol.openai;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.pekko.util.ByteString;

/**
 * Splits a server-sent event stream, fed chunk by chunk as it arrives, into the {@code data}
 * payloads of its events. One decoder per stream; not thread-safe.
 */
public final class OpenAiSseDecoder {

  private byte[] line = new byte[256];
  private int lineLength;
  // A line ended with \r: a \n right after it, even in the next chunk, ends nothing more.
  private boolean afterCarriageReturn;
  private final ByteArrayOutputStream eventData = new ByteArrayOutputStream();
  private boolean eventHasData;

  /** The data of every event completed by this chunk, oldest first. */
  public List<String> feed(ByteString chunk) {
    List<String> events = new ArrayList<>(1);
    byte[] bytes = chunk.toArrayUnsafe();
    int lineStart = 0;
    for (int i = 0; i < bytes.length; i++) {
      byte b = bytes[i];
      if (afterCarriageReturn) {
        afterCarriageReturn = false;
        if (b == '\n') {
          lineStart = i + 1;
          continue;
        }
      }
      if (b == '\n' || b == '\r') {
        appendToLine(bytes, lineStart, i);
        endLine(events);
        lineStart = i + 1;
        afterCarriageReturn = b == '\r';
      }
    }
    appendToLine(bytes, lineStart, bytes.length);
    return events;
  }

  /** The data of an event the stream ended without closing with a blank line, if any. */
  public List<String> finish() {
    List<String> events = new ArrayList<>(1);
    if (lineLength > 0) {
      endLine(events);
    }
    dispatch(events);
    afterCarriageReturn = false;
    return events;
  }

  private void endLine(List<String> events) {
    if (lineLength == 0) {
      dispatch(events);
    } else if (isDataField()) {
      // The value starts after "data:" and one optional space.
      int valueStart = Math.min("data:".length(), lineLength);
      if (valueStart < lineLength && line[valueStart] == ' ') {
        valueStart++;
      }
      if (eventHasData) {
        eventData.write('\n');
      }
      eventData.write(line, valueStart, lineLength - valueStart);
      eventHasData = true;
    }
    // Comments (":...") and the fields OpenAI's data doesn't need (event, id, retry) are skipped.
    lineLength = 0;
  }

  private boolean isDataField() {
    return lineLength >= 4
        && line[0] == 'd'
        && line[1] == 'a'
        && line[2] == 't'
        && line[3] == 'a'
        && (lineLength == 4 || line[4] == ':');
  }

  private void dispatch(List<String> events) {
    if (eventHasData) {
      events.add(eventData.toString(StandardCharsets.UTF_8));
      eventData.reset();
      eventHasData = false;
    }
  }

  private void appendToLine(byte[] bytes, int from, int to) {
    int count = to - from;
    if (count == 0) {
      return;
    }
    if (lineLength + count > line.length) {
      line = Arrays.copyOf(line, Math.max(line.length * 2, lineLength + count));
    }
    System.arraycopy(bytes, from, line, lineLength, count);
    lineLength += count;
  }
}
