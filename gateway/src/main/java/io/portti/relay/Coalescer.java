package io.portti.relay;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

/**
 * Sends items to entities in batches, with at most one batch in flight per entity: an item
 * for an idle entity goes at once, and items that arrive while a batch is in flight go together
 * in the next one. A quiet key pays no waiting; a hot key pays one journal write per batch.
 *
 * @param <T> an item
 * @param <R> the answer to one item; a batch's answers come back in the order of its items
 */
final class Coalescer<T, R> {
  private static final int MAX_BATCH = 512;

  private final BiFunction<String, List<T>, CompletionStage<List<R>>> send;
  private final Executor executor;
  private final ConcurrentHashMap<String, Lane> lanes = new ConcurrentHashMap<>();
  private final AtomicLong unanswered = new AtomicLong();
  private final CompletableFuture<Void> idle = new CompletableFuture<>();
  private volatile boolean draining;

  Coalescer(BiFunction<String, List<T>, CompletionStage<List<R>>> send, Executor executor) {
    this.send = send;
    this.executor = executor;
  }

  private record Pending<T, R>(T item, CompletableFuture<R> answer) {}

  private final class Lane {
    private final String entityId;
    private List<Pending<T, R>> queued = new ArrayList<>();
    private boolean busy;
    private boolean retired;

    Lane(String entityId) {
      this.entityId = entityId;
    }
  }

  CompletionStage<R> submit(String entityId, T item) {
    unanswered.incrementAndGet();
    Pending<T, R> pending = new Pending<>(item, new CompletableFuture<>());
    while (true) {
      Lane lane = lanes.computeIfAbsent(entityId, Lane::new);
      boolean start;
      synchronized (lane) {
        if (lane.retired) {
          continue;
        }
        lane.queued.add(pending);
        start = !lane.busy;
        lane.busy = true;
      }
      if (start) {
        flush(lane);
      }
      return pending.answer();
    }
  }

  /** Completes once every item submitted so far is answered; for a graceful stop. */
  CompletionStage<Void> drain() {
    draining = true;
    if (unanswered.get() == 0) {
      idle.complete(null);
    }
    return idle;
  }

  private void flush(Lane lane) {
    List<Pending<T, R>> batch;
    synchronized (lane) {
      if (lane.queued.isEmpty()) {
        lane.busy = false;
        lane.retired = true;
        lanes.remove(lane.entityId, lane);
        return;
      }
      if (lane.queued.size() <= MAX_BATCH) {
        batch = lane.queued;
        lane.queued = new ArrayList<>();
      } else {
        batch = new ArrayList<>(lane.queued.subList(0, MAX_BATCH));
        lane.queued = new ArrayList<>(lane.queued.subList(MAX_BATCH, lane.queued.size()));
      }
    }
    CompletionStage<List<R>> sent;
    try {
      sent = send.apply(lane.entityId, batch.stream().map(Pending::item).toList());
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    sent.whenCompleteAsync((answers, error) -> {
      for (int i = 0; i < batch.size(); i++) {
        CompletableFuture<R> answer = batch.get(i).answer();
        if (error != null) {
          answer.completeExceptionally(error);
        } else {
          answer.complete(answers.get(i));
        }
      }
      if (unanswered.addAndGet(-batch.size()) == 0 && draining) {
        idle.complete(null);
      }
      flush(lane);
    }, executor);
  }
}
