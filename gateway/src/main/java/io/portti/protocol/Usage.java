package io.portti.protocol;

/**
 * Tokens one request used, in any wire format.
 *
 * @param reported true when the upstream said so, false when the gateway counted it itself
 */
public record Usage(int promptTokens, int completionTokens, boolean reported) {

  public static final Usage NOT_REPORTED = new Usage(0, 0, false);
}
