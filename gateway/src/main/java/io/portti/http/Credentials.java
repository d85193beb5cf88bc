package io.portti.http;

import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/** Where clients put their keys. */
public final class Credentials {
  private Credentials() {}

  public static Optional<String> bearer(HttpRequest request) {
    return request.getHeader("authorization").map(HttpHeader::value)
        .filter(v -> v.regionMatches(true, 0, "Bearer ", 0, 7))
        .map(v -> v.substring(7).trim());
  }

  /** Authorization: Bearer, else x-api-key; empty when neither is there. */
  public static String clientKey(HttpRequest request) {
    return bearer(request).or(() -> request.getHeader("x-api-key").map(h -> h.value().trim())).orElse("");
  }
}
