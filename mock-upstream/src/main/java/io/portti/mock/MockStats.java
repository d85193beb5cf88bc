package io.portti.mock;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A snapshot of what the mock has seen since it started or since the last reset.
 *
 * @param requests          chat completion requests received, whatever their outcome
 * @param completedStreams  streams that emitted every event up to {@code [DONE]}
 * @param cancelledStreams  streams the client abandoned before they finished
 * @param lastAuthorization raw {@code Authorization} header of the last chat completion request, or null
 * @param lastModel         {@code model} of the last chat completion request, or null
 * @param lastRequestBody   raw body of the last chat completion request, or null
 */
public record MockStats(
    long requests,
    long completedStreams,
    long cancelledStreams,
    String lastAuthorization,
    String lastModel,
    String lastRequestBody) {

  public ObjectNode toJson() {
    ObjectNode json = MockJson.MAPPER.createObjectNode();
    json.put("requests", requests);
    json.put("completed_streams", completedStreams);
    json.put("cancelled_streams", cancelledStreams);
    json.put("last_authorization", lastAuthorization);
    json.put("last_model", lastModel);
    json.put("last_request_body", lastRequestBody);
    return json;
  }
}
