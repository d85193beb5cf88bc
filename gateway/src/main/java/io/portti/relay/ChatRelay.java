package io.portti.relay;

import io.portti.billing.Money;
import io.portti.billing.Price;
import io.portti.billing.RequestCharge;
import com.typesafe.config.Config;
import io.portti.channel.Channel;
import io.portti.channel.ChannelConfig;
import io.portti.channel.ChannelHealth;
import io.portti.channel.ChannelRouter;
import io.portti.channel.OpenAiUpstream;
import io.portti.key.ApiKey;
import io.portti.key.ApiKeySecret;
import io.portti.protocol.TokenCounter;
import io.portti.protocol.Usage;
import io.portti.protocol.openai.InvalidRequest;
import io.portti.protocol.openai.OpenAiChatRequest;
import io.portti.protocol.openai.OpenAiResponses;
import io.portti.protocol.openai.OpenAiSseDecoder;
import io.portti.protocol.openai.OpenAiStreamPassthrough;
import io.portti.replica.LocalReplica;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.pattern.AskTimeoutException;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One OpenAI chat completion through the gateway: authorize the key, price and check funds,
 * forward to a channel, relay the answer (streamed chunk by chunk), then settle what it cost.
 */
public final class ChatRelay {
  private static final Logger log = LoggerFactory.getLogger(ChatRelay.class);
  static final String ENDPOINT = "/v1/chat/completions";

  /** From gateway.relay and gateway.billing. */
  public record Settings(Duration askTimeout, Duration firstByteTimeout, Duration responseTimeout, int maxTries,
      int defaultMaxOutputTokens) {
    public static Settings from(Config relay, Config billing) {
      return new Settings(relay.getDuration("ask-timeout"), relay.getDuration("first-byte-timeout"),
          relay.getDuration("response-timeout"), relay.getInt("max-tries"), billing.getInt("default-max-output-tokens"));
    }
  }

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final Http http;
  private final LocalReplica<Price> prices;
  private final LocalReplica<ChannelConfig> channels;
  private final LocalReplica<ChannelHealth> channelHealth;
  private final Settlement settlement;
  private final Settings settings;
  private final Coalescer<ApiKey.Request, ApiKey.Authorization> authorizations;
  /**
   * Every stage runs here. Pekko's CompletionStages turn plain thenApply into *Async on the common
   * pool, which with fewer than 3 cores starts a new thread per task.
   */
  private final Executor dispatcher;

  public ChatRelay(ActorSystem<?> system, LocalReplica<Price> prices, LocalReplica<ChannelConfig> channels,
      LocalReplica<ChannelHealth> channelHealth, Settlement settlement, Settings settings) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.http = Http.get(system);
    this.prices = prices;
    this.channels = channels;
    this.channelHealth = channelHealth;
    this.settlement = settlement;
    this.settings = settings;
    this.dispatcher = system.executionContext();
    this.authorizations = new Coalescer<>(this::authorizeBatch, dispatcher);
  }

  /** What the relay knows once a request may go upstream: its reservation is held. */
  private record Admitted(String requestId, String keyId, OpenAiChatRequest request, ApiKey.Granted grant, Price price,
      int promptEstimate) {
    long cost(Usage usage) {
      return Money.cost(usage.promptTokens(), usage.completionTokens(), price, grant.multiplier());
    }
  }

  public CompletionStage<HttpResponse> chatCompletion(String presentedKey, String clientIp, byte[] body) {
    if (!ApiKeySecret.isWellFormed(presentedKey)) {
      return done(RelayError.invalidKey("Incorrect API key provided."));
    }
    OpenAiChatRequest request;
    try {
      request = OpenAiChatRequest.parse(body);
    } catch (InvalidRequest invalid) {
      return CompletableFuture.completedFuture(RelayError.toOpenAi(invalid));
    }
    boolean served = ChannelRouter.anyServes(channels.entries().values(), request.model());
    Price price = prices.get(request.model()).orElse(null);
    int promptEstimate = TokenCounter.countChatPrompt(request.model(), request.messages());
    ApiKey.Estimate estimate = !served || price == null ? null
        : new ApiKey.Estimate(promptEstimate, request.maxOutputTokens().orElse(
            price.maxOutputTokens() > 0 ? price.maxOutputTokens() : settings.defaultMaxOutputTokens()), price);
    String requestId = "req_" + UUID.randomUUID().toString().replace("-", "");
    String hash = ApiKeySecret.hash(presentedKey);
    String keyId = ApiKeySecret.idOf(hash);
    return authorize(keyId, new ApiKey.Request(requestId, ENDPOINT, hash, request.model(), clientIp, estimate))
        .thenComposeAsync(grant -> {
          if (!served) {
            throw new RelayError.Failure(RelayError.modelNotFound(request.model(), "does not exist or you do not have access to it."));
          }
          if (price == null) {
            throw new RelayError.Failure(RelayError.modelNotFound(request.model(), "has no price set on this gateway."));
          }
          Billing billing = new Billing(new Admitted(requestId, keyId, request, grant, price, promptEstimate));
          List<ChannelConfig> candidates = ChannelRouter.candidates(channels.entries().values(), channelHealth.entries(),
              request.model(), grant.group(), ThreadLocalRandom.current());
          if (candidates.isEmpty()) {
            billing.settle(Usage.NOT_REPORTED, "upstream_error");
            throw new RelayError.Failure(RelayError.modelNotFound(request.model(), "is not served to this key's group."));
          }
          return forward(billing, candidates.subList(0, Math.min(candidates.size(), settings.maxTries())), 0)
              .whenCompleteAsync((response, error) -> {
                if (error != null) {
                  billing.settle(Usage.NOT_REPORTED, "upstream_error");
                }
              }, dispatcher);
        }, dispatcher)
        .exceptionallyAsync(ChatRelay::errorResponse, dispatcher);
  }

  /** The models a key may use, for GET /v1/models. */
  public CompletionStage<HttpResponse> listModels(String presentedKey, String clientIp) {
    if (!ApiKeySecret.isWellFormed(presentedKey)) {
      return done(RelayError.invalidKey("Incorrect API key provided."));
    }
    String hash = ApiKeySecret.hash(presentedKey);
    return authorize(ApiKeySecret.idOf(hash), new ApiKey.Request(null, "/v1/models", hash, null, clientIp, null))
        .thenApplyAsync(grant -> {
          List<String> served = channels.entries().values().stream()
              .filter(c -> c.enabled() && c.admits(grant.group()))
              .flatMap(c -> c.models().stream())
              .filter(m -> prices.get(m).isPresent())
              .filter(m -> grant.models().isEmpty() || grant.models().contains(m))
              .distinct().sorted().toList();
          return HttpResponse.create().withEntity(ContentTypes.APPLICATION_JSON, OpenAiResponses.modelList(served));
        }, dispatcher)
        .exceptionallyAsync(ChatRelay::errorResponse, dispatcher);
  }

  private CompletionStage<ApiKey.Granted> authorize(String keyId, ApiKey.Request request) {
    return authorizations.submit(keyId, request).handleAsync((answer, error) -> {
      if (error != null) {
        if (request.estimate() != null) {
          // The key may have reserved without its answer arriving: release it, as nothing was forwarded.
          settlement.settle(new RequestCharge(request.requestId(), null, keyId, null, request.model(),
              request.endpoint(), 0, 0, 0, "abandoned", 0, System.currentTimeMillis()));
        }
        throw error instanceof CompletionException e ? e : new CompletionException(error);
      }
      if (answer instanceof ApiKey.Denied denied) {
        throw new RelayError.Failure(RelayError.of(denied));
      }
      return (ApiKey.Granted) answer;
    }, dispatcher);
  }

  private CompletionStage<List<ApiKey.Authorization>> authorizeBatch(String keyId, List<ApiKey.Request> requests) {
    return sharding.entityRefFor(ApiKey.ENTITY_KEY, keyId)
        .<ApiKey.Decisions>ask(replyTo -> new ApiKey.Authorize(requests, replyTo), settings.askTimeout())
        .thenApply(ApiKey.Decisions::decisions);
  }

  /**
   * Tries candidates[index]; on a connect error, a first-byte timeout, 429 or 5xx, the next one,
   * since nothing has reached the client yet. The last candidate's refusal goes back as it came.
   */
  private CompletionStage<HttpResponse> forward(Billing billing, List<ChannelConfig> candidates, int index) {
    Admitted admitted = billing.admitted;
    ChannelConfig channel = candidates.get(index);
    boolean last = index == candidates.size() - 1;
    billing.channelId = channel.id();
    billing.tries = index + 1;
    OpenAiChatRequest request = admitted.request();
    String upstreamModel = channel.upstreamModel(request.model());
    long start = System.nanoTime();
    // A plain future: orTimeout on Pekko's own would register its canceller on the common pool.
    CompletableFuture<HttpResponse> upstream = new CompletableFuture<HttpResponse>()
        .orTimeout(settings.firstByteTimeout().toMillis(), TimeUnit.MILLISECONDS);
    http.singleRequest(OpenAiUpstream.chatCompletions(channel, request.toUpstream(upstreamModel), request.stream()))
        .whenCompleteAsync((response, error) -> {
          if (error != null) {
            upstream.completeExceptionally(error);
          } else if (!upstream.complete(response)) {
            response.discardEntityBytes(system); // answered after the timeout: free the connection
          }
        }, dispatcher);
    return upstream.handleAsync((response, error) -> {
      long latency = (System.nanoTime() - start) / 1_000_000;
      if (error != null) {
        Throwable cause = error instanceof CompletionException ? error.getCause() : error;
        boolean timedOut = cause instanceof TimeoutException;
        String failure = timedOut ? "no answer within " + settings.firstByteTimeout().toMillis() + " ms" : cause.toString();
        log.warn("request {} of key {}: channel {} failed (try {}): {}", admitted.requestId(), admitted.keyId(),
            channel.id(), index + 1, failure);
        tell(channel.id(), new Channel.Outcome(false, -1, latency, failure));
        if (!last) {
          return forward(billing, candidates, index + 1);
        }
        throw new RelayError.Failure(timedOut
            ? RelayError.upstream(504, "upstream_timeout", "The upstream did not answer in time.")
            : RelayError.upstream(502, "upstream_unavailable", "The upstream could not be reached."));
      }
      int status = response.status().intValue();
      boolean retryable = status == 429 || status >= 500;
      tell(channel.id(), new Channel.Outcome(!retryable, status, latency, retryable ? "HTTP " + status : null));
      if (retryable && !last) {
        log.warn("request {} of key {}: channel {} answered {} (try {})", admitted.requestId(), admitted.keyId(),
            channel.id(), status, index + 1);
        response.discardEntityBytes(system);
        return forward(billing, candidates, index + 1);
      }
      if (status >= 300) {
        billing.settle(Usage.NOT_REPORTED, "upstream_error");
        return passUpstreamError(response);
      }
      return request.stream()
          ? CompletableFuture.completedFuture(stream(response, billing, upstreamModel))
          : whole(response, billing, upstreamModel);
    }, dispatcher).thenComposeAsync(next -> next, dispatcher);
  }

  private void tell(String channelId, Channel.Command news) {
    sharding.entityRefFor(Channel.ENTITY_KEY, channelId).tell(news);
  }

  /**
   * Ties a request's reservation to its settlement: settled exactly once, whatever way the
   * request ends, with what it used (nothing, when no answer came).
   */
  private final class Billing {
    private final Admitted admitted;
    private final AtomicBoolean settled = new AtomicBoolean();
    private volatile String channelId;
    private volatile int tries;

    Billing(Admitted admitted) {
      this.admitted = admitted;
    }

    void settle(Usage usage, String status) {
      if (settled.compareAndSet(false, true)) {
        settlement.settle(new RequestCharge(admitted.requestId(), admitted.grant().accountId(), admitted.keyId(),
            channelId, admitted.request().model(), ENDPOINT, usage.promptTokens(), usage.completionTokens(),
            admitted.cost(usage), status, tries, System.currentTimeMillis()));
        if (channelId != null && (usage.promptTokens() > 0 || usage.completionTokens() > 0)) {
          tell(channelId, new Channel.Used(usage.promptTokens(), usage.completionTokens()));
        }
      }
    }
  }

  private CompletionStage<HttpResponse> whole(HttpResponse response, Billing billing, String upstreamModel) {
    return response.entity().toStrict(settings.responseTimeout().toMillis(), system).thenApplyAsync(strict -> {
      byte[] bytes = strict.getData().toArrayUnsafe();
      Usage usage = OpenAiResponses.usageOf(bytes);
      billing.settle(usage.reported() ? usage : new Usage(billing.admitted.promptEstimate(), 0, false), "success");
      byte[] body = upstreamModel.equals(billing.admitted.request().model())
          ? bytes : OpenAiResponses.withModel(bytes, billing.admitted.request().model());
      return HttpResponse.create().withEntity(ContentTypes.APPLICATION_JSON, body);
    }, dispatcher);
  }

  private HttpResponse stream(HttpResponse response, Billing billing, String upstreamModel) {
    OpenAiChatRequest request = billing.admitted.request();
    OpenAiSseDecoder decoder = new OpenAiSseDecoder();
    OpenAiStreamPassthrough passthrough = new OpenAiStreamPassthrough(
        request.model(), upstreamModel, request.clientWantsUsage(), billing.admitted.promptEstimate());
    boolean[] upstreamFailed = {false};
    Source<ByteString, NotUsed> events = response.entity().getDataBytes()
        .mapConcat(chunk -> relayed(decoder.feed(chunk), passthrough))
        .concat(Source.lazySource(() -> Source.from(relayed(decoder.finish(), passthrough))))
        .recoverWithRetries(1, Throwable.class, () -> {
          upstreamFailed[0] = true;
          return Source.single(OpenAiStreamPassthrough.errorEvent("The upstream stream ended unexpectedly.", "upstream_error"));
        })
        .watchTermination((mat, termination) -> {
          termination.whenCompleteAsync((done, error) -> billing.settle(passthrough.usage(),
              passthrough.doneSeen() ? "success" : upstreamFailed[0] ? "upstream_error" : "cancelled"), dispatcher);
          return NotUsed.getInstance();
        });
    return HttpResponse.create()
        .addHeaders(List.of(RawHeader.create("Cache-Control", "no-cache")))
        .withEntity(HttpEntities.createChunked(ContentTypes.create(MediaTypes.TEXT_EVENT_STREAM), events));
  }

  private static List<ByteString> relayed(List<String> payloads, OpenAiStreamPassthrough passthrough) {
    List<ByteString> out = new ArrayList<>(payloads.size());
    for (String payload : payloads) {
      ByteString bytes = passthrough.onEvent(payload);
      if (!bytes.isEmpty()) {
        out.add(bytes);
      }
    }
    return out;
  }

  /** An upstream's refusal goes back as it came (it is already OpenAI's format), and costs nothing. */
  private CompletionStage<HttpResponse> passUpstreamError(HttpResponse response) {
    return response.entity().toStrict(settings.firstByteTimeout().toMillis(), system).thenApplyAsync(strict ->
        HttpResponse.create().withStatus(response.status()).withEntity(ContentTypes.APPLICATION_JSON, strict.getData()),
        dispatcher);
  }

  private static CompletionStage<HttpResponse> done(RelayError error) {
    return CompletableFuture.completedFuture(error.toOpenAi());
  }

  static HttpResponse errorResponse(Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof RelayError.Failure failure) {
      return failure.error.toOpenAi();
    }
    if (cause instanceof TimeoutException || cause instanceof AskTimeoutException) {
      return new RelayError(503, "server_error", "gateway_busy", "The gateway is busy; retry shortly.", 1).toOpenAi();
    }
    log.error("relay failed", cause);
    return new RelayError(500, "server_error", "internal_error", "The gateway failed to handle the request.", 0).toOpenAi();
  }
}
