package io.portti;

import com.typesafe.config.ConfigFactory;
import io.portti.billing.GroupMultiplier;
import io.portti.billing.Price;
import io.portti.billing.PriceList;
import io.portti.billing.RequestCharge;
import io.portti.channel.Channel;
import io.portti.channel.ChannelConfig;
import io.portti.channel.ChannelHealth;
import io.portti.channel.Probe;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Round-trips what the entity tests do not: the PriceList and Channel events and states, and the
 * values replicated to every node. (ApiKeyTest and AccountTest check their entities' messages.)
 */
class SerializationTest {
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseResources("serialization.conf")
      .withFallback(ConfigFactory.parseString("pekko.actor.serialize-messages = off")));
  private static final SerializationTestKit serialization = new SerializationTestKit(testKit.system());

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void replicatedValuesEventsAndStatesRoundTrip() {
    Price price = new Price(150_000_000, 600_000_000, 0);
    ChannelConfig channel = new ChannelConfig("ch_1", "main", "openai", "http://127.0.0.1:9090/v1", "sk-up",
        List.of("gpt-4o-mini"), Map.of("gpt-4o-mini", "gpt-4o-mini-2024-07-18"), List.of("vip"), 0, 10,
        new ChannelConfig.Limits(60, 100_000, price), true, 1_000);
    ChannelHealth open = new ChannelHealth(ChannelHealth.Circuit.OPEN, 2_000, "HTTP 500", 3_000);
    Channel.Spend spend = new Channel.Spend(2, 30, 40, 5_000);
    for (Object message : List.of(
        price,
        new GroupMultiplier(new BigDecimal("0.85")),
        channel,
        new Channel.Created("ch_1", channel),
        new Channel.State(channel, false, open, spend),
        new Channel.SpendRecorded("ch_1", spend, 2_000),
        open,
        new Channel.CircuitOpened("ch_1", "HTTP 500", 2_000),
        new Channel.Updated("ch_1", channel),
        new Channel.Status(channel, open, new Channel.Stats(10, 3, 120, 3, 10, 500), spend),
        new Probe.Result(true, 200, 35, null),
        new PriceList.PriceSet("gpt-4o-mini", price),
        new PriceList.GroupMultiplierSet("vip", new BigDecimal("0.5")),
        new PriceList.State(Map.of("gpt-4o-mini", price), Map.of("vip", new BigDecimal("0.5"))),
        new RequestCharge("req_1", "user_1", "tok_1", "ch_1", "gpt-4o-mini", "/v1/chat/completions", 1, 2, 3, "success", 1, 4))) {
      serialization.verifySerialization(message, true);
    }
  }
}
