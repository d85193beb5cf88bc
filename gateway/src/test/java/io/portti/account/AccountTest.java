package io.portti.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The wallet: top-ups, free grants and leases are exact, applied once each, and survive recovery. */
class AccountTest {
  private static final ActorTestKit testKit = ActorTestKit.create(
      EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.parseResources("serialization.conf")));
  private static final Duration LEASE_TERM = Duration.ofMinutes(5);

  private final AtomicLong now = new AtomicLong(1_000);
  private EventSourcedBehaviorTestKit<Account.Command, Account.Event, Account.State> account;

  @BeforeEach
  void open() {
    account = EventSourcedBehaviorTestKit.create(testKit.system(), Account.create("user_a", LEASE_TERM, now::get));
    assertFalse(account.<StatusReply<Account.Summary>>runCommand(Account.Get::new).reply().isSuccess());
    account.<StatusReply<Account.Summary>>runCommand(r -> new Account.Open("a", null, "vip", 1, r));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private void topUp(long amount) {
    account.<StatusReply<Account.TopUpReceipt>>runCommand(r -> new Account.TopUp("t" + amount, "tx", amount, 2, r));
  }

  private StatusReply<Account.LeaseTerms> reconcile(String key, long seq, long spent, long delta) {
    return account.<StatusReply<Account.LeaseTerms>>runCommand(
        r -> new Account.Reconcile(key, seq, spent, 1, delta, r)).reply();
  }

  private Account.Summary summary() {
    return account.<StatusReply<Account.Summary>>runCommand(Account.Get::new).reply().getValue();
  }

  @Test
  void topUpsAreExactAndIdempotent() {
    var first = account.<StatusReply<Account.TopUpReceipt>>runCommand(r -> new Account.TopUp("idem-1", "tx_1", 5_000_000_000L, 2, r));
    assertEquals(5_000_000_000L, first.reply().getValue().newBalanceNanos());
    var retry = account.<StatusReply<Account.TopUpReceipt>>runCommand(r -> new Account.TopUp("idem-1", "tx_2", 5_000_000_000L, 3, r));
    assertTrue(retry.events().isEmpty(), "same Idempotency-Key: same receipt, no second top-up");
    assertEquals("tx_1", retry.reply().getValue().transactionId());

    account.restart();
    assertEquals(5_000_000_000L, summary().balanceNanos());
  }

  @Test
  void leasesNeverExceedTheBalanceAndReportsApplyOnce() {
    topUp(100);
    Account.LeaseTerms a = reconcile("tok_a", 1, 0, 60).getValue();
    assertEquals(60, a.grantedNanos());
    assertEquals("vip", a.group());
    assertEquals(now.get() + LEASE_TERM.toMillis(), a.expiresAt());
    assertEquals(40, reconcile("tok_b", 1, 0, 60).getValue().grantedNanos(), "only what is not leased yet");
    assertEquals(0, reconcile("tok_b", 2, 0, 60).getValue().grantedNanos());

    // Key a spent 50 of its 60 and asks for 30 more: the account holds 50, of which b holds 40.
    var report = account.<StatusReply<Account.LeaseTerms>>runCommand(r -> new Account.Reconcile("tok_a", 2, 50, 3, 30, r));
    assertEquals(1, report.events().size());
    assertEquals(0, report.reply().getValue().grantedNanos());
    var repeated = account.<StatusReply<Account.LeaseTerms>>runCommand(r -> new Account.Reconcile("tok_a", 2, 50, 3, 30, r));
    assertTrue(repeated.events().isEmpty(), "a resent report is answered again, not applied twice");
    assertEquals(report.reply().getValue(), repeated.reply().getValue());
    assertTrue(reconcile("tok_a", 1, 0, 60).isError(), "an older report is refused");

    // Key b gives all but 10 back; key a then gets it.
    assertEquals(-30, reconcile("tok_b", 3, 0, -30).getValue().grantedNanos());
    assertEquals(30, reconcile("tok_a", 3, 0, 40).getValue().grantedNanos());
    Account.Summary s = summary();
    assertEquals(50, s.balanceNanos());
    assertEquals(50, s.leasedNanos());
    assertEquals(50, s.spentNanos());
    assertEquals(8, s.requests());

    account.restart();
    assertEquals(s, summary());
  }

  @Test
  void aKeyThatOverspentIsOwedNothingUntilItsDebtIsCovered() {
    topUp(100);
    reconcile("tok_a", 1, 0, 100);
    // Its requests cost 110 against its 100: the balance goes 10 below zero, by the under-estimate.
    assertEquals(0, reconcile("tok_a", 2, 110, 50).getValue().grantedNanos());
    assertEquals(-10, summary().balanceNanos());
    topUp(30);
    assertEquals(30, reconcile("tok_a", 3, 0, 50).getValue().grantedNanos(), "10 cover the key's debt, 20 are new credit");
    assertEquals(20, summary().leasedNanos());
  }

  @Test
  void freeCreditIsSpentFirstAndExpires() {
    topUp(100);
    var grant = account.<StatusReply<Account.TopUpReceipt>>runCommand(
        r -> new Account.GrantFree("g1", "tx_free", 50, 10_000, 2, r));
    assertEquals(150, grant.reply().getValue().newBalanceNanos());
    Account.LeaseTerms terms = reconcile("tok_a", 1, 0, 80).getValue();
    assertEquals(80, terms.grantedNanos());
    assertEquals(10_000, terms.expiresAt(), "a lease does not outlive the free credit behind it");

    reconcile("tok_a", 2, 30, 0);
    Account.Summary spent = summary();
    assertEquals(20, spent.freeNanos(), "free credit is spent before paid credit");
    assertEquals(100, spent.paidNanos());

    now.set(10_000);
    var read = account.<StatusReply<Account.Summary>>runCommand(Account.Get::new);
    Account.FreeExpired expired = assertInstanceOf(Account.FreeExpired.class, read.events().get(0));
    assertEquals(20, expired.amountNanos());
    assertEquals(100, read.reply().getValue().balanceNanos(), "what expired is gone; paid credit stays");
    assertEquals(0, read.reply().getValue().freeGrants().size());
    // The key still holds 50 of a lease that counted on the free credit: the account takes 0 more from paid.
    assertEquals(50, reconcile("tok_a", 3, 0, 60).getValue().grantedNanos());
    assertEquals(100, summary().leasedNanos());
  }
}
