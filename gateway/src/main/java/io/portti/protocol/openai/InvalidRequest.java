package io.portti.protocol.openai;

/** A client's request body the gateway refuses, with OpenAI's wording and the offending param. */
public final class InvalidRequest extends Exception {

  private final String param;

  public InvalidRequest(String message, String param) {
    // Bad input is an expected answer, not a bug: no stack trace to fill.
    super(message, null, false, false);
    this.param = param;
  }

  /** The request field at fault, or null when the body as a whole is. */
  public String param() {
    return param;
  }
}
