package io.portti.billing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RecentIdsTest {
  @Test
  void keepsTheNewestIdsUpToCapacityAndIsImmutable() {
    RecentIds<Long> ids = RecentIds.empty();
    RecentIds<Long> one = ids.with("a", 1L);
    assertFalse(ids.get("a").isPresent(), "the original is untouched");
    assertEquals(1L, one.get("a").orElseThrow());

    RecentIds<Long> full = one;
    for (int i = 0; i < RecentIds.CAPACITY; i++) {
      full = full.with("r" + i, (long) i);
    }
    assertFalse(full.get("a").isPresent(), "the oldest id is forgotten first");
    assertTrue(full.get("r0").isPresent());
    assertEquals(RecentIds.CAPACITY, full.entries().size());
    assertEquals(full, RecentIds.of(full.entries()), "what is written reads back equal, in order");
  }
}
