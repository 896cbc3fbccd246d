package io.orion.oms.events;

import io.orion.oms.auth.Caller;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

/**
 * Short-lived, single-use stream tickets: browsers cannot put an Authorization header on a WebSocket or
 * SockJS request, and a JWT in a URL ends up in logs, so the client trades its JWT for a ticket that
 * opens one connection within {@code ttlMs}. Kept in Redis (shared by every process, and losing them only
 * means asking for a new one); bound to the caller and to its token's expiry.
 */
public final class StreamTickets {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A ticket handed to a client. */
  public record Ticket(String ticket, Instant expiresAt) {}

  private final RedisAPI redis;
  private final String prefix;
  private final long ttlMs;
  private final Clock clock;

  public StreamTickets(RedisAPI redis, String keyPrefix, long ttlMs, Clock clock) {
    this.redis = redis;
    this.prefix = keyPrefix + "stream-ticket:";
    this.ttlMs = ttlMs;
    this.clock = clock;
  }

  public Future<Ticket> issue(Caller caller, Instant tokenExpiresAt) {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    String ticket = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    JsonObject value = new JsonObject().put("caller", caller.toJson()).put("exp", tokenExpiresAt.toEpochMilli());
    return redis.set(List.of(prefix + ticket, value.encode(), "PX", Long.toString(ttlMs)))
      .map(ok -> new Ticket(ticket, clock.instant().plusMillis(ttlMs)));
  }

  /** The ticket's holder, taking the ticket (it opens one connection); null when unknown, used or expired. */
  public Future<StreamPrincipal> redeem(String ticket) {
    if (ticket == null || !ticket.matches("[A-Za-z0-9_-]{16,64}")) return Future.succeededFuture(null);
    return redis.getdel(prefix + ticket).map(v -> {
      if (v == null) return null;
      JsonObject json = new JsonObject(v.toString());
      return new StreamPrincipal(Caller.fromJson(json.getJsonObject("caller")), Instant.ofEpochMilli(json.getLong("exp")));
    });
  }
}
