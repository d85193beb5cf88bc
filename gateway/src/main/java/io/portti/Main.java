package io.portti;

import com.typesafe.config.ConfigFactory;

/** java -jar portti.jar: one node, configured by application.conf and GATEWAY_* environment variables. */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    // Below parallelism 2 the JDK runs every async CompletionStage step on a new thread; libraries
    // (Pekko's ask futures among them) use it. Must be set before anything touches the common pool.
    if (Runtime.getRuntime().availableProcessors() < 3
        && System.getProperty("java.util.concurrent.ForkJoinPool.common.parallelism") == null) {
      System.setProperty("java.util.concurrent.ForkJoinPool.common.parallelism", "2");
    }
    Gateway gateway = Gateway.start(ConfigFactory.load());
    Runtime.getRuntime().addShutdownHook(new Thread(gateway::close, "portti-shutdown"));
  }
}
