package io.portti.channel;

import java.util.List;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.Authorization;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/** Requests to an OpenAI-compatible upstream, authenticated with the channel's own key. */
public final class OpenAiUpstream {
  private OpenAiUpstream() {}

  public static HttpRequest chatCompletions(ChannelConfig channel, byte[] body, boolean stream) {
    return HttpRequest.POST(endpoint(channel.baseUrl(), "/chat/completions"))
        .addHeaders(List.of(
            Authorization.oauth2(channel.apiKey()),
            RawHeader.create("Accept", stream ? "text/event-stream" : "application/json")))
        .withEntity(ContentTypes.APPLICATION_JSON, body);
  }

  /** base_url may be given with or without its /v1 suffix. */
  static String endpoint(String baseUrl, String path) {
    String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    return (base.endsWith("/v1") ? base : base + "/v1") + path;
  }
}
