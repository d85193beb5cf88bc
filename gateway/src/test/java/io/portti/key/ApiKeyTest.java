package io.portti.key;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.portti.billing.RequestCharge;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The key entity's rules and settlement, with serialization of every message checked, and recovery after restart. */
class ApiKeyTest {
  private static final ActorTestKit testKit = ActorTestKit.create(
      EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.parseResources("serialization.conf")));
  private static final String SECRET = ApiKeySecret.generate();
  private static final String HASH = ApiKeySecret.hash(SECRET);
  private static final String KEY_ID = ApiKeySecret.idOf(HASH);

  private EventSourcedBehaviorTestKit<ApiKey.Command, ApiKey.Event, ApiKey.State> key;

  @BeforeEach
  void fresh() {
    key = EventSourcedBehaviorTestKit.create(testKit.system(), ApiKey.create(KEY_ID));
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private void issue(Long quota, Long expiresAt, List<String> models, List<String> ips, int rpm) {
    var result = key.<StatusReply<ApiKey.View>>runCommand(r -> new ApiKey.Issue(
        new ApiKey.Rules("user_1", "k", HASH, quota, expiresAt, models, ips, rpm, 1_000), r));
    assertTrue(result.reply().isSuccess());
  }

  private ApiKey.Authorization authorize(String hash, String model, String ip, long now) {
    return key.<ApiKey.Authorization>runCommand(r -> new ApiKey.Authorize(hash, model, ip, now, r)).reply();
  }

  private ApiKey.Denial denial(ApiKey.Authorization a) {
    return assertInstanceOf(ApiKey.Denied.class, a).reason();
  }

  @Test
  void unissuedKeyAndWrongHashAreInvalid() {
    assertEquals(ApiKey.Denial.INVALID_KEY, denial(authorize(HASH, "m", "1.2.3.4", 1)));
    issue(null, null, List.of(), List.of(), 0);
    assertEquals(ApiKey.Denial.INVALID_KEY, denial(authorize(ApiKeySecret.hash("sk-other"), "m", "1.2.3.4", 1)));
    assertInstanceOf(ApiKey.Granted.class, authorize(HASH, "m", "1.2.3.4", 1));
  }

  @Test
  void rulesAreEnforcedInOrder() {
    issue(null, 5_000L, List.of("gpt-4o"), List.of("10.0.0.0/8"), 0);
    assertEquals(ApiKey.Denial.MODEL_NOT_ALLOWED, denial(authorize(HASH, "gpt-3.5", "10.1.1.1", 1)));
    assertEquals(ApiKey.Denial.IP_NOT_ALLOWED, denial(authorize(HASH, "gpt-4o", "192.168.1.1", 1)));
    assertInstanceOf(ApiKey.Granted.class, authorize(HASH, "gpt-4o", "10.1.1.1", 1));
    assertEquals(ApiKey.Denial.EXPIRED, denial(authorize(HASH, "gpt-4o", "10.1.1.1", 5_000)));
    key.<StatusReply<ApiKey.View>>runCommand(r -> new ApiKey.SetEnabled(false, 2, r));
    assertEquals(ApiKey.Denial.DISABLED, denial(authorize(HASH, "gpt-4o", "10.1.1.1", 1)));
  }

  @Test
  void rpmWindowSlidesOverOneMinute() {
    issue(null, null, List.of(), List.of(), 2);
    assertInstanceOf(ApiKey.Granted.class, authorize(HASH, "m", "", 0));
    assertInstanceOf(ApiKey.Granted.class, authorize(HASH, "m", "", 10_000));
    ApiKey.Denied denied = assertInstanceOf(ApiKey.Denied.class, authorize(HASH, "m", "", 20_000));
    assertEquals(ApiKey.Denial.RATE_LIMITED, denied.reason());
    assertEquals(40, denied.retryAfterSeconds());
    assertInstanceOf(ApiKey.Granted.class, authorize(HASH, "m", "", 60_000));
    assertInstanceOf(ApiKey.Granted.class, authorize(HASH, null, "", 60_001), "listing models is not a request");
  }

  @Test
  void settlementIsIdempotentAndSpendsQuota() {
    issue(1_000L, null, List.of(), List.of(), 0);
    RequestCharge charge = new RequestCharge("req_1", "user_1", KEY_ID, "ch_1", "m", "/v1/chat/completions", 10, 20, 600, "success", 5);
    var first = key.<StatusReply<Done>>runCommand(r -> new ApiKey.Settle(List.of(charge), r));
    assertEquals(1, first.events().size());
    var again = key.<StatusReply<Done>>runCommand(r -> new ApiKey.Settle(List.of(charge), r));
    assertTrue(again.events().isEmpty(), "a retried settle is acknowledged, not applied twice");
    assertTrue(again.reply().isSuccess());
    assertEquals(400, assertInstanceOf(ApiKey.Granted.class, authorize(HASH, "m", "", 1)).quotaRemainingNanos());

    key.<StatusReply<Done>>runCommand(r -> new ApiKey.Settle(List.of(new RequestCharge("req_2", "user_1", KEY_ID, "ch_1", "m", "/v1/chat/completions", 1, 1, 400, "success", 6)), r));
    assertEquals(ApiKey.Denial.QUOTA_EXHAUSTED, denial(authorize(HASH, "m", "", 1)));

    key.restart();
    assertEquals(1_000, key.getState().usedNanos(), "recovered from the journal");
    assertEquals(2, key.getState().requests());
    assertTrue(key.<StatusReply<Done>>runCommand(r -> new ApiKey.Settle(List.of(charge), r)).events().isEmpty(),
        "dedup survives recovery");
  }
}
