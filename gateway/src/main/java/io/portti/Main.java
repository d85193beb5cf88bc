package io.portti;

import com.typesafe.config.ConfigFactory;

/** java -jar portti.jar: one node, configured by application.conf and GATEWAY_* environment variables. */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    Gateway gateway = Gateway.start(ConfigFactory.load());
    Runtime.getRuntime().addShutdownHook(new Thread(gateway::close, "portti-shutdown"));
  }
}
