package io.portti.mock;

/**
 * The deterministic answer text: "Hello" and then a fixed cycle of words, one completion token each,
 * every word after the first carrying its leading space so the stream deltas concatenate to the content.
 */
final class AnswerWords {

  private static final String FIRST = "Hello";
  private static final String[] CYCLE = {" this", " is", " a", " mock", " answer", " from", " the", " upstream"};

  private AnswerWords() {}

  /** The word at {@code index} (0-based); plain ASCII letters, so it needs no JSON escaping. */
  static String word(int index) {
    return index == 0 ? FIRST : CYCLE[(index - 1) % CYCLE.length];
  }

  static String text(int count) {
    StringBuilder text = new StringBuilder(count * 6);
    for (int i = 0; i < count; i++) text.append(word(i));
    return text.toString();
  }
}
