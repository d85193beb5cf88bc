package io.portti.key;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.zip.CRC32;

/**
 * Client keys: {@code sk-} + 43 random base62 characters (256 bits) + a 6-character CRC32
 * checksum, so a mistyped or random key is refused before any entity is asked. Only the SHA-256
 * of a key is kept; the key's public id is a prefix of that hash, so no table maps one to the other.
 */
public final class ApiKeySecret {
  private static final String PREFIX = "sk-";
  private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private static final int RANDOM_CHARS = 43;
  private static final int CHECKSUM_CHARS = 6;
  private static final int LENGTH = PREFIX.length() + RANDOM_CHARS + CHECKSUM_CHARS;
  private static final SecureRandom RANDOM = new SecureRandom();

  private ApiKeySecret() {}

  public static String generate() {
    return generate(PREFIX);
  }

  /** A fresh random secret with the given prefix, checksum appended. */
  public static String generate(String prefix) {
    StringBuilder body = new StringBuilder(RANDOM_CHARS);
    for (int i = 0; i < RANDOM_CHARS; i++) {
      body.append(BASE62.charAt(RANDOM.nextInt(BASE62.length())));
    }
    return prefix + body + checksum(body);
  }

  public static boolean isWellFormed(String key) {
    if (key == null || key.length() != LENGTH || !key.startsWith(PREFIX)) {
      return false;
    }
    CharSequence body = key.subSequence(PREFIX.length(), PREFIX.length() + RANDOM_CHARS);
    for (int i = 0; i < body.length(); i++) {
      if (BASE62.indexOf(body.charAt(i)) < 0) {
        return false;
      }
    }
    return checksum(body).equals(key.substring(LENGTH - CHECKSUM_CHARS));
  }

  public static String hash(String key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The key's public id, also its entity id: 96 bits of its hash. */
  public static String idOf(String hash) {
    return "tok_" + hash.substring(0, 24);
  }

  /** Constant-time comparison of two hex hashes. */
  public static boolean sameHash(String a, String b) {
    return a != null && b != null
        && MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
  }

  private static String checksum(CharSequence body) {
    CRC32 crc = new CRC32();
    crc.update(body.toString().getBytes(StandardCharsets.US_ASCII));
    long value = crc.getValue();
    char[] out = new char[CHECKSUM_CHARS];
    for (int i = CHECKSUM_CHARS - 1; i >= 0; i--) {
      out[i] = BASE62.charAt((int) (value % 62));
      value /= 62;
    }
    return new String(out);
  }
}
