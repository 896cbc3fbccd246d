package io.orion.oms.events;

import io.orion.oms.common.ErrorCode;
import io.orion.oms.common.Problem;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.RoutingContext;

/**
 * The upgrade to {@code /ws/orders/events}: authentication by ticket or token and the per-user connection
 * limit are checked before the handshake, so a refused client gets a plain problem+json answer.
 */
final class OrderEventsEndpoint implements Handler<RoutingContext> {
  private final Vertx vertx;
  private final StreamServices services;

  OrderEventsEndpoint(Vertx vertx, StreamServices services) {
    this.vertx = vertx;
    this.services = services;
  }

  @Override
  public void handle(RoutingContext ctx) {
    ctx.request().pause(); // the handshake needs the request unread after the asynchronous checks
    services.auth().authenticate(ctx.request().params()).onComplete(ar -> {
      StreamPrincipal p = ar.succeeded() ? ar.result() : null;
      if (p == null) {
        ctx.response().putHeader("WWW-Authenticate", "Bearer");
        StreamRoutes.problem(ctx, Problem.of(ErrorCode.UNAUTHORIZED,
          "A valid stream ticket (?ticket=, from POST /api/v1/stream-tickets) or token (?token=) is required"));
        return;
      }
      services.withinQuota(p.caller(), io.orion.oms.ratelimit.OperationClass.STREAM_CONNECT).onComplete(q -> {
        if (q.succeeded() && !q.result()) {
          StreamRoutes.problem(ctx, Problem.of(ErrorCode.RATE_LIMITED, "Too many stream connections opened in this "
            + "window; see the streamConnects rate limit"));
          return;
        }
        connect(ctx, p);
      });
    });
  }

  /** The connection limit, then the WebSocket handshake. */
  private void connect(RoutingContext ctx, StreamPrincipal p) {
    if (!services.limiter().tryAcquire(p.userKey())) {
      StreamRoutes.problem(ctx, Problem.of(ErrorCode.TOO_MANY_CONNECTIONS, "At most "
        + services.config().maxConnectionsPerUser() + " stream connections per user"));
      return;
    }
    Future<ServerWebSocket> upgrade;
    try {
      upgrade = ctx.request().toWebSocket();
    } catch (RuntimeException e) {
      upgrade = Future.failedFuture(e);
    }
    upgrade.onComplete(ws -> {
      if (ws.failed()) {
        services.limiter().release(p.userKey());
        if (!ctx.response().ended()) ctx.fail(400, ws.cause());
        return;
      }
      new OrderEventsConnection(vertx, ws.result(), p, services, () -> services.limiter().release(p.userKey())).start();
    });
  }
}
