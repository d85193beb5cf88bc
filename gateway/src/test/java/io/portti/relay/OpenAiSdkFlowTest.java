package io.portti.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import io.portti.Gateway;
import io.portti.mock.MockUpstream;
import io.portti.testkit.Eventually;
import io.portti.testkit.TestDatabase;
import io.portti.testkit.TestGateway;
import io.portti.testkit.Tenant;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The whole flow a newcomer runs, through the real OpenAI Java SDK: an admin sets up a channel,
 * a price, a user, money and a key; the app calls plain and streaming completions; the balance
 * drops by exactly the priced usage and the usage rows are written. On PostgreSQL and on H2.
 */
class OpenAiSdkFlowTest {
  private static MockUpstream mock;

  @BeforeAll
  static void startMock() {
    mock = MockUpstream.start(0);
  }

  @AfterAll
  static void stopMock() {
    mock.stop();
  }

  @ParameterizedTest
  @EnumSource(TestDatabase.Kind.class)
  void plainAndStreamingCompletionsAreBilledExactly(TestDatabase.Kind kind) throws Exception {
    try (TestDatabase db = TestDatabase.create(kind); Gateway gateway = TestGateway.start(db)) {
      Tenant tenant = Tenant.create(gateway.httpPort(), mock.baseUrl(), "pro", "10");
      Tenant.setGroupMultiplier(tenant.admin, "pro", "1.5");
      String key = tenant.issueKey(Map.of());
      OpenAIClient client = OpenAIOkHttpClient.builder()
          .baseUrl("http://127.0.0.1:" + gateway.httpPort() + "/v1")
          .apiKey(key)
          .maxRetries(0)
          .build();
      try {
        ChatCompletion plain = client.chat().completions().create(ChatCompletionCreateParams.builder()
            .model(Tenant.MODEL)
            .addSystemMessage("You are terse.")
            .addUserMessage("Say hello to Portti")
            .build());
        assertEquals(Tenant.MODEL, plain.model());
        assertFalse(plain.choices().get(0).message().content().orElse("").isBlank());
        CompletionUsage plainUsage = plain.usage().orElseThrow();
        assertTrue(mock.stats().lastAuthorization().endsWith("sk-upstream-channel-key"),
            "the channel's key reaches the upstream, never the client's");

        List<String> pieces = new ArrayList<>();
        CompletionUsage streamUsage;
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
            ChatCompletionCreateParams.builder()
                .model(Tenant.MODEL)
                .addUserMessage("Stream a short answer please")
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build())) {
          CompletionUsage[] last = {null};
          stream.stream().forEach(chunk -> {
            chunk.choices().forEach(choice -> choice.delta().content().ifPresent(pieces::add));
            chunk.usage().ifPresent(u -> last[0] = u);
          });
          streamUsage = last[0];
        }
        assertFalse(pieces.isEmpty(), "streamed content arrived");
        assertTrue(streamUsage != null, "usage chunk arrived because the client asked for it");

        BigDecimal expected = Tenant.expectedCost(plainUsage.promptTokens(), plainUsage.completionTokens(), "1.5")
            .add(Tenant.expectedCost(streamUsage.promptTokens(), streamUsage.completionTokens(), "1.5"));
        Eventually.await(Duration.ofSeconds(10), () -> {
          assertEquals(0, new BigDecimal("10").subtract(expected).compareTo(tenant.balance()),
              "balance = 10 - exact priced usage");
          return null;
        });
        JsonNode usage = Eventually.await(Duration.ofSeconds(10), () -> {
          JsonNode u = tenant.usage();
          assertEquals(2, u.get("total").asInt(), u.toString());
          return u;
        });
        BigDecimal recorded = BigDecimal.ZERO;
        for (JsonNode row : usage.get("usage")) {
          assertEquals(Tenant.MODEL, row.get("model").asText());
          assertEquals("/v1/chat/completions", row.get("endpoint").asText());
          assertEquals("success", row.get("status").asText());
          recorded = recorded.add(row.get("cost").decimalValue());
        }
        assertEquals(0, expected.compareTo(recorded), "usage rows add up to what was charged");
      } finally {
        client.close();
      }
    }
  }
}
