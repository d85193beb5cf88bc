package io.portti.admin;

import com.fasterxml.jackson.databind.JsonNode;
import io.portti.admin.AdminDirectives.BadInput;
import io.portti.billing.Money;
import java.math.BigDecimal;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reading typed fields out of management JSON bodies, with messages that name the field. */
public final class AdminFields {
  private static final String ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";
  private static final SecureRandom RANDOM = new SecureRandom();

  private AdminFields() {}

  /** A fresh public id such as user_k3j9...: prefix and 16 random characters. */
  public static String newId(String prefix) {
    StringBuilder id = new StringBuilder(prefix);
    for (int i = 0; i < 16; i++) {
      id.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
    }
    return id.toString();
  }

  public static String requiredText(JsonNode body, String field) {
    String value = optionalText(body, field, null);
    if (value == null || value.isBlank()) {
      throw new BadInput("`" + field + "` is required and must be a non-empty string.");
    }
    return value;
  }

  public static String optionalText(JsonNode body, String field, String orElse) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return orElse;
    }
    if (!node.isTextual()) {
      throw new BadInput("`" + field + "` must be a string.");
    }
    return node.asText();
  }

  /** A money amount given as a JSON number or numeric string, exact to the nano-unit. */
  public static Long optionalMoney(JsonNode body, String field) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    try {
      BigDecimal amount = node.isNumber() ? node.decimalValue() : new BigDecimal(node.asText());
      if (amount.signum() < 0) {
        throw new BadInput("`" + field + "` must not be negative.");
      }
      return Money.nanos(amount);
    } catch (NumberFormatException e) {
      throw new BadInput("`" + field + "` must be a number.");
    } catch (IllegalArgumentException e) {
      throw new BadInput("`" + field + "`: " + e.getMessage());
    }
  }

  public static long requiredMoney(JsonNode body, String field) {
    Long nanos = optionalMoney(body, field);
    if (nanos == null) {
      throw new BadInput("`" + field + "` is required.");
    }
    return nanos;
  }

  public static BigDecimal requiredDecimal(JsonNode body, String field) {
    JsonNode node = body.get(field);
    if (node == null || !(node.isNumber() || node.isTextual())) {
      throw new BadInput("`" + field + "` is required and must be a number.");
    }
    try {
      return node.isNumber() ? node.decimalValue() : new BigDecimal(node.asText());
    } catch (NumberFormatException e) {
      throw new BadInput("`" + field + "` must be a number.");
    }
  }

  public static int optionalInt(JsonNode body, String field, int orElse) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return orElse;
    }
    if (!node.canConvertToInt() || !node.isIntegralNumber()) {
      throw new BadInput("`" + field + "` must be an integer.");
    }
    return node.intValue();
  }

  public static List<String> optionalTextList(JsonNode body, String field) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (node.isTextual()) {
      // new-api style: a comma-separated string
      return node.asText().isBlank() ? List.of() : List.of(node.asText().split("\\s*,\\s*"));
    }
    if (!node.isArray()) {
      throw new BadInput("`" + field + "` must be an array of strings.");
    }
    List<String> values = new ArrayList<>();
    for (JsonNode item : node) {
      if (!item.isTextual() || item.asText().isBlank()) {
        throw new BadInput("`" + field + "` must be an array of non-empty strings.");
      }
      values.add(item.asText());
    }
    return List.copyOf(values);
  }

  public static Map<String, String> optionalTextMap(JsonNode body, String field) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return Map.of();
    }
    if (!node.isObject()) {
      throw new BadInput("`" + field + "` must be an object of strings.");
    }
    Map<String, String> values = new LinkedHashMap<>();
    node.fields().forEachRemaining(e -> {
      if (!e.getValue().isTextual()) {
        throw new BadInput("`" + field + "." + e.getKey() + "` must be a string.");
      }
      values.put(e.getKey(), e.getValue().asText());
    });
    return Map.copyOf(values);
  }

  /** An instant as epoch seconds or an ISO-8601 timestamp; null when absent. */
  public static Long optionalInstantMillis(JsonNode body, String field) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isIntegralNumber()) {
      return node.longValue() * 1000;
    }
    try {
      return Instant.parse(node.asText()).toEpochMilli();
    } catch (DateTimeParseException e) {
      throw new BadInput("`" + field + "` must be epoch seconds or an ISO-8601 timestamp.");
    }
  }

  public static String timestamp(long epochMillis) {
    return Instant.ofEpochMilli(epochMillis).toString();
  }
}
