package io.portti.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A plain HTTP client for tests: JSON in, status + JSON (or text) out. */
public final class Http {
  public static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final String base;
  private final String bearer;

  public Http(int port, String bearer) {
    this.base = "http://127.0.0.1:" + port;
    this.bearer = bearer;
  }

  public record Reply(int status, String body, HttpResponse<String> raw) {
    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON (" + status + "): " + body, e);
      }
    }
  }

  public Reply get(String path) {
    return send(builder(path).GET(), Map.of());
  }

  public Reply post(String path, Object body) {
    return post(path, body, Map.of());
  }

  public Reply post(String path, Object body, Map<String, String> headers) {
    return send(builder(path).POST(HttpRequest.BodyPublishers.ofString(json(body))), headers);
  }

  public Reply put(String path, Object body) {
    return send(builder(path).PUT(HttpRequest.BodyPublishers.ofString(json(body))), Map.of());
  }

  public Reply patch(String path, Object body) {
    return send(builder(path).method("PATCH", HttpRequest.BodyPublishers.ofString(json(body))), Map.of());
  }

  public Reply delete(String path) {
    return send(builder(path).DELETE(), Map.of());
  }

  private HttpRequest.Builder builder(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json");
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    return b;
  }

  private static String json(Object body) {
    try {
      return body instanceof String s ? s : JSON.writeValueAsString(body);
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static Reply send(HttpRequest.Builder builder, Map<String, String> headers) {
    headers.forEach(builder::header);
    try {
      HttpResponse<String> response = CLIENT.send(builder.build(), HttpResponse.BodyHandlers.ofString());
      return new Reply(response.statusCode(), response.body(), response);
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
