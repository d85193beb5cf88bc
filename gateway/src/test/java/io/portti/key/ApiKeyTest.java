package io.portti.key;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.portti.account.Account;
import io.portti.billing.GroupMultiplier;
import io.portti.billing.Price;
import io.portti.billing.RequestCharge;
import io.portti.testkit.Eventually;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The key entity against a real Account entity: rules, reservations from a lease, settlement
 * once per request, expiry of unsettled reservations, and credit given back when idle. Every
 * message's serialization is checked.
 */
class ApiKeyTest {
  private static final ActorTestKit testKit = ActorTestKit.create(
      EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.parseResources("serialization.conf")));
  private static final String SECRET = ApiKeySecret.generate();
  private static final String HASH = ApiKeySecret.hash(SECRET);
  private static final String KEY_ID = ApiKeySecret.idOf(HASH);
  /** One nano-unit per token, in and out: a request's cost is its token count. */
  private static final Price PRICE = new Price(1_000_000, 1_000_000, 0);
  private static final ApiKey.Settings SETTINGS = new ApiKey.Settings(2, Duration.ofSeconds(1), Duration.ofMinutes(30),
      Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofHours(1), Duration.ofSeconds(3), Duration.ofMinutes(10));

  private final AtomicLong now = new AtomicLong(1_000);
  private String accountId;
  private ActorRef<Account.Command> account;
  private EventSourcedBehaviorTestKit<ApiKey.Command, ApiKey.Event, ApiKey.State> key;

  @BeforeEach
  void fresh() {
    accountId = "user_" + UUID.randomUUID();
    account = testKit.spawn(Account.create(accountId, Duration.ofMinutes(5), now::get));
    var opened = testKit.<StatusReply<Account.Summary>>createTestProbe();
    account.tell(new Account.Open("a", null, "default", 1, opened.ref()));
    opened.receiveMessage();
    key = EventSourcedBehaviorTestKit.create(testKit.system(), ApiKey.create(KEY_ID, SETTINGS,
        group -> GroupMultiplier.LIST_PRICE, id -> account, now::get, null));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private void issue(Long quota, Long expiresAt, List<String> models, List<String> ips, int rpm) {
    var result = key.<StatusReply<ApiKey.View>>runCommand(r -> new ApiKey.Issue(
        new ApiKey.Rules(accountId, "default", "k", HASH, quota, expiresAt, models, ips, rpm, 1_000), r));
    assertTrue(result.reply().isSuccess());
  }

  private void topUp(long amount) {
    var probe = testKit.<StatusReply<Account.TopUpReceipt>>createTestProbe();
    account.tell(new Account.TopUp(UUID.randomUUID().toString(), "tx", amount, 1, probe.ref()));
    assertTrue(probe.receiveMessage().isSuccess());
  }

  private Account.Summary accountSummary() {
    var probe = testKit.<StatusReply<Account.Summary>>createTestProbe();
    account.tell(new Account.Get(probe.ref()));
    return probe.receiveMessage().getValue();
  }

  private static ApiKey.Request request(String requestId, String hash, String model, String ip, int prompt, int completion) {
    return new ApiKey.Request(requestId, "/v1/chat/completions", hash, model, ip,
        new ApiKey.Estimate(prompt, completion, PRICE));
  }

  private ApiKey.Authorization authorize(ApiKey.Request request) {
    return authorizeAll(List.of(request)).get(0);
  }

  private List<ApiKey.Authorization> authorizeAll(List<ApiKey.Request> requests) {
    return key.<ApiKey.Decisions>runCommand(r -> new ApiKey.Authorize(requests, r)).reply().decisions();
  }

  /** A request that reserves nothing: only the key's rules decide. */
  private ApiKey.Authorization check(String hash, String model, String ip) {
    return authorize(new ApiKey.Request(null, "/v1/models", hash, model, ip, null));
  }

  private ApiKey.Denial denial(ApiKey.Authorization a) {
    return assertInstanceOf(ApiKey.Denied.class, a).reason();
  }

  private RequestCharge charge(String requestId, int prompt, int completion) {
    return new RequestCharge(requestId, accountId, KEY_ID, "ch_1", "m", "/v1/chat/completions", prompt, completion,
        prompt + completion, "success", 1, now.get());
  }

  @Test
  void unissuedKeyAndWrongHashAreInvalid() {
    assertEquals(ApiKey.Denial.INVALID_KEY, denial(check(HASH, "m", "1.2.3.4")));
    issue(null, null, List.of(), List.of(), 0);
    assertEquals(ApiKey.Denial.INVALID_KEY, denial(check(ApiKeySecret.hash("sk-other"), "m", "1.2.3.4")));
    assertInstanceOf(ApiKey.Granted.class, check(HASH, "m", "1.2.3.4"));
  }

  @Test
  void rulesAreEnforcedInOrder() {
    issue(null, 5_000L, List.of("gpt-4o"), List.of("10.0.0.0/8"), 0);
    assertEquals(ApiKey.Denial.MODEL_NOT_ALLOWED, denial(check(HASH, "gpt-3.5", "10.1.1.1")));
    assertEquals(ApiKey.Denial.IP_NOT_ALLOWED, denial(check(HASH, "gpt-4o", "192.168.1.1")));
    assertInstanceOf(ApiKey.Granted.class, check(HASH, "gpt-4o", "10.1.1.1"));
    key.<StatusReply<ApiKey.View>>runCommand(r -> new ApiKey.SetEnabled(false, 2, r));
    assertEquals(ApiKey.Denial.DISABLED, denial(check(HASH, "gpt-4o", "10.1.1.1")));
    key.<StatusReply<ApiKey.View>>runCommand(r -> new ApiKey.SetEnabled(true, 3, r));
    now.set(5_000);
    assertEquals(ApiKey.Denial.EXPIRED, denial(check(HASH, "gpt-4o", "10.1.1.1")));
  }

  @Test
  void rpmWindowSlidesOverOneMinute() {
    issue(null, null, List.of(), List.of(), 2);
    now.set(0);
    assertInstanceOf(ApiKey.Granted.class, check(HASH, "m", ""));
    now.set(10_000);
    assertInstanceOf(ApiKey.Granted.class, check(HASH, "m", ""));
    now.set(20_000);
    ApiKey.Denied denied = assertInstanceOf(ApiKey.Denied.class, check(HASH, "m", ""));
    assertEquals(ApiKey.Denial.RATE_LIMITED, denied.reason());
    assertEquals(40, denied.retryAfterSeconds());
    now.set(60_000);
    assertInstanceOf(ApiKey.Granted.class, check(HASH, "m", ""));
    assertInstanceOf(ApiKey.Granted.class, check(HASH, null, ""), "listing models is not a request");
  }

  @Test
  void reservationsComeFromALeaseThatNeverExceedsTheBalance() {
    issue(null, null, List.of(), List.of(), 0);
    topUp(100);
    // Each request reserves 30 (10 prompt + 20 completion); a lease covers 2 of them.
    ApiKey.Granted first = assertInstanceOf(ApiKey.Granted.class, authorize(request("r1", HASH, "m", "", 10, 20)));
    assertEquals(30, first.reservedNanos());
    assertEquals(60, key.getState().lease().balanceNanos());
    List<ApiKey.Authorization> batch = authorizeAll(List.of(request("r2", HASH, "m", "", 10, 20),
        request("r3", HASH, "m", "", 10, 20), request("r4", HASH, "m", "", 10, 20)));
    assertInstanceOf(ApiKey.Granted.class, batch.get(0));
    assertInstanceOf(ApiKey.Granted.class, batch.get(1), "the account leased its last 40");
    assertEquals(ApiKey.Denial.INSUFFICIENT_FUNDS, denial(batch.get(2)));
    assertEquals(90, key.getState().reservations().totalNanos());
    assertEquals(100, accountSummary().leasedNanos());

    // Settled below their reservations: r1 and r2 free 18 and 15, enough for one more.
    var settled = key.<StatusReply<Done>>runCommand(r -> new ApiKey.Settle(List.of(charge("r1", 10, 2), charge("r2", 10, 5),
        charge("r1", 10, 2)), r));
    assertEquals(2, settled.events().size(), "a request repeated within a batch is settled once");
    assertTrue(key.<StatusReply<Done>>runCommand(r -> new ApiKey.Settle(List.of(charge("r1", 10, 2)), r)).events().isEmpty(),
        "a retried settlement is acknowledged, not applied twice");
    now.addAndGet(SETTINGS.leaseRetry().toMillis());
    assertInstanceOf(ApiKey.Granted.class, authorize(request("r5", HASH, "m", "", 10, 20)));
    key.<StatusReply<Done>>runCommand(r -> new ApiKey.Settle(List.of(charge("r3", 10, 20), charge("r5", 10, 1)), r));

    key.restart();
    ApiKey.State state = key.getState();
    assertEquals(12 + 15 + 30 + 11, state.totals().usedNanos(), "recovered from the journal");
    assertEquals(4, state.totals().requests());
    assertTrue(state.reservations().isEmpty());
    assertTrue(key.<StatusReply<Done>>runCommand(r -> new ApiKey.Settle(List.of(charge("r2", 10, 5)), r)).events().isEmpty(),
        "dedup survives recovery");

    // Idle: the key reports what it spent and gives the rest back.
    now.addAndGet(SETTINGS.idleReturn().toMillis());
    key.runCommand(ApiKey.Tick.INSTANCE);
    Eventually.await(Duration.ofSeconds(5), () -> {
      assertNull(key.getState().lease().pending());
      return null;
    });
    assertEquals(0, key.getState().lease().balanceNanos());
    Account.Summary summary = accountSummary();
    assertEquals(100 - 68, summary.balanceNanos(), "the balance is the top-up less what was used");
    assertEquals(0, summary.leasedNanos());
    assertEquals(4, summary.requests());
  }

  @Test
  void quotaCoversReservationsNotJustSpending() {
    issue(50L, null, List.of(), List.of(), 0);
    topUp(1_000);
    assertInstanceOf(ApiKey.Granted.class, authorize(request("r1", HASH, "m", "", 10, 20)));
    assertEquals(ApiKey.Denial.QUOTA_EXHAUSTED, denial(authorize(request("r2", HASH, "m", "", 10, 20))));
    key.<StatusReply<Done>>runCommand(r -> new ApiKey.Settle(List.of(charge("r1", 10, 10)), r));
    assertInstanceOf(ApiKey.Granted.class, authorize(request("r3", HASH, "m", "", 10, 20)));
  }

  @Test
  void aReservationNeverSettledIsChargedInFullOnce() {
    issue(null, null, List.of(), List.of(), 0);
    topUp(1_000);
    assertInstanceOf(ApiKey.Granted.class, authorize(request("lost", HASH, "m", "", 10, 20)));
    key.runCommand(ApiKey.Tick.INSTANCE);
    assertEquals(1, key.getState().reservations().size(), "not before its timeout");

    now.addAndGet(SETTINGS.reservationTimeout().toMillis());
    var expiry = key.runCommand(ApiKey.Tick.INSTANCE);
    ApiKey.UsageSettled settled = assertInstanceOf(ApiKey.UsageSettled.class, expiry.events().get(0));
    assertEquals(ApiKey.RESERVATION_EXPIRED, settled.charge().status());
    assertEquals(30, settled.charge().costNanos());
    assertNull(settled.charge().channelId());
    assertTrue(key.<StatusReply<Done>>runCommand(r -> new ApiKey.Settle(List.of(charge("lost", 1, 1)), r)).events().isEmpty(),
        "a settlement arriving after the expiry is not charged again");
    assertEquals(30, key.getState().totals().usedNanos());
  }

  @Test
  void aReservationWhoseAnswerWasLostIsReleasedForNothing() {
    issue(null, null, List.of(), List.of(), 0);
    topUp(1_000);
    assertInstanceOf(ApiKey.Granted.class, authorize(request("timed-out", HASH, "m", "", 10, 20)));
    // The relay's ask timed out, so it forwarded nothing and releases what the key may have reserved.
    RequestCharge release = new RequestCharge("timed-out", null, KEY_ID, null, "m", "/v1/chat/completions", 0, 0, 0,
        "abandoned", 0, now.get());
    var released = key.<StatusReply<Done>>runCommand(r -> new ApiKey.Settle(List.of(release), r));
    ApiKey.UsageSettled settled = assertInstanceOf(ApiKey.UsageSettled.class, released.events().get(0));
    assertEquals(accountId, settled.charge().accountId(), "the key names its account");
    assertEquals(0, settled.charge().costNanos());
    assertTrue(key.getState().reservations().isEmpty());
  }

  @Test
  void refusedRequestsLeaseNothing() {
    issue(null, null, List.of(), List.of(), 0);
    topUp(1_000);
    key.<StatusReply<ApiKey.View>>runCommand(r -> new ApiKey.SetEnabled(false, 2, r));
    assertEquals(ApiKey.Denial.DISABLED, denial(authorize(request("r1", HASH, "m", "", 10, 20))));
    assertEquals(0, accountSummary().leasedNanos(), "a disabled key's traffic takes no credit from its account");
  }
}
