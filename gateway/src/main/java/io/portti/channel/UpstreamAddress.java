package io.portti.channel;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Set;

/**
 * Checks a base URL an admin gives a channel: http or https, and, unless private upstreams are
 * allowed, not a link-local or cloud metadata address, where a request from the gateway could
 * read the host's credentials (SSRF). Loopback and private networks stay allowed: self-hosted
 * models live there. Only literal addresses and known metadata names are checked; a name that
 * resolves to a metadata address later is not.
 */
public final class UpstreamAddress {
  private static final Set<String> METADATA_HOSTS = Set.of("metadata", "metadata.google.internal",
      "metadata.goog", "100.100.100.200", "fd00:ec2::254");

  private UpstreamAddress() {}

  /** Why the URL is refused, or null when it is acceptable. */
  public static String refusal(String baseUrl, boolean allowPrivate) {
    URI uri;
    try {
      uri = new URI(baseUrl);
    } catch (URISyntaxException e) {
      return "`base_url` is not a valid URL.";
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
      return "`base_url` must be an http or https URL.";
    }
    if (allowPrivate) {
      return null;
    }
    String host = uri.getHost().toLowerCase(Locale.ROOT);
    String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (METADATA_HOSTS.contains(bare)) {
      return "`base_url` points at a cloud metadata service; set GATEWAY_ALLOW_PRIVATE_UPSTREAMS=true to allow it.";
    }
    if (isLiteral(bare)) {
      try {
        InetAddress address = InetAddress.getByName(bare);
        if (address.isLinkLocalAddress() || address.isAnyLocalAddress() || address.isMulticastAddress()) {
          return "`base_url` points at a link-local, wildcard or multicast address; set "
              + "GATEWAY_ALLOW_PRIVATE_UPSTREAMS=true to allow it.";
        }
      } catch (UnknownHostException e) {
        return "`base_url` has an invalid address.";
      }
    }
    return null;
  }

  /** An IP literal: getByName then does no DNS lookup. */
  private static boolean isLiteral(String host) {
    return host.contains(":") || host.matches("[0-9.]+");
  }
}
