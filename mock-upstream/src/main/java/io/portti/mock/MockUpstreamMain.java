package io.portti.mock;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the mock standalone until killed:
 * {@code java -jar mock-upstream-all.jar [--host H] [--port N] [--answer-tokens N] [--chunk-delay-ms N] [--failure F]}.
 * The port defaults to {@code MOCK_PORT}, then 9090; the host to {@code MOCK_HOST}, then 127.0.0.1.
 */
public final class MockUpstreamMain {

  private static final Logger log = LoggerFactory.getLogger(MockUpstreamMain.class);
  private static final int DEFAULT_PORT = 9090;
  private static final String USAGE = "usage: mock-upstream [--host HOST] [--port N] [--answer-tokens N]"
      + " [--chunk-delay-ms N] [--failure NONE|ERROR_500|ERROR_429|HANG|CUT_STREAM]";

  private MockUpstreamMain() {}

  public static void main(String[] args) {
    String host = MockUpstream.LOOPBACK;
    int port = DEFAULT_PORT;
    MockBehaviour behaviour = MockBehaviour.defaults();
    // Environment settings go first so that flags, read later, win.
    List<String> options = new ArrayList<>();
    addFromEnv("MOCK_HOST", "--host", options);
    addFromEnv("MOCK_PORT", "--port", options);
    options.addAll(List.of(args));
    for (int i = 0; i < options.size(); i++) {
      String flag = options.get(i);
      if (flag.equals("--help") || flag.equals("-h")) {
        System.out.println(USAGE);
        return;
      }
      if (i + 1 >= options.size()) exitWithUsage(flag + " needs a value");
      String value = options.get(++i);
      try {
        switch (flag) {
          case "--host" -> host = value;
          case "--port" -> port = Integer.parseInt(value);
          case "--answer-tokens" -> behaviour = behaviour.withAnswerTokens(Integer.parseInt(value));
          case "--chunk-delay-ms" -> behaviour = behaviour.withChunkDelayMillis(Long.parseLong(value));
          case "--failure" -> behaviour =
              behaviour.withFailure(MockBehaviour.Failure.valueOf(value.toUpperCase(Locale.ROOT)));
          default -> exitWithUsage("unknown option " + flag);
        }
      } catch (IllegalArgumentException e) {
        exitWithUsage("bad value for " + flag + ": " + value);
      }
    }
    // Pekko's coordinated shutdown terminates the system on SIGTERM; its threads keep the JVM up until then.
    MockUpstream mock = MockUpstream.start(host, port, behaviour);
    log.info("Mock upstream listening on {}", mock.baseUrl());
  }

  private static void exitWithUsage(String problem) {
    System.err.println(problem);
    System.err.println(USAGE);
    System.exit(2);
  }

  private static void addFromEnv(String variable, String flag, List<String> options) {
    String value = System.getenv(variable);
    if (value != null && !value.isBlank()) options.addAll(List.of(flag, value));
  }
}
