package io.portti.bench;

/** The one chat completion every benchmark request sends, and how to tell that its answer arrived whole. */
record ChatCall(boolean stream) {

  static final String MODEL = "gpt-4o-mini";

  private static final String MESSAGES = "\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}]";

  String body() {
    return stream
        // Portti asks its upstream for the usage chunk anyway; asking for it directly keeps both streams alike.
        ? "{\"model\":\"" + MODEL + "\"," + MESSAGES + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}"
        : "{\"model\":\"" + MODEL + "\"," + MESSAGES + "}";
  }

  /** Cheap on purpose: the load generator must not spend its CPU parsing answers. */
  boolean isWhole(String responseBody) {
    return stream ? responseBody.endsWith("data: [DONE]\n\n") : responseBody.contains("\"choices\"");
  }

  String describe() {
    return stream ? "stream, whole SSE body read" : "non-stream";
  }
}
