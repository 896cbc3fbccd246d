package io.orion.oms.api;

import io.orion.oms.auth.Caller;
import io.orion.oms.common.ErrorCode;
import io.orion.oms.common.FieldError;
import io.orion.oms.common.Problem;
import io.orion.oms.common.ProblemException;
import io.orion.oms.ratelimit.OperationClass;
import io.orion.oms.ratelimit.RateLimitDecision;
import io.orion.oms.ratelimit.RateLimiter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.validation.ValidatorException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Binds operations of the contract to handlers, and does what every operation needs: the caller from
 * the token, the {@code Idempotency-Key} protocol, and rendering replies and problems. A handler only
 * turns an {@link ApiRequest} into a {@link Reply} (or fails with a {@link ProblemException}).
 */
final class Endpoints {
  private static final Logger log = LoggerFactory.getLogger(Endpoints.class);
  static final String IDEMPOTENCY_KEY = "Idempotency-Key";

  /** An operation's handler. */
  interface Operation {
    Future<Reply> handle(ApiRequest request);
  }

  private final Vertx vertx;
  private final RouterBuilder builder;
  private final IdempotencyStore idempotency;
  private final io.vertx.openapi.contract.OpenAPIContract contract;
  private final RateLimiter limiter;

  Endpoints(Vertx vertx, RouterBuilder builder, IdempotencyStore idempotency,
            io.vertx.openapi.contract.OpenAPIContract contract, RateLimiter limiter) {
    this.vertx = vertx;
    this.builder = builder;
    this.idempotency = idempotency;
    this.contract = contract;
    this.limiter = limiter;
  }

  /** An operation that needs a verified caller and is not rate limited (admin operations: the kill switch must always work). */
  Endpoints secured(String operationId, Operation op) {
    return secured(operationId, null, op);
  }

  /**
   * An operation that needs a verified caller and counts against the caller's quota of {@code limit}.
   * The quota is taken only once the caller is authenticated, and given back when the answer is 401 or
   * 403 (such requests do not count).
   */
  Endpoints secured(String operationId, OperationClass limit, Operation op) {
    return bind(operationId, ctx -> {
      // the verified claims; sub and exp are kept apart from the principal by the JWT provider
      Caller caller = ctx.user() == null ? null : Caller.fromClaims(ctx.user().attributes().getJsonObject("accessToken"));
      if (caller == null) {
        problem(ctx, Problem.of(ErrorCode.UNAUTHORIZED, "The token lacks a required claim (sub, tenant or exp)"));
        return;
      }
      if (caller.roles().isEmpty()) {
        problem(ctx, Problem.of(ErrorCode.FORBIDDEN, "The token carries no Orion role (trader, viewer, admin, compliance)"));
        return;
      }
      if (limit == null || !limiter.enabled()) {
        dispatch(ctx, caller, op);
        return;
      }
      limiter.tryAcquire(caller, limit).onComplete(ar -> {
        if (ar.failed()) { // the limiter falls back by itself; never let it stop an order
          dispatch(ctx, caller, op);
          return;
        }
        RateLimitDecision d = ar.result();
        if (!d.allowed()) {
          rateLimited(ctx, d);
          return;
        }
        ctx.addHeadersEndHandler(v -> {
          int status = ctx.response().getStatusCode();
          RateLimitDecision shown = d;
          if (status == 401 || status == 403) {
            limiter.refund(d);
            shown = d.refunded();
          }
          ctx.response().putHeader(RATELIMIT_POLICY, shown.policyHeader()).putHeader(RATELIMIT, shown.rateLimitHeader());
        });
        dispatch(ctx, caller, op);
      });
    });
  }

  static final String RATELIMIT_POLICY = "RateLimit-Policy";
  static final String RATELIMIT = "RateLimit";

  private void dispatch(RoutingContext ctx, Caller caller, Operation op) {
    String key = ctx.request().getHeader(IDEMPOTENCY_KEY);
    if (key != null && ctx.request().method() != HttpMethod.GET) {
      runIdempotent(ctx, caller, key, op);
    } else {
      run(ctx, new ApiRequest(ctx, caller), op);
    }
  }

  /** 429 with the headers of the ratelimit-headers draft; Retry-After and the RateLimit "t" are the same seconds. */
  private static void rateLimited(RoutingContext ctx, RateLimitDecision d) {
    long seconds = d.resetSeconds();
    ctx.response().putHeader("Retry-After", String.valueOf(seconds))
      .putHeader(RATELIMIT_POLICY, d.policyHeader()).putHeader(RATELIMIT, d.rateLimitHeader());
    problem(ctx, Problem.of(ErrorCode.RATE_LIMITED, "Rate limit '" + d.operation().wire() + "' exceeded: "
        + d.limit() + " requests per " + d.windowSeconds() + " s for each user; retry in " + seconds + " s")
      .with("policy", d.operation().wire()).with("limit", d.limit()).with("windowSeconds", d.windowSeconds())
      .with("retryAfterSeconds", seconds));
  }

  /** An operation open to anyone (health). */
  Endpoints open(String operationId, Operation op) {
    return bind(operationId, ctx -> run(ctx, new ApiRequest(ctx, null), op));
  }

  private Endpoints bind(String operationId, io.vertx.core.Handler<RoutingContext> handler) {
    OpenAPIRoute route = builder.getRoute(operationId);
    if (route == null) throw new IllegalStateException("No operation " + operationId + " in the contract");
    route.setDoValidation(false)
      .addHandler(new InlineRequestValidation(vertx, contract, contract.operation(operationId)))
      .addHandler(handler).addFailureHandler(this::failure);
    return this;
  }

  private void run(RoutingContext ctx, ApiRequest req, Operation op) {
    invoke(req, op).onComplete(ar -> {
      if (ar.succeeded()) write(ctx, ar.result());
      else fail(ctx, ar.cause());
    });
  }

  private void runIdempotent(RoutingContext ctx, Caller caller, String key, Operation op) {
    String hash = requestHash(ctx);
    idempotency.claim(caller.tenant(), caller.userId(), key, hash).onComplete(claimed -> {
      if (claimed.failed()) {
        fail(ctx, claimed.cause());
        return;
      }
      IdempotencyStore.Claim claim = claimed.result();
      if (claim instanceof IdempotencyStore.Replay r) {
        ctx.response().putHeader("Idempotent-Replayed", "true");
        r.reply().headers().forEach((k, v) -> ctx.response().putHeader(k, v));
        writeRaw(ctx, r.reply().status(), r.reply().body(), r.contentType());
      } else if (claim instanceof IdempotencyStore.Mismatch) {
        problem(ctx, Problem.of(ErrorCode.IDEMPOTENCY_KEY_REUSED,
          "Idempotency-Key '" + key + "' was already used with a different request"));
      } else if (claim instanceof IdempotencyStore.InProgress) {
        problem(ctx, Problem.of(ErrorCode.IDEMPOTENCY_KEY_IN_PROGRESS,
          "A request with Idempotency-Key '" + key + "' is still being processed; retry shortly"));
      } else {
        invoke(new ApiRequest(ctx, caller), op).onComplete(ar -> finishIdempotent(ctx, caller, key, ar));
      }
    });
  }

  /** 4xx answers are kept like successes (the same request would fail the same way); a 5xx frees the key. */
  private void finishIdempotent(RoutingContext ctx, Caller caller, String key, io.vertx.core.AsyncResult<Reply> ar) {
    if (ar.succeeded()) {
      Reply reply = ar.result();
      idempotency.complete(caller.tenant(), caller.userId(), key, reply, "application/json")
        .onComplete(x -> write(ctx, reply));
    } else if (ar.cause() instanceof ProblemException pe && pe.problem().status() < 500) {
      JsonObject body = Problems.body(pe.problem(), ctx.request().path(), null);
      idempotency.complete(caller.tenant(), caller.userId(), key, Reply.of(pe.problem().status(), body, Map.of()),
          Problems.MEDIA_TYPE)
        .onComplete(x -> writeRaw(ctx, pe.problem().status(), body, Problems.MEDIA_TYPE));
    } else {
      idempotency.release(caller.tenant(), caller.userId(), key).onComplete(x -> fail(ctx, ar.cause()));
    }
  }

  private static Future<Reply> invoke(ApiRequest req, Operation op) {
    try {
      List<FieldError> nul = req.nulInParameters();
      if (!nul.isEmpty()) {
        return Future.failedFuture(new ProblemException(Problem.invalid(ErrorCode.VALIDATION_FAILED,
          "Text may not contain NUL characters", nul)));
      }
      return op.handle(req);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** Method, path, query and the exact body bytes: "the same request" for an idempotency key. */
  private static String requestHash(RoutingContext ctx) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update((ctx.request().method().name() + " " + ctx.request().uri() + "\n").getBytes(StandardCharsets.UTF_8));
      if (ctx.body() != null && ctx.body().buffer() != null) md.update(ctx.body().buffer().getBytes());
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static void write(RoutingContext ctx, Reply reply) {
    reply.headers().forEach((k, v) -> ctx.response().putHeader(k, v));
    if (reply.text() != null) {
      ctx.response().setStatusCode(reply.status()).putHeader("Content-Type", reply.textType()).end(reply.text());
      return;
    }
    writeRaw(ctx, reply.status(), reply.body(), "application/json");
  }

  private static void writeRaw(RoutingContext ctx, int status, JsonObject body, String contentType) {
    if (ctx.response().ended()) return;
    ctx.response().setStatusCode(status);
    if (body == null) {
      ctx.response().end();
    } else {
      ctx.response().putHeader("Content-Type", contentType).end(body.toBuffer());
    }
  }

  /** A problem answer; a 5xx one (e.g. TRADING_HALTED) also gets an errorId, logged with it. */
  static void problem(RoutingContext ctx, Problem p) {
    String errorId = null;
    if (p.status() >= 500) {
      errorId = UUID.randomUUID().toString();
      logged(log.atWarn(), ctx, errorId).addKeyValue("code", p.code().name())
        .log("errorId={} {} {} answered {} {}: {}", errorId, ctx.request().method(), ctx.request().path(), p.status(),
          p.code(), p.detail());
    }
    writeRaw(ctx, p.status(), Problems.body(p, ctx.request().path(), errorId), Problems.MEDIA_TYPE);
  }

  /**
   * The structured fields of a log line about a request: errorId, method, path, and tenant and user
   * when a token was verified. Never the token itself nor any other header.
   */
  static org.slf4j.spi.LoggingEventBuilder logged(org.slf4j.spi.LoggingEventBuilder b, RoutingContext ctx, String errorId) {
    b = b.addKeyValue("errorId", errorId).addKeyValue("method", ctx.request().method().name())
      .addKeyValue("path", ctx.request().path());
    JsonObject claims = ctx.user() == null ? null : ctx.user().attributes().getJsonObject("accessToken");
    if (claims != null) {
      Object tenant = claims.getValue("tenant");
      if (tenant instanceof String t) b = b.addKeyValue("tenant", t);
      Object sub = claims.getValue("sub");
      if (sub instanceof String u) b = b.addKeyValue("userId", u);
    }
    String orderId = ctx.pathParam("id");
    if (orderId != null) b = b.addKeyValue("orderId", orderId);
    String orderRef = ctx.pathParam("orderRef");
    if (orderRef != null) b = b.addKeyValue("orderRef", orderRef);
    return b;
  }

  /** Any failure of a handler: a problem it chose, or a 500 whose errorId is in the log. */
  static void fail(RoutingContext ctx, Throwable cause) {
    if (cause instanceof ProblemException pe) {
      problem(ctx, pe.problem());
    } else if (cause instanceof DecodeException de) {
      problem(ctx, Problem.of(ErrorCode.MALFORMED_REQUEST, de.getMessage()));
    } else if (unavailable(cause)) {
      String errorId = UUID.randomUUID().toString();
      logged(log.atError(), ctx, errorId).setCause(cause)
        .log("errorId={} {} {}: a dependency is unavailable", errorId, ctx.request().method(), ctx.request().path());
      ctx.response().putHeader("Retry-After", "1");
      writeRaw(ctx, 503, Problems.body(Problem.of(ErrorCode.SERVICE_UNAVAILABLE, "The service cannot reach a dependency "
        + "right now; retry shortly (errorId " + errorId + ")"), ctx.request().path(), errorId), Problems.MEDIA_TYPE);
    } else {
      internalError(ctx, cause);
    }
  }

  /** The database or an internal service did not answer: not a bug in the request, worth a retry. */
  private static boolean unavailable(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof java.net.ConnectException || c instanceof io.vertx.sqlclient.ClosedConnectionException
        || c instanceof java.util.concurrent.TimeoutException) return true;
      if (c instanceof io.vertx.core.eventbus.ReplyException re
        && re.failureType() != io.vertx.core.eventbus.ReplyFailure.RECIPIENT_FAILURE) return true;
      if (c == c.getCause()) break;
    }
    return false;
  }

  static void internalError(RoutingContext ctx, Throwable cause) {
    String errorId = UUID.randomUUID().toString();
    logged(log.atError(), ctx, errorId).setCause(cause)
      .log("errorId={} {} {} failed", errorId, ctx.request().method(), ctx.request().path());
    Problem p = Problem.of(ErrorCode.INTERNAL_ERROR, "An internal error occurred; quote errorId " + errorId);
    if (!ctx.response().ended()) {
      ctx.response().setStatusCode(500).putHeader("Content-Type", Problems.MEDIA_TYPE)
        .end(Problems.body(p, ctx.request().path(), errorId).toBuffer());
    }
  }

  /** Failures raised before a handler runs: contract validation, authentication, body size. */
  void failure(RoutingContext ctx) {
    Throwable f = ctx.failure();
    int status = ctx.statusCode();
    if (f instanceof ValidatorException ve) {
      problem(ctx, ContractErrors.toProblem(ve, contract, ctx));
      return;
    }
    if (f instanceof HttpException he) {
      status = he.getStatusCode();
      if (he.getCause() instanceof ValidatorException ve) {
        problem(ctx, ContractErrors.toProblem(ve, contract, ctx));
        return;
      }
    }
    String auth = ctx.request().getHeader("Authorization");
    if (status == 400 && ctx.user() == null && auth != null && auth.trim().matches("(?i)bearer")) status = 401;
    switch (status) {
      case 401 -> {
        ctx.response().putHeader("WWW-Authenticate", "Bearer");
        problem(ctx, Problem.of(ErrorCode.UNAUTHORIZED, "A valid bearer token is required"));
      }
      case 403 -> problem(ctx, Problem.of(ErrorCode.FORBIDDEN, "Not allowed"));
      case 404 -> problem(ctx, Problem.of(ErrorCode.NOT_FOUND, "No such resource: " + ctx.request().path()));
      case 405 -> problem(ctx, Problem.of(ErrorCode.METHOD_NOT_ALLOWED, "Method not allowed"));
      case 413 -> problem(ctx, Problem.of(ErrorCode.PAYLOAD_TOO_LARGE, "The request body is too large"));
      case 415 -> problem(ctx, Problem.of(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Send the body as application/json"));
      case 400 -> problem(ctx, Problem.of(ErrorCode.MALFORMED_REQUEST,
        f == null ? "Bad request" : String.valueOf(f.getMessage())));
      default -> {
        if (f instanceof ProblemException || f instanceof DecodeException) fail(ctx, f);
        else internalError(ctx, f);
      }
    }
  }
}
