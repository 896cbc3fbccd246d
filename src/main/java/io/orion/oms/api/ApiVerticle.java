package io.orion.oms.api;

import io.orion.oms.account.AccountRepository;
import io.orion.oms.common.ErrorCode;
import io.orion.oms.common.Problem;
import io.orion.oms.config.OrionConfig;
import io.orion.oms.halt.TradingHalts;
import io.orion.oms.ratelimit.RateLimiter;
import io.orion.oms.events.StreamRoutes;
import io.orion.oms.events.StreamServices;
import io.orion.oms.instrument.InstrumentRepository;
import io.orion.oms.order.OrderRepository;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.JWTAuthHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.redis.client.RedisAPI;
import io.vertx.sqlclient.Pool;

import java.time.Clock;

import static io.orion.oms.ratelimit.OperationClass.MODIFICATIONS;
import static io.orion.oms.ratelimit.OperationClass.ORDERS;
import static io.orion.oms.ratelimit.OperationClass.QUERIES;

/**
 * The HTTP front: a router built from {@code openapi.yaml} (a request the contract rejects never
 * reaches a handler), JWT authentication, the contract itself and its Swagger UI rendering, and the trader
 * web UI ({@link UiRoutes}).
 */
public final class ApiVerticle extends VerticleBase {
  static final String CONTRACT = "openapi.yaml";
  private static final long PURGE_INTERVAL_MS = 10 * 60 * 1000;
  private static final String SWAGGER_UI = "META-INF/resources/webjars/swagger-ui/5.17.14";

  /** Everything the handlers use; shared by all instances of this verticle. */
  public record Deps(OrionConfig config, Pool pool, RedisAPI redis, JWTAuth jwt, Clock clock,
                     io.micrometer.prometheusmetrics.PrometheusMeterRegistry registry, RateLimiter limiter,
                     TradingHalts halts, StreamServices streams) {}

  private final Deps deps;
  private HttpServer server;

  public ApiVerticle(Deps deps) {
    this.deps = deps;
  }

  @Override
  public Future<?> start() {
    return OpenAPIContract.from(vertx, CONTRACT)
      .<OpenAPIContract>map(ValidatorCachingContract::new)
      .map(this::apiRouter)
      .compose(api -> {
        Router root = Router.router(vertx);
        root.route("/api/v1/*").subRouter(api);
        root.get("/openapi.yaml").handler(this::serveContract);
        StreamRoutes.mount(vertx, root, deps.streams());
        root.get("/metrics").handler(io.vertx.micrometer.PrometheusScrapingHandler.create(deps.registry()));
        root.get("/api/docs").handler(this::serveDocsIndex);
        root.get("/api/docs/index.html").handler(this::serveDocsIndex);
        root.get("/api/docs/*").handler(StaticHandler.create(SWAGGER_UI));
        UiRoutes.mount(root, deps.config(), deps.jwt());
        root.errorHandler(404, ctx -> Endpoints.problem(ctx, Problem.of(ErrorCode.NOT_FOUND,
          "No such resource: " + ctx.request().path())));
        root.errorHandler(405, ctx -> Endpoints.problem(ctx, Problem.of(ErrorCode.METHOD_NOT_ALLOWED,
          "Method not allowed on " + ctx.request().path())));
        root.errorHandler(500, ctx -> Endpoints.internalError(ctx, ctx.failure()));
        HttpServerOptions options = new HttpServerOptions().setHost(deps.config().http().host())
          .setPort(deps.config().http().port()).setTcpNoDelay(true).setCompressionSupported(true);
        return vertx.createHttpServer(options).requestHandler(root).listen();
      })
      .onSuccess(s -> server = s);
  }

  /**
   * Graceful: the server stops accepting connections, lets the requests in flight finish (each
   * HTTP/1.1 connection closes after its current response) and closes after at most
   * {@code shutdown.drainTimeoutMs}.
   */
  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture()
      : server.shutdown(deps.config().shutdown().drainTimeoutMs(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /** The port actually bound (differs from the configured one when that is 0). */
  public int port() {
    return server.actualPort();
  }

  private Router apiRouter(OpenAPIContract contract) {
    RouterBuilder rb = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler());
    rb.rootHandler(BodyHandler.create().setBodyLimit(deps.config().http().bodyLimitBytes()));
    rb.rootHandler(ApiVerticle::reencodeQuery);
    rb.security("bearerAuth").httpHandler(JWTAuthHandler.create(deps.jwt()));

    OrderRepository orderRepo = new OrderRepository(deps.pool());
    OrderHandlers orders = new OrderHandlers(vertx.eventBus(), orderRepo, deps.halts());
    AdminHandlers admin = new AdminHandlers(deps.halts());
    AccountHandlers accounts = new AccountHandlers(new AccountRepository(deps.pool()), deps.pool(), vertx.eventBus(),
      deps.clock());
    SystemHandlers system = new SystemHandlers(vertx.eventBus(), new InstrumentRepository(deps.pool()), deps.pool(),
      deps.redis(),
      deps.clock());

    IdempotencyStore idempotency = new IdempotencyStore(deps.pool());
    vertx.setPeriodic(PURGE_INTERVAL_MS, id -> idempotency.purge());
    new Endpoints(vertx, rb, idempotency, contract, deps.limiter())
      .secured("submitOrder", ORDERS, orders::submit)
      .secured("listOrders", QUERIES, orders::list)
      .secured("bulkCancelOrders", MODIFICATIONS, orders::bulkCancel)
      .secured("getOrder", QUERIES, orders::get)
      .secured("modifyOrder", MODIFICATIONS, orders::modify)
      .secured("cancelOrder", MODIFICATIONS, orders::cancel)
      .secured("cancelOrderPost", MODIFICATIONS, orders::cancelPost)
      .secured("getOrderByRef", QUERIES, orders::getByRef)
      .secured("getOrderFills", QUERIES, orders::fills)
      .secured("getOrderHistory", QUERIES, orders::history)
      .secured("getOrderAudit", QUERIES, orders::audit)
      .secured("listAudit", QUERIES, orders::tenantAudit)
      .secured("createAccount", accounts::create)
      .secured("listAccounts", QUERIES, accounts::list)
      .secured("getAccount", QUERIES, accounts::get)
      .secured("listPositions", QUERIES, accounts::positions)
      .secured("listInstruments", QUERIES, system::instruments)
      .secured("listLps", QUERIES, system::lps)
      .secured("getTradingHalt", admin::status)
      .secured("haltTrading", admin::halt)
      .secured("resumeTrading", admin::resume)
      .secured("createStreamTicket", QUERIES, new StreamHandlers(deps.streams().auth().tickets())::createTicket)
      .open("getHealth", system::health)
      .open("getOrdersHealth", system::ordersHealth);
    Router router = rb.createRouter();
    router.errorHandler(404, ctx -> Endpoints.problem(ctx, Problem.of(ErrorCode.NOT_FOUND,
      "No such resource: " + ctx.request().path())));
    router.errorHandler(405, ctx -> Endpoints.problem(ctx, Problem.of(ErrorCode.METHOD_NOT_ALLOWED,
      "Method not allowed on " + ctx.request().path())));
    return router;
  }

  /** Swagger UI's page, pointed at our contract; "/api/docs" and "/api/docs/" both land here. */
  private void serveDocsIndex(RoutingContext ctx) {
    String path = ctx.request().path();
    if (path.equals("/api/docs")) ctx.redirect("/api/docs/");
    else if (path.equals("/api/docs/") || path.equals("/api/docs/index.html")) {
      ctx.response().putHeader("Content-Type", "text/html; charset=utf-8").sendFile("webroot/api-docs/index.html");
    } else ctx.next();
  }

  /**
   * vertx-openapi 5.0.8 URL-decodes query values that Vert.x has already decoded, so "%" fails and "+"
   * becomes a space. Encoding them once more here makes its second decode give back what the client sent.
   */
  private static void reencodeQuery(RoutingContext ctx) {
    io.vertx.core.MultiMap params = ctx.request().params();
    for (String name : new java.util.ArrayList<>(params.names())) {
      java.util.List<String> values = params.getAll(name);
      params.remove(name);
      for (String v : values) params.add(name, java.net.URLEncoder.encode(v, java.nio.charset.StandardCharsets.UTF_8));
    }
    ctx.next();
  }

  private void serveContract(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", "application/yaml").sendFile(CONTRACT);
  }
}
