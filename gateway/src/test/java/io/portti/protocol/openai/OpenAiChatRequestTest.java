package io.portti.protocol.openai;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portti.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class OpenAiChatRequestTest {

  static final String MESSAGES = "[{\"role\":\"user\",\"content\":\"Hi\"}]";

  static final String RICH_BODY =
      "{\"model\":\"fast\",\"temperature\":0.7,\"top_p\":1e-3,\"seed\":9007199254740993,"
          + "\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
          + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Mikä tämä on? 🌍\"},"
          + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,iVBORw0K\","
          + "\"detail\":\"low\"}}]}],"
          + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"weather\","
          + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
          + "\"required\":[\"city\"]}}}],\"tool_choice\":\"auto\","
          + "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\","
          + "\"schema\":{\"type\":\"object\"}}},"
          + "\"x_vendor_extension\":{\"nested\":[null,true,1.5]},\"max_tokens\":100}";

  @Test
  void readsWhatTheGatewayNeeds() throws InvalidRequest {
    OpenAiChatRequest request =
        parse(
            "{\"model\":\"fast\",\"messages\":" + MESSAGES + ",\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true},"
                + "\"max_tokens\":50,\"max_completion_tokens\":70}");

    assertEquals("fast", request.model());
    assertTrue(request.stream());
    assertTrue(request.clientWantsUsage());
    assertEquals(OptionalInt.of(70), request.maxOutputTokens());
    assertEquals(json(MESSAGES), request.messages());
  }

  @Test
  void defaultsWhatTheClientLeftOut() throws InvalidRequest {
    OpenAiChatRequest request =
        parse("{\"model\":\"fast\",\"messages\":" + MESSAGES + ",\"stream\":null}");

    assertFalse(request.stream());
    assertFalse(request.clientWantsUsage());
    assertEquals(OptionalInt.empty(), request.maxOutputTokens());
    assertEquals(
        OptionalInt.of(5),
        parse("{\"model\":\"m\",\"max_tokens\":5,\"messages\":" + MESSAGES + "}")
            .maxOutputTokens());
  }

  @Test
  void refusesBadBodiesNamingTheParamAtFault() {
    String messages = ",\"messages\":" + MESSAGES;
    assertRefused("", null, "We could not parse the JSON body");
    assertRefused("{\"model\":", null, "We could not parse the JSON body");
    assertRefused("[1]", null, "We could not parse the JSON body");
    assertRefused("{\"model\":\"m\"" + messages + "} trailing", null, "We could not parse");
    assertRefused("{\"messages\":" + MESSAGES + "}", "model", "you must provide a model parameter");
    assertRefused("{\"model\":\"\"" + messages + "}", "model", "you must provide a model");
    assertRefused(
        "{\"model\":4" + messages + "}",
        "model",
        "Invalid type for 'model': expected a string, but got an integer instead.");
    assertRefused("{\"model\":\"m\"}", "messages", "Missing required parameter: 'messages'.");
    assertRefused(
        "{\"model\":\"m\",\"messages\":[]}", "messages", "Invalid 'messages': empty array.");
    assertRefused(
        "{\"model\":\"m\",\"messages\":{}}",
        "messages",
        "Invalid type for 'messages': expected an array, but got an object instead.");
    assertRefused(
        "{\"model\":\"m\"" + messages + ",\"stream\":\"yes\"}",
        "stream",
        "Invalid type for 'stream': expected a boolean, but got a string instead.");
    assertRefused(
        "{\"model\":\"m\"" + messages + ",\"stream\":true,\"stream_options\":true}",
        "stream_options",
        "Invalid type for 'stream_options': expected an object, but got a boolean instead.");
    assertRefused(
        "{\"model\":\"m\"" + messages + ",\"max_tokens\":0}",
        "max_tokens",
        "Invalid 'max_tokens': integer below minimum value. Expected a value >= 1, but got 0"
            + " instead.");
    assertRefused(
        "{\"model\":\"m\"" + messages + ",\"max_completion_tokens\":-99999999999}",
        "max_completion_tokens",
        "Invalid 'max_completion_tokens': integer below minimum value.");
    assertRefused(
        "{\"model\":\"m\"" + messages + ",\"max_tokens\":99999999999}",
        "max_tokens",
        "Invalid 'max_tokens': integer above maximum value. Expected a value <= 2147483647,");
    assertRefused(
        "{\"model\":\"m\"" + messages + ",\"max_tokens\":1.5}",
        "max_tokens",
        "Invalid type for 'max_tokens': expected an integer, but got a decimal instead.");
    assertRefused(
        "{\"model\":\"m\"" + messages + ",\"max_completion_tokens\":\"10\"}",
        "max_completion_tokens",
        "Invalid type for 'max_completion_tokens': expected an integer, but got a string");
  }

  @Test
  void forwardsEveryFieldButTheModelUntouched() throws InvalidRequest {
    OpenAiChatRequest request = parse(RICH_BODY);

    ObjectNode expected = (ObjectNode) json(RICH_BODY);
    expected.put("model", "gpt-4o-mini");
    JsonNode upstream = read(request.toUpstream("gpt-4o-mini"));
    assertEquals(expected, upstream);
    assertEquals(fieldNames(expected), fieldNames(upstream));
    assertEquals("9007199254740993", upstream.get("seed").asText());
  }

  @Test
  void asksTheUpstreamForUsageWhenStreaming() throws InvalidRequest {
    OpenAiChatRequest withOptions =
        parse(
            "{\"model\":\"fast\",\"stream\":true,\"messages\":" + MESSAGES + ","
                + "\"stream_options\":{\"include_usage\":false,\"include_obfuscation\":false}}");
    OpenAiChatRequest withoutOptions =
        parse("{\"model\":\"fast\",\"stream\":true,\"messages\":" + MESSAGES + "}");

    assertEquals(
        json("{\"include_usage\":true,\"include_obfuscation\":false}"),
        read(withOptions.toUpstream("gpt-4o")).get("stream_options"));
    assertEquals(
        json("{\"include_usage\":true}"),
        read(withoutOptions.toUpstream("gpt-4o")).get("stream_options"));
    assertFalse(withOptions.clientWantsUsage());
  }

  @Test
  void leavesANonStreamedRequestWithoutStreamOptions() throws InvalidRequest {
    OpenAiChatRequest request = parse(RICH_BODY);

    assertFalse(read(request.toUpstream("gpt-4o")).has("stream_options"));
  }

  @Test
  void keepsTheParsedBodyIntactAcrossUpstreams() throws InvalidRequest {
    OpenAiChatRequest request =
        parse("{\"model\":\"fast\",\"stream\":true,\"messages\":" + MESSAGES + "}");

    byte[] first = request.toUpstream("a");
    request.toUpstream("b");

    assertArrayEquals(first, request.toUpstream("a"));
    assertEquals("fast", request.model());
    assertEquals(json(MESSAGES), request.messages());
  }

  private static void assertRefused(String body, String param, String messageStart) {
    InvalidRequest refused = assertThrows(InvalidRequest.class, () -> parse(body), body);
    assertTrue(
        refused.getMessage().startsWith(messageStart),
        () -> body + " -> " + refused.getMessage());
    assertEquals(param, refused.param(), body);
  }

  private static OpenAiChatRequest parse(String body) throws InvalidRequest {
    return OpenAiChatRequest.parse(body.getBytes(StandardCharsets.UTF_8));
  }

  private static JsonNode json(String text) {
    return Json.readLenient(text);
  }

  private static JsonNode read(byte[] bytes) {
    return Json.readLenient(bytes);
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
