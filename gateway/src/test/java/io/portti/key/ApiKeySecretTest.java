package io.portti.key;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ApiKeySecretTest {
  @Test
  void generatedKeysCarryAValidChecksumAndTyposDoNot() {
    String key = ApiKeySecret.generate();
    assertTrue(key.startsWith("sk-"));
    assertTrue(ApiKeySecret.isWellFormed(key));
    char last = key.charAt(10);
    String typo = key.substring(0, 10) + (last == 'a' ? 'b' : 'a') + key.substring(11);
    assertFalse(ApiKeySecret.isWellFormed(typo));
    assertFalse(ApiKeySecret.isWellFormed("sk-" + "x".repeat(49)));
    assertFalse(ApiKeySecret.isWellFormed(null));
  }

  @Test
  void idIsAPrefixOfTheHashAndHashesCompare() {
    String hash = ApiKeySecret.hash("sk-example");
    assertEquals(64, hash.length());
    assertEquals("tok_" + hash.substring(0, 24), ApiKeySecret.idOf(hash));
    assertTrue(ApiKeySecret.sameHash(hash, ApiKeySecret.hash("sk-example")));
    assertFalse(ApiKeySecret.sameHash(hash, ApiKeySecret.hash("sk-other")));
  }

  @Test
  void ipRulesMatchAddressesAndRanges() {
    assertTrue(IpRules.allows(List.of(), "1.2.3.4"));
    assertTrue(IpRules.allows(List.of("10.0.0.0/8"), "10.200.1.1"));
    assertFalse(IpRules.allows(List.of("10.0.0.0/8"), "11.0.0.1"));
    assertTrue(IpRules.allows(List.of("192.168.1.7"), "192.168.1.7"));
    assertTrue(IpRules.allows(List.of("2001:db8::/32"), "2001:db8:1::1"));
    assertFalse(IpRules.allows(List.of("2001:db8::/32"), "10.0.0.1"));
    assertFalse(IpRules.allows(List.of("10.0.0.0/8"), "not-an-ip"));
    assertEquals(null, IpRules.invalidEntry(List.of("10.0.0.0/8", "::1")));
    assertTrue(IpRules.invalidEntry(List.of("10.0.0.0/33")).contains("10.0.0.0/33"));
    assertTrue(IpRules.invalidEntry(List.of("example.com")).contains("example.com"));
  }
}
