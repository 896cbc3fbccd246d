package io.orion.oms.events;

import io.orion.oms.auth.Caller;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;

import java.time.Instant;

/** Who opens a stream connection: a stream ticket ({@code ?ticket=}) or a JWT ({@code ?token=}) in the query. */
public final class StreamAuth {
  private final StreamTickets tickets;
  private final JWTAuth jwt;

  public StreamAuth(StreamTickets tickets, JWTAuth jwt) {
    this.tickets = tickets;
    this.jwt = jwt;
  }

  public StreamTickets tickets() {
    return tickets;
  }

  /** The principal, or null when the query carries no valid ticket or token (or one without an Orion role). */
  public Future<StreamPrincipal> authenticate(MultiMap query) {
    String ticket = query.get("ticket");
    if (ticket != null) return tickets.redeem(ticket).map(StreamAuth::withRole);
    String token = query.get("token");
    if (token == null) return Future.succeededFuture(null);
    return jwt.authenticate(new TokenCredentials(token)).map(user -> {
      JsonObject claims = user.attributes().getJsonObject("accessToken");
      Caller caller = claims == null ? null : Caller.fromClaims(claims);
      if (caller == null) return null;
      return withRole(new StreamPrincipal(caller, Instant.ofEpochSecond(claims.getLong("exp"))));
    }).otherwise((StreamPrincipal) null);
  }

  private static StreamPrincipal withRole(StreamPrincipal p) {
    return p == null || p.caller().roles().isEmpty() ? null : p;
  }
}
