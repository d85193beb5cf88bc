package io.portti;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.portti.account.Account;
import io.portti.account.AccountRoutes;
import io.portti.admin.AdminRoutes;
import io.portti.admin.ManagementKey;
import io.portti.billing.GroupMultiplier;
import io.portti.billing.Price;
import io.portti.billing.PriceList;
import io.portti.billing.PricingRoutes;
import io.portti.channel.Channel;
import io.portti.channel.ChannelConfig;
import io.portti.channel.ChannelHealth;
import io.portti.channel.ChannelRoutes;
import io.portti.db.Database;
import io.portti.http.GatewayServer;
import io.portti.key.ApiKey;
import io.portti.key.KeyRoutes;
import io.portti.relay.ChatRelay;
import io.portti.relay.ChatRoute;
import io.portti.relay.Settlement;
import io.portti.replica.LocalReplica;
import io.portti.usage.UsageProjection;
import io.portti.usage.UsageRoutes;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.JoinSeedNodes;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One gateway node: its database, its actor system in the cluster, its entities and its HTTP server. */
public final class Gateway implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Gateway.class);
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

  private final ActorSystem<Void> system;
  private final Database database;
  private final ServerBinding binding;
  private final Settlement settlement;

  private Gateway(ActorSystem<Void> system, Database database, ServerBinding binding, Settlement settlement) {
    this.system = system;
    this.database = database;
    this.binding = binding;
    this.settlement = settlement;
  }

  /** Starts a node from this configuration (normally ConfigFactory.load()); returns once it serves HTTP. */
  public static Gateway start(Config config) throws Exception {
    Config gateway = config.getConfig("gateway");
    Database database = Database.open(gateway.getConfig("db"));
    ManagementKey managementKey = ManagementKey.load(database.dataSource(), gateway.getString("admin-key"));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "portti", database.pekkoConfig().withFallback(config));
    try {
      joinCluster(system, gateway.getString("cluster.seed-nodes"));

      LocalReplica<Price> prices = LocalReplica.start(system, "prices");
      LocalReplica<GroupMultiplier> groups = LocalReplica.start(system, "groups");
      LocalReplica<ChannelConfig> channels = LocalReplica.start(system, "channels");
      LocalReplica<ChannelHealth> channelHealth = LocalReplica.start(system, "channel-health");
      Config channelSettings = gateway.getConfig("channels");
      Config billing = gateway.getConfig("billing");
      Account.init(system, billing.getDuration("lease.term"));
      ApiKey.init(system, ApiKey.Settings.from(billing), group -> groups.get(group).orElse(GroupMultiplier.LIST_PRICE));
      PriceList.init(system, prices, groups);
      Channel.init(system, Channel.Settings.from(channelSettings), channels, channelHealth);
      UsageProjection.init(system, database.dataSource());
      wakePublishers(system, prices, groups, channels).toCompletableFuture().get(STARTUP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);

      Config relay = gateway.getConfig("relay");
      Settlement settlement = new Settlement(system, relay.getDuration("ask-timeout"), relay.getDuration("settle-retry-for"));
      ChatRelay chatRelay = new ChatRelay(system, prices, channels, channelHealth, settlement,
          ChatRelay.Settings.from(relay, billing));
      ChatRoute chatRoute = new ChatRoute(chatRelay, gateway.getBoolean("http.trust-forwarded-for"),
          gateway.getBytes("http.max-body-bytes"));
      AccountRoutes accounts = new AccountRoutes(system);
      KeyRoutes keys = new KeyRoutes(system);
      ChannelRoutes channelRoutes = new ChannelRoutes(system, channels, channelHealth,
          channelSettings.getBoolean("allow-private-upstreams"), channelSettings.getDuration("probe-timeout"));
      PricingRoutes pricing = new PricingRoutes(system, prices, groups);
      UsageRoutes usage = new UsageRoutes(system, database.dataSource());
      AdminRoutes admin = new AdminRoutes(managementKey, accounts.concat(
          accounts.route(), keys.route(), channelRoutes.route(), pricing.route(), usage.route()));

      ServerBinding binding = GatewayServer.bind(system, gateway.getString("http.host"), gateway.getInt("http.port"),
          chatRoute.route(), admin.route()).toCompletableFuture().get(30, TimeUnit.SECONDS);
      log.info("Portti listening on {} ({} database)", binding.localAddress(), database.vendor());
      return new Gateway(system, database, binding, settlement);
    } catch (Exception e) {
      system.terminate();
      database.close();
      throw e;
    }
  }

  private static void joinCluster(ActorSystem<?> system, String seedNodes) {
    Cluster cluster = Cluster.get(system);
    if (seedNodes.isBlank()) {
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    } else {
      cluster.manager().tell(new JoinSeedNodes(Arrays.stream(seedNodes.split(","))
          .map(String::trim).map(AddressFromURIString::parse).toList()));
    }
  }

  /**
   * The replicated views live in memory only: after a whole-cluster restart, wake the entities
   * that publish them and wait until this node sees what they recovered.
   */
  private static CompletionStage<Done> wakePublishers(ActorSystem<?> system, LocalReplica<Price> prices,
      LocalReplica<GroupMultiplier> groups, LocalReplica<ChannelConfig> channels) {
    ClusterSharding sharding = ClusterSharding.get(system);
    Duration ask = STARTUP_TIMEOUT;
    CompletionStage<Done> pricing = sharding.entityRefFor(PriceList.ENTITY_KEY, PriceList.ENTITY_ID)
        .<PriceList.State>ask(PriceList.Wake::new, ask)
        .thenCompose(state -> prices.await(m -> m.keySet().containsAll(state.prices().keySet()), ask)
            .thenCombine(groups.await(m -> m.keySet().containsAll(state.groups().keySet()), ask), (a, b) -> Done.getInstance()));
    String channelPrefix = Channel.ENTITY_KEY.name() + "|";
    CompletionStage<Done> routing = PersistenceQuery.get(system)
        .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier())
        .currentPersistenceIds()
        .filter(id -> id.startsWith(channelPrefix))
        .map(id -> id.substring(channelPrefix.length()))
        .runWith(Sink.seq(), system)
        .thenCompose(ids -> {
          List<CompletableFuture<String>> woken = ids.stream()
              .map(id -> sharding.entityRefFor(Channel.ENTITY_KEY, id).<Boolean>ask(Channel.Wake::new, ask)
                  .thenApply(routes -> routes ? id : null).toCompletableFuture())
              .toList();
          return CompletableFuture.allOf(woken.toArray(CompletableFuture[]::new)).thenCompose(v -> {
            List<String> routed = woken.stream().map(CompletableFuture::join).filter(Objects::nonNull).toList();
            return channels.await(m -> m.keySet().containsAll(routed), ask);
          });
        })
        .thenApply(m -> Done.getInstance());
    return pricing.thenCombine(routing, (a, b) -> Done.getInstance());
  }

  public int httpPort() {
    return binding.localAddress().getPort();
  }

  /** The node's actor system, for tools that talk to entities directly (benchmarks, cluster tests). */
  public ActorSystem<Void> system() {
    return system;
  }

  public Settlement settlement() {
    return settlement;
  }

  /** Stops serving, settles what is queued, leaves the cluster, and waits until the node is down. */
  @Override
  public void close() {
    try {
      binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("unbind failed: {}", e.toString());
    }
    try {
      settlement.drain().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.error("queued settlements did not finish before shutdown: {}", e.toString());
    }
    try {
      Http.get(system).shutdownAllConnectionPools().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("upstream connection pools did not close in time: {}", e.toString());
    }
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("actor system did not stop in time: {}", e.toString());
    }
    database.close();
  }

}
