package io.orion.oms.ratelimit;

import io.orion.oms.support.Http;
import io.orion.oms.support.MutableClock;
import io.orion.oms.support.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Quotas over real HTTP and Redis, with the shipped defaults (100 submissions, 50 modifications per
 * 60 s): the 101st submission of a window is refused with consistent headers, another user is not
 * affected, the next window allows again, and 401/403 answers do not count.
 */
class RateLimitApiTest {
  private static final Pattern RATELIMIT = Pattern.compile("^\"(\\w[\\w-]*)\";r=(\\d+);t=(\\d+)$");
  static final MutableClock clock = new MutableClock();
  static TestApp app;
  static String bobToken;
  static String bobAccount;

  @BeforeAll
  static void start() throws Exception {
    JsonObject limits = new JsonObject().put("windowMs", 60_000).put("default", new JsonObject().put("orders", 100)
      .put("modifications", 50).put("queries", 600));
    app = TestApp.start(TestApp.noLps().put("rateLimits", limits), clock);
    Http.Res acc = app.http.post("/api/v1/accounts", app.demoAdminToken(), new JsonObject().put("ownerId", "bob")
      .put("name", "Bob").put("currency", "USD").put("balance", "1000000"));
    assertThat(acc.status()).as(acc.body()).isEqualTo(201);
    bobAccount = acc.json().getString("id");
    bobToken = app.token(app.config().demo().tenant(), "bob", "trader");
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  static JsonObject order(String account) {
    // a stop order is held pending: nothing else happens to it, so the test only counts requests
    return new JsonObject().put("clientId", account).put("instrumentId", "AAPL").put("side", "buy")
      .put("orderType", "stop").put("timeInForce", "gtc").put("quantity", 1).put("stopPrice", "150.00");
  }

  @Test
  void the101stSubmissionOfAWindowIsRefusedUntilTheNextWindow() {
    clock.alignToWindowStart(60_000);
    String trader = app.demoTraderToken();
    for (int i = 1; i <= 100; i++) {
      Http.Res r = app.http.post("/api/v1/orders", trader, order(app.demoAccountId()));
      assertThat(r.status()).as("submission %d: %s", i, r.body()).isEqualTo(201);
      assertThat(r.header("RateLimit-Policy")).isEqualTo("\"orders\";q=100;w=60");
      Matcher m = RATELIMIT.matcher(r.header("RateLimit"));
      assertThat(m.matches()).as(r.header("RateLimit")).isTrue();
      assertThat(m.group(1)).isEqualTo("orders");
      assertThat(Integer.parseInt(m.group(2))).isEqualTo(100 - i);
    }
    Http.Res refused = app.http.post("/api/v1/orders", trader, order(app.demoAccountId()));
    assertThat(refused.status()).as(refused.body()).isEqualTo(429);
    assertThat(refused.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(refused.json().getString("code")).isEqualTo("RATE_LIMITED");
    assertThat(refused.json().getString("policy")).isEqualTo("orders");
    assertThat(refused.json().getInteger("limit")).isEqualTo(100);
    long retryAfter = Long.parseLong(refused.header("Retry-After"));
    assertThat(retryAfter).isBetween(1L, 60L);
    assertThat(refused.json().getLong("retryAfterSeconds")).isEqualTo(retryAfter);
    assertThat(refused.header("RateLimit-Policy")).isEqualTo("\"orders\";q=100;w=60");
    assertThat(refused.header("RateLimit")).isEqualTo("\"orders\";r=0;t=" + retryAfter);
    // a refused request is not counted, and nothing was stored for it
    assertThat(app.http.get("/api/v1/orders?limit=1", trader).json().getLong("total")).isEqualTo(100L);

    // other classes and other users have their own quotas
    Http.Res read = app.http.get("/api/v1/orders?limit=1", trader);
    assertThat(read.status()).isEqualTo(200);
    assertThat(read.header("RateLimit-Policy")).isEqualTo("\"queries\";q=600;w=60");
    Http.Res bob = app.http.post("/api/v1/orders", bobToken, order(bobAccount));
    assertThat(bob.status()).as(bob.body()).isEqualTo(201);
    assertThat(bob.header("RateLimit")).startsWith("\"orders\";r=99;");

    clock.advance(Duration.ofSeconds(retryAfter));
    Http.Res again = app.http.post("/api/v1/orders", trader, order(app.demoAccountId()));
    assertThat(again.status()).as(again.body()).isEqualTo(201);
    assertThat(again.header("RateLimit")).startsWith("\"orders\";r=99;");
  }

  @Test
  void answers401And403DoNotCount() {
    clock.alignToWindowStart(60_000);
    // a viewer may not trade: 403 each time, and the quota stays whole. The refund of a 403 is sent as its answer
    // goes out, so the next request may be counted before it lands (another event loop, another Redis connection):
    // at most one refund is in flight, where 120 counted requests would have run out of the 100
    String viewer = app.token(app.config().demo().tenant(), "bob", "viewer");
    for (int i = 0; i < 120; i++) {
      Http.Res r = app.http.post("/api/v1/orders", viewer, order(bobAccount));
      assertThat(r.status()).as(r.body()).isEqualTo(403);
      assertThat(remaining(r)).as(r.header("RateLimit")).isBetween(99, 100);
    }
    Http.Res noToken = app.http.post("/api/v1/orders", null, order(bobAccount));
    assertThat(noToken.status()).isEqualTo(401);
    assertThat(noToken.header("RateLimit")).isNull();
    // the same user as a trader still has all 100
    String trader = app.token(app.config().demo().tenant(), "bob", "trader");
    Http.Res ok = app.http.post("/api/v1/orders", trader, order(bobAccount));
    assertThat(ok.status()).as(ok.body()).isEqualTo(201);
    assertThat(remaining(ok)).as(ok.header("RateLimit")).isBetween(98, 99);
  }

  /** r of an {@code "orders";r=..;t=..} header. */
  private static int remaining(Http.Res res) {
    Matcher m = RATELIMIT.matcher(res.header("RateLimit"));
    assertThat(m.matches()).as(res.header("RateLimit")).isTrue();
    assertThat(m.group(1)).isEqualTo("orders");
    return Integer.parseInt(m.group(2));
  }

  @Test
  void cancellationsHaveTheirOwnQuota() {
    clock.alignToWindowStart(60_000);
    String trader = app.token(app.config().demo().tenant(), "bob", "trader");
    String id = app.http.post("/api/v1/orders", trader, order(bobAccount)).json().getString("id");
    Http.Res cancel = app.http.delete("/api/v1/orders/" + id, trader);
    assertThat(cancel.status()).as(cancel.body()).isEqualTo(200);
    assertThat(cancel.header("RateLimit-Policy")).isEqualTo("\"modifications\";q=50;w=60");
    assertThat(cancel.header("RateLimit")).startsWith("\"modifications\";r=49;");
    // the admin's kill switch is never limited
    Http.Res halt = app.http.get("/api/v1/admin/trading-halt", app.demoAdminToken());
    assertThat(halt.status()).isEqualTo(200);
    assertThat(halt.header("RateLimit")).isNull();
  }
}
