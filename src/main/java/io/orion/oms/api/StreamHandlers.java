package io.orion.oms.api;

import io.orion.oms.events.StreamRoutes;
import io.orion.oms.events.StreamTickets;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Map;

/** {@code POST /stream-tickets}: trades the caller's JWT for a single-use ticket that opens one stream. */
final class StreamHandlers {
  private final StreamTickets tickets;

  StreamHandlers(StreamTickets tickets) {
    this.tickets = tickets;
  }

  Future<Reply> createTicket(ApiRequest req) {
    // the connection the ticket opens ends when this token does
    JsonObject claims = req.context().user().attributes().getJsonObject("accessToken");
    Instant tokenExpiry = Instant.ofEpochSecond(claims.getLong("exp"));
    return tickets.issue(req.caller(), tokenExpiry).map(t -> Reply.of(201, new JsonObject()
      .put("ticket", t.ticket()).put("expiresAt", t.expiresAt().toString())
      .put("sockJsUrl", StreamRoutes.SOCKJS_PATH + "?ticket=" + t.ticket())
      .put("webSocketUrl", StreamRoutes.WEBSOCKET_PATH + "?ticket=" + t.ticket()), Map.of()));
  }
}
