package io.portti.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/** Asks sent from one thread with at most a fixed number outstanding, so set-up never floods a node's mailboxes. */
final class BoundedAsks {

  private final Semaphore permits;
  private final List<CompletableFuture<?>> sent = new ArrayList<>();

  BoundedAsks(int inFlight) {
    this.permits = new Semaphore(inFlight);
  }

  /** Waits for a free slot, then sends. */
  <T> CompletableFuture<T> send(Supplier<? extends CompletionStage<T>> ask) throws InterruptedException {
    permits.acquire();
    CompletableFuture<T> answer;
    try {
      answer = ask.get().toCompletableFuture();
    } catch (RuntimeException e) {
      permits.release();
      throw e;
    }
    answer.whenComplete((value, error) -> permits.release());
    sent.add(answer);
    return answer;
  }

  /** Every ask sent so far answered; throws the first failure. */
  void awaitAll() {
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
  }
}
