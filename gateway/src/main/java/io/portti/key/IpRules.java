package io.portti.key;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** An IP allow-list of exact addresses and CIDR ranges, IPv4 and IPv6; empty allows all. */
public final class IpRules {
  private IpRules() {}

  /** Null when every entry is valid, else a message naming the bad one. */
  public static String invalidEntry(List<String> rules) {
    for (String rule : rules) {
      if (parse(rule) == null) {
        return "invalid IP or CIDR in ip_whitelist: " + rule;
      }
    }
    return null;
  }

  public static boolean allows(List<String> rules, String clientIp) {
    if (rules.isEmpty()) {
      return true;
    }
    byte[] client = literal(clientIp);
    if (client == null) {
      return false;
    }
    for (String rule : rules) {
      Range range = parse(rule);
      if (range != null && range.contains(client)) {
        return true;
      }
    }
    return false;
  }

  private record Range(byte[] network, int prefixBits) {
    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int full = prefixBits / 8;
      for (int i = 0; i < full; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = prefixBits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xFF << (8 - rest)) & 0xFF;
      return (address[full] & mask) == (network[full] & mask);
    }
  }

  private static Range parse(String rule) {
    String[] parts = rule.trim().split("/", 2);
    byte[] network = literal(parts[0]);
    if (network == null) {
      return null;
    }
    int bits = network.length * 8;
    if (parts.length == 2) {
      try {
        bits = Integer.parseInt(parts[1]);
      } catch (NumberFormatException e) {
        return null;
      }
      if (bits < 0 || bits > network.length * 8) {
        return null;
      }
    }
    return new Range(network, bits);
  }

  /** Parses an IP literal without ever resolving a host name. */
  private static byte[] literal(String ip) {
    if (ip == null || ip.isEmpty() || !(ip.contains(":") || ip.matches("[0-9.]+"))) {
      return null;
    }
    try {
      return InetAddress.getByName(ip).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
