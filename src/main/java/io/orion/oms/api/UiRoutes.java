package io.orion.oms.api;

import io.orion.oms.auth.JwtSupport;
import io.orion.oms.common.ErrorCode;
import io.orion.oms.common.Problem;
import io.orion.oms.config.OrionConfig;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

import java.net.URI;
import java.util.List;
import java.util.Set;

/**
 * The trader web UI on the API's port: the page at {@code /}, its modules and styles under {@code /ui/},
 * the sockjs-client bundle from its webjar, and the demo sign-in ({@code /ui/settings}, {@code /ui/demo-token}).
 */
public final class UiRoutes {
  static final String WEBROOT = "webroot/ui";
  static final String SOCKJS_DIST = "META-INF/resources/webjars/sockjs-client/1.6.1/dist";
  private static final Set<String> LOOPBACK_HOSTS = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

  private final OrionConfig config;
  private final JWTAuth jwt;

  private UiRoutes(OrionConfig config, JWTAuth jwt) {
    this.config = config;
    this.jwt = jwt;
  }

  public static void mount(Router root, OrionConfig config, JWTAuth jwt) {
    UiRoutes ui = new UiRoutes(config, jwt);
    root.get("/").handler(ui::index);
    root.get("/index.html").handler(ctx -> ctx.redirect("/"));
    root.get("/ui/settings").handler(ui::settings);
    root.post("/ui/demo-token").handler(ui::demoToken);
    // no-cache: the browser revalidates (Last-Modified) so that a new jar's modules are never mixed with old ones
    root.get("/ui/vendor/*").handler(UiRoutes::noCache)
      .handler(StaticHandler.create(SOCKJS_DIST).setCachingEnabled(false).setDirectoryListing(false));
    root.get("/ui/*").handler(UiRoutes::noCache)
      .handler(StaticHandler.create(WEBROOT).setCachingEnabled(false).setDirectoryListing(false));
  }

  private static void noCache(RoutingContext ctx) {
    ctx.response().putHeader("Cache-Control", "no-cache").putHeader("X-Content-Type-Options", "nosniff");
    ctx.next();
  }

  /**
   * The page, with a policy that allows only our own scripts, styles and connections (the SockJS websocket
   * included: some browsers do not count ws: as 'self'), and no framing.
   */
  private void index(RoutingContext ctx) {
    String host = authority(ctx);
    String ws = host == null || !host.matches("[A-Za-z0-9.:\\[\\]-]+") ? "" : " ws://" + host + " wss://" + host;
    ctx.response()
      .putHeader("Content-Type", "text/html; charset=utf-8")
      .putHeader("Cache-Control", "no-cache")
      .putHeader("X-Content-Type-Options", "nosniff")
      .putHeader("Referrer-Policy", "no-referrer")
      .putHeader("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        + "connect-src 'self'" + ws + "; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'")
      .sendFile(WEBROOT + "/index.html");
  }

  /** What the sign-in screen may offer: the demo button only where {@link #demoToken} would answer. */
  private void settings(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store")
      .end(new JsonObject().put("demoSignIn", demoRefusal(ctx) == null).encode());
  }

  /**
   * The demo trader's token, for the sign-in button. Only with the demo enabled and HS256 (the service issues
   * the token), and only to a browser on this machine: the connection comes from loopback, no proxy header
   * says it was forwarded (a proxy on the same host would make every client look local), the Host is a
   * loopback name (defeats DNS rebinding) and the Origin, if sent, is that same host (another site's page
   * cannot ask for it). Anything else gets 404, as if the endpoint did not exist.
   */
  private void demoToken(RoutingContext ctx) {
    String refusal = demoRefusal(ctx);
    if (refusal != null) {
      Endpoints.problem(ctx, Problem.of(ErrorCode.NOT_FOUND, "No demo sign-in here: " + refusal));
      return;
    }
    OrionConfig.Demo demo = config.demo();
    int ttl = config.jwt().demoTokenTtlMinutes();
    String token = JwtSupport.issue(jwt, config, demo.tenant(), demo.traderId(), List.of("trader"), ttl);
    ctx.response().setStatusCode(201).putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store")
      .end(new JsonObject().put("token", token).put("tenant", demo.tenant()).put("user", demo.traderId())
        .put("expiresInMinutes", ttl).encode());
  }

  /** Why the demo token is not handed out to this request; null when it is. */
  String demoRefusal(RoutingContext ctx) {
    if (!config.demo().enabled()) return "the demo is disabled";
    if (!config.jwt().algorithm().equals("HS256")) return "tokens come from the identity provider";
    SocketAddress remote = ctx.request().remoteAddress();
    if (remote == null || !isLoopbackIp(remote.hostAddress())) return "only for a browser on the service's machine";
    var headers = ctx.request().headers();
    if (headers.contains("Forwarded") || headers.contains("X-Forwarded-For") || headers.contains("X-Real-IP")) {
      return "only for a browser on the service's machine";
    }
    String host = authority(ctx);
    if (host == null || !LOOPBACK_HOSTS.contains(hostName(host))) return "only for a browser on the service's machine";
    String origin = headers.get("Origin");
    if (origin != null && !sameAuthority(origin, host)) return "only for the service's own page";
    return null;
  }

  /** Host and port the client asked for: the Host header in HTTP/1.1, :authority in HTTP/2. */
  private static String authority(RoutingContext ctx) {
    HostAndPort a = ctx.request().authority();
    if (a == null || a.host() == null) return null;
    return a.port() < 0 ? a.host() : a.host() + ":" + a.port();
  }

  static boolean isLoopbackIp(String ip) {
    return ip != null && (ip.startsWith("127.") || ip.equals("::1") || ip.equals("0:0:0:0:0:0:0:1"));
  }

  /** The host of a Host header, without its port ({@code [::1]:8080} gives {@code [::1]}). */
  static String hostName(String host) {
    String h = host.trim().toLowerCase();
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end < 0 ? h : h.substring(0, end + 1);
    }
    int colon = h.indexOf(':');
    return colon < 0 ? h : h.substring(0, colon);
  }

  private static boolean sameAuthority(String origin, String host) {
    try {
      URI u = URI.create(origin);
      if (u.getHost() == null) return false;
      String authority = u.getPort() == -1 ? u.getHost() : u.getHost() + ":" + u.getPort();
      return authority.equalsIgnoreCase(host.trim());
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
