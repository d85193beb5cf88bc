package io.portti.billing;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Money is a {@code long} of nano-units (1e-9 of the currency): exact, and wide enough for
 * nine billion units. Decimals appear only at the HTTP edge.
 */
public final class Money {
  public static final int SCALE = 9;
  private static final BigDecimal NANOS_PER_UNIT_PER_MILLION = BigDecimal.valueOf(1_000_000L);

  private Money() {}

  /** Exact conversion of a decimal amount; more than nine decimals is an error, not a rounding. */
  public static long nanos(BigDecimal amount) {
    try {
      return amount.movePointRight(SCALE).setScale(0, RoundingMode.UNNECESSARY).longValueExact();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("amount " + amount.toPlainString() + " has more than " + SCALE + " decimals or is too large");
    }
  }

  public static BigDecimal decimal(long nanos) {
    BigDecimal d = BigDecimal.valueOf(nanos, SCALE).stripTrailingZeros();
    return d.scale() < 0 ? d.setScale(0) : d;
  }

  /**
   * (prompt x input price + completion x output price) x multiplier, prices per million tokens,
   * rounded half-up to the nano-unit once, at the end.
   */
  public static long cost(long promptTokens, long completionTokens, Price price, BigDecimal multiplier) {
    BigDecimal perMillion = BigDecimal.valueOf(promptTokens).multiply(BigDecimal.valueOf(price.inputPerMillionNanos()))
        .add(BigDecimal.valueOf(completionTokens).multiply(BigDecimal.valueOf(price.outputPerMillionNanos())));
    return perMillion.multiply(multiplier)
        .divide(NANOS_PER_UNIT_PER_MILLION, 0, RoundingMode.HALF_UP)
        .longValueExact();
  }
}
