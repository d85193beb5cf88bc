package io.portti.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.portti.billing.RequestCharge;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The wallet: top-ups and charges are exact and applied once each, and survive recovery. */
class AccountTest {
  private static final ActorTestKit testKit = ActorTestKit.create(
      EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.parseResources("serialization.conf")));

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void topUpsAndChargesAreExactAndIdempotent() {
    var account = EventSourcedBehaviorTestKit.<Account.Command, Account.Event, Account.State>create(
        testKit.system(), Account.create("user_a"));
    assertFalse(account.<StatusReply<Account.Summary>>runCommand(Account.Get::new).reply().isSuccess());
    account.<StatusReply<Account.Summary>>runCommand(r -> new Account.Open("a", null, "default", 1, r));

    var first = account.<StatusReply<Account.TopUpReceipt>>runCommand(r -> new Account.TopUp("idem-1", "tx_1", 5_000_000_000L, 2, r));
    assertEquals(5_000_000_000L, first.reply().getValue().newBalanceNanos());
    var retry = account.<StatusReply<Account.TopUpReceipt>>runCommand(r -> new Account.TopUp("idem-1", "tx_2", 5_000_000_000L, 3, r));
    assertTrue(retry.events().isEmpty(), "same Idempotency-Key: same receipt, no second top-up");
    assertEquals("tx_1", retry.reply().getValue().transactionId());

    RequestCharge charge = new RequestCharge("req_1", "user_a", "tok_1", "ch_1", "m", "/v1/chat/completions", 12, 16, 17_100, "success", 4);
    var charged = account.<StatusReply<Done>>runCommand(r -> new Account.Charge(List.of(charge, charge), r));
    assertEquals(1, charged.events().size(), "a request repeated within one batch is charged once");
    assertTrue(account.<StatusReply<Done>>runCommand(r -> new Account.Charge(List.of(charge), r)).events().isEmpty());
    assertEquals(5_000_000_000L - 17_100, account.getState().summary().balanceNanos());

    account.restart();
    Account.Funds funds = account.<Account.Funds>runCommand(Account.CheckFunds::new).reply();
    assertEquals(5_000_000_000L - 17_100, funds.balanceNanos());
    assertEquals("default", funds.group());
  }
}
