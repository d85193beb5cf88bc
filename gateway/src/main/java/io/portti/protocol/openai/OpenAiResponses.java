package io.portti.protocol.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portti.protocol.Json;
import io.portti.protocol.Usage;
import java.util.List;

/** Reads and rewrites OpenAI response bodies, and writes OpenAI error bodies. */
public final class OpenAiResponses {

  private OpenAiResponses() {}

  /** The usage a non-streamed answer reports; not reported when absent, null or unreadable. */
  public static Usage usageOf(byte[] responseBody) {
    return usageOf(Json.readLenient(responseBody));
  }

  /** The body with {@code model} set to the name the client asked for, the same bytes if it was. */
  public static byte[] withModel(byte[] responseBody, String clientModel) {
    JsonNode response = Json.readLenient(responseBody);
    if (response instanceof ObjectNode object && rewriteModel(object, clientModel)) {
      return Json.toBytes(object);
    }
    return responseBody;
  }

  /** An OpenAI error body; {@code code} may be null. */
  public static byte[] error(String message, String type, String code) {
    return Json.toBytes(errorNode(message, type, null, code));
  }

  /** The OpenAI error body for a request the gateway refused, naming the param at fault. */
  public static byte[] error(InvalidRequest invalid) {
    return Json.toBytes(
        errorNode(invalid.getMessage(), "invalid_request_error", invalid.param(), null));
  }

  /** The body of GET /v1/models for these model ids. */
  public static byte[] modelList(List<String> modelIds) {
    ObjectNode list = JsonNodeFactory.instance.objectNode().put("object", "list");
    ArrayNode data = list.putArray("data");
    for (String id : modelIds) {
      data.addObject().put("id", id).put("object", "model").put("created", 0).put("owned_by", "portti");
    }
    return Json.toBytes(list);
  }

  /** Reads the {@code usage} object that answers and stream chunks share. */
  static Usage usageOf(JsonNode response) {
    JsonNode usage = response.path("usage");
    if (!usage.isObject()) {
      return Usage.NOT_REPORTED;
    }
    return new Usage(
        usage.path("prompt_tokens").asInt(0), usage.path("completion_tokens").asInt(0), true);
  }

  /** Sets {@code model} to the client's name where it names another; true if it changed. */
  static boolean rewriteModel(ObjectNode response, String clientModel) {
    JsonNode model = response.get("model");
    if (model == null || !model.isTextual() || model.textValue().equals(clientModel)) {
      return false;
    }
    response.put("model", clientModel);
    return true;
  }

  static ObjectNode errorNode(String message, String type, String param, String code) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.putObject("error")
        .put("message", message)
        .put("type", type)
        .put("param", param)
        .put("code", code);
    return body;
  }
}
