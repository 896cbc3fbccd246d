package io.orion.oms.events;

import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * What one subscriber receives from one event-bus address: each account's events in seq order, each seq
 * once. A replay from the outbox starts after the subscriber's consumer is registered; live events that
 * arrive meanwhile are held and released after the replay, minus the seqs it already delivered. The replay
 * serves what the publisher has stored as published, and the publisher publishes after storing, so whatever the
 * replay query did not see arrives live: no gap.
 */
final class EventFeed {
  /** Where a feed's events go; {@code send} completes once the event is written to the socket. */
  interface Sink {
    Future<Void> send(StreamEvent event);

    /** The account's replay cannot be served (events purged or too many): the client must reload its state. */
    void resyncRequired(UUID accountId, long afterSeq, long headSeq);
  }

  private final EventRepository repo;
  private final Sink sink;
  private final int pageSize;
  private final int maxReplay;
  private final Map<UUID, Long> lastSeq = new HashMap<>();
  private List<StreamEvent> held; // non-null while a replay runs

  EventFeed(EventRepository repo, Sink sink, int pageSize, int maxReplay) {
    this.repo = repo;
    this.sink = sink;
    this.pageSize = pageSize;
    this.maxReplay = maxReplay;
  }

  /** A live event from the bus (at least once: a republished seq is dropped here). */
  void live(StreamEvent e) {
    if (held != null) held.add(e);
    else deliver(e);
  }

  private void deliver(StreamEvent e) {
    Long last = lastSeq.get(e.accountId());
    if (last != null && e.seq() <= last) return;
    lastSeq.put(e.accountId(), e.seq());
    sink.send(e);
  }

  /** Holds live events from now until the next {@link #replay} has run. */
  void hold() {
    if (held == null) held = new ArrayList<>();
  }

  /**
   * Sends the account's events after {@code afterSeq}, page by page (each page once the previous one is
   * written, so a replay never floods the socket), then the live events held meanwhile.
   */
  Future<Void> replay(UUID accountId, long afterSeq) {
    if (held == null) held = new ArrayList<>();
    lastSeq.put(accountId, afterSeq);
    return page(accountId, afterSeq, true).eventually(() -> {
      List<StreamEvent> release = held;
      held = null;
      release.forEach(this::deliver);
      return Future.succeededFuture();
    });
  }

  private Future<Void> page(UUID accountId, long after, boolean first) {
    return repo.replay(accountId, after, pageSize).compose(p -> {
      if (p == null) return Future.succeededFuture();
      if (first && gap(after, p)) {
        lastSeq.put(accountId, p.head()); // what is at or before the head is the state the client reloads
        sink.resyncRequired(accountId, after, p.head());
        return Future.succeededFuture();
      }
      Future<Void> written = Future.succeededFuture();
      for (StreamEvent e : p.events()) {
        lastSeq.put(accountId, e.seq());
        written = sink.send(e);
      }
      if (p.events().size() < pageSize) return Future.succeededFuture();
      long next = lastSeq.get(accountId);
      return written.compose(v -> page(accountId, next, false));
    });
  }

  /**
   * The replay would skip seqs: purged by retention, asked beyond the head, or longer than allowed. Seqs that
   * exist but are not published yet are no gap: they arrive live.
   */
  private boolean gap(long after, EventRepository.Page p) {
    if (after > p.head()) return true;
    if (after == p.head()) return false;
    if (p.head() - after > maxReplay) return true;
    return p.first() == null || p.first() != after + 1;
  }
}
