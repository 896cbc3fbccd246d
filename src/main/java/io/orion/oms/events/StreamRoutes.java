package io.orion.oms.events;

import io.orion.oms.api.Problems;
import io.orion.oms.common.ErrorCode;
import io.orion.oms.common.Problem;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.net.URI;
import java.util.List;

/** Mounts the two stream endpoints on the HTTP server's root router: {@code /eventbus} and {@code /ws/orders/events}. */
public final class StreamRoutes {
  public static final String SOCKJS_PATH = "/eventbus";
  public static final String WEBSOCKET_PATH = "/ws/orders/events";

  private StreamRoutes() {}

  public static void mount(Vertx vertx, Router root, StreamServices services) {
    List<String> origins = services.config().allowedOrigins();
    root.route(SOCKJS_PATH + "/*").handler(ctx -> checkOrigin(ctx, origins));
    root.route(SOCKJS_PATH + "/*").handler(BodyHandler.create().setBodyLimit(65536)); // xhr transports post bodies
    root.route(SOCKJS_PATH + "/*").subRouter(new EventBusBridge(vertx, services).router());
    root.get(WEBSOCKET_PATH).handler(ctx -> checkOrigin(ctx, origins)).handler(new OrderEventsEndpoint(vertx, services));
  }

  /**
   * Browsers always send Origin on WebSocket and cross-origin requests: only the service's own origin and the
   * configured ones may open a stream with a user's credentials. Clients that send no Origin are not browsers.
   */
  private static void checkOrigin(RoutingContext ctx, List<String> allowed) {
    String origin = ctx.request().getHeader("Origin");
    if (origin == null || allowed.contains("*") || allowed.contains(origin) || sameOrigin(origin, ctx)) {
      ctx.next();
      return;
    }
    problem(ctx, Problem.of(ErrorCode.FORBIDDEN, "Origin " + origin + " may not open a stream (streaming.allowedOrigins)"));
  }

  private static boolean sameOrigin(String origin, RoutingContext ctx) {
    String host = ctx.request().getHeader("Host");
    try {
      URI u = URI.create(origin);
      String authority = u.getPort() == -1 ? u.getHost() : u.getHost() + ":" + u.getPort();
      return host != null && host.equalsIgnoreCase(authority);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  static void problem(RoutingContext ctx, Problem p) {
    if (ctx.response().ended()) return;
    ctx.response().setStatusCode(p.status()).putHeader("Content-Type", Problems.MEDIA_TYPE)
      .end(Problems.body(p, ctx.request().path(), null).encode());
  }
}
