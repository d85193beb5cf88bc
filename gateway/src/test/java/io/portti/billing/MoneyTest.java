package io.portti.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class MoneyTest {
  @Test
  void decimalsConvertExactlyBothWays() {
    assertEquals(1_500_000_000L, Money.nanos(new BigDecimal("1.5")));
    assertEquals(1L, Money.nanos(new BigDecimal("0.000000001")));
    assertEquals("0.0000171", Money.decimal(17_100).toPlainString());
    assertEquals("10", Money.decimal(10_000_000_000L).toPlainString());
    assertThrows(IllegalArgumentException.class, () -> Money.nanos(new BigDecimal("0.0000000001")));
  }

  @Test
  void costIsPricedPerMillionTimesMultiplierRoundedOnce() {
    Price price = new Price(Money.nanos(new BigDecimal("0.15")), Money.nanos(new BigDecimal("0.60")), 0);
    // (12 x 0.15 + 16 x 0.60) / 1e6 x 1.5 = 0.0000171
    assertEquals(17_100, Money.cost(12, 16, price, new BigDecimal("1.5")));
    // 1 token at 0.0375 per million = 37.5 nano-units: half-up once, at the end
    assertEquals(38, Money.cost(1, 0, new Price(37_500_000, 0, 0), BigDecimal.ONE));
    assertEquals(0, Money.cost(0, 0, price, BigDecimal.ONE));
  }
}
