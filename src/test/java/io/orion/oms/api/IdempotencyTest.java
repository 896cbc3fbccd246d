package io.orion.oms.api;

import io.orion.oms.support.Http;
import io.orion.oms.support.TestApp;
import io.orion.oms.support.TestServices;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two idempotency mechanisms over real HTTP: an order's {@code clientOrderId} (unique per account) and
 * the {@code Idempotency-Key} header (one stored answer per tenant, user and key). Every test works on
 * accounts of its own, so held funds and order counts belong to it alone. The service has no LPs: the
 * orders are of a held type (stop_limit), which stay pending with their funds held, where a limit order
 * would be rejected by routing (and its funds released) a moment after it is accepted.
 */
class IdempotencyTest {
  static final String TENANT = "idem";
  static final String IDEMPOTENT_REPLAYED = "Idempotent-Replayed";

  static TestApp app;
  static HttpClient async;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start();
    async = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterAll
  static void stop() throws Exception {
    if (app != null) app.close();
  }

  // ---------------------------------------------------------------- helpers

  static String admin() {
    return app.token(TENANT, "root", "admin");
  }

  static String trader(String user) {
    return app.token(TENANT, user, "trader");
  }

  static String newAccount(String owner, String balance) {
    Http.Res r = app.http.post("/api/v1/accounts", admin(), new JsonObject().put("ownerId", owner)
      .put("name", owner + " " + UUID.randomUUID()).put("currency", "USD").put("balance", balance));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json().getString("id");
  }

  /** A buy of 10 AAPL at 100.00 that stays pending (stop_limit, stop 1000.00, far above 150.00): holds 1000.00. */
  static JsonObject buy(String accountId) {
    return new JsonObject().put("clientId", accountId).put("instrumentId", "AAPL").put("side", "buy")
      .put("orderType", "stop_limit").put("timeInForce", "gtc").put("quantity", 10).put("price", "100.00")
      .put("stopPrice", "1000.00");
  }

  static Map<String, String> key(String k) {
    return Map.of("Idempotency-Key", k);
  }

  static BigDecimal dec(Object v) {
    return new BigDecimal(v.toString());
  }

  static BigDecimal reserved(String user, String accountId) {
    Http.Res r = app.http.get("/api/v1/accounts/" + accountId, trader(user));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return dec(r.json().getValue("reserved"));
  }

  static long count(String sql, Object... args) throws Exception {
    try (Connection c = TestServices.jdbc(app.config().database().url()); PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  static long ordersOf(String accountId) throws Exception {
    return count("SELECT count(*) FROM orders WHERE account_id = ?", UUID.fromString(accountId));
  }

  /** {@code n} identical requests released together; their responses. */
  static List<HttpResponse<String>> concurrently(int n, String method, String path, String token, JsonObject body,
                                                 Map<String, String> headers) throws Exception {
    List<HttpRequest> requests = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(app.http.baseUrl() + path))
        .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json");
      headers.forEach(b::header);
      b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body.encode()));
      requests.add(b.build());
    }
    List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
    for (HttpRequest r : requests) futures.add(async.sendAsync(r, HttpResponse.BodyHandlers.ofString()));
    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    List<HttpResponse<String>> out = new ArrayList<>();
    for (CompletableFuture<HttpResponse<String>> f : futures) out.add(f.get());
    return out;
  }

  // ---------------------------------------------------------------- clientOrderId

  @Test
  void resendingAClientOrderIdReturnsTheOriginalOrder() throws Exception {
    String account = newAccount("tina", "100000");
    JsonObject order = buy(account).put("clientOrderId", "coid-resend");

    Http.Res first = app.http.post("/api/v1/orders", trader("tina"), order);
    assertThat(first.status()).as(first.body()).isEqualTo(201);
    String id = first.json().getString("id");

    for (int i = 0; i < 3; i++) {
      Http.Res again = app.http.post("/api/v1/orders", trader("tina"), order);
      assertThat(again.status()).as(again.body()).isEqualTo(200);
      assertThat(again.json().getString("id")).isEqualTo(id);
      assertThat(again.json().getString("orderRef")).isEqualTo(first.json().getString("orderRef"));
      assertThat(again.json().getString("clientOrderId")).isEqualTo("coid-resend");
    }
    // a retry with a changed body is still the same order, not a second one
    Http.Res changed = app.http.post("/api/v1/orders", trader("tina"), order.copy().put("quantity", 20));
    assertThat(changed.status()).as(changed.body()).isEqualTo(200);
    assertThat(changed.json().getString("id")).isEqualTo(id);
    assertThat(dec(changed.json().getValue("quantity"))).isEqualByComparingTo("10");

    assertThat(ordersOf(account)).isEqualTo(1);
    assertThat(reserved("tina", account)).isEqualByComparingTo("1000.00");
    Http.Res list = app.http.get("/api/v1/orders?clientId=" + account, trader("tina"));
    assertThat(list.json().getLong("total")).isEqualTo(1);
  }

  @Test
  void fiftyConcurrentIdenticalSubmitsCreateOneOrderAndHoldFundsOnce() throws Exception {
    // enough money for all 50: a broken dedup would show as 50 orders or 50 x 1000.00 held
    String account = newAccount("tina", "100000");
    JsonObject order = buy(account).put("clientOrderId", "coid-burst");

    List<HttpResponse<String>> responses = concurrently(50, "POST", "/api/v1/orders", trader("tina"), order, Map.of());

    int created = 0;
    int replayed = 0;
    Set<String> ids = new HashSet<>();
    for (HttpResponse<String> r : responses) {
      if (r.statusCode() == 201) created++;
      else if (r.statusCode() == 200) replayed++;
      else throw new AssertionError("unexpected " + r.statusCode() + " " + r.body());
      ids.add(new JsonObject(r.body()).getString("id"));
    }
    assertThat(created).as("exactly one 201").isEqualTo(1);
    assertThat(replayed).as("49 x 200").isEqualTo(49);
    assertThat(ids).as("all answers name the same order").hasSize(1);

    assertThat(count("SELECT count(*) FROM orders WHERE account_id = ? AND client_order_id = 'coid-burst'",
      UUID.fromString(account))).isEqualTo(1);
    assertThat(ordersOf(account)).isEqualTo(1);
    assertThat(reserved("tina", account)).as("funds held once").isEqualByComparingTo("1000.00");
    assertThat(count("SELECT count(*) FROM events WHERE account_id = ?", UUID.fromString(account)))
      .as("one order.created and one balance.updated").isEqualTo(2);
    assertThat(count("SELECT count(*) FROM execution_logs WHERE account_id = ?", UUID.fromString(account)))
      .as("one SUBMITTED and one VALIDATED").isEqualTo(2);
  }

  @Test
  void theSameClientOrderIdOnAnotherAccountIsAnotherOrder() throws Exception {
    String a1 = newAccount("tina", "100000");
    String a2 = newAccount("tina", "100000");
    String a3 = newAccount("tom", "100000");

    Http.Res r1 = app.http.post("/api/v1/orders", trader("tina"), buy(a1).put("clientOrderId", "coid-shared"));
    Http.Res r2 = app.http.post("/api/v1/orders", trader("tina"), buy(a2).put("clientOrderId", "coid-shared"));
    Http.Res r3 = app.http.post("/api/v1/orders", trader("tom"), buy(a3).put("clientOrderId", "coid-shared"));
    for (Http.Res r : List.of(r1, r2, r3)) assertThat(r.status()).as(r.body()).isEqualTo(201);
    assertThat(Set.of(r1.json().getString("id"), r2.json().getString("id"), r3.json().getString("id"))).hasSize(3);
    assertThat(r2.json().getString("clientId")).isEqualTo(a2);
    assertThat(r3.json().getString("clientId")).isEqualTo(a3);
    for (String a : List.of(a1, a2, a3)) assertThat(ordersOf(a)).isEqualTo(1);
    assertThat(reserved("tina", a2)).isEqualByComparingTo("1000.00");

    // and each one is still idempotent on its own account
    Http.Res again = app.http.post("/api/v1/orders", trader("tina"), buy(a2).put("clientOrderId", "coid-shared"));
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().getString("id")).isEqualTo(r2.json().getString("id"));
  }

  // ---------------------------------------------------------------- Idempotency-Key

  @Test
  void sameKeyAndBodyReplaysTheFirstAnswer() throws Exception {
    String account = newAccount("tina", "100000");
    JsonObject order = buy(account); // no clientOrderId: only the key can make the retry safe
    String k = "key-" + UUID.randomUUID();

    Http.Res first = app.http.post("/api/v1/orders", trader("tina"), order, key(k));
    assertThat(first.status()).as(first.body()).isEqualTo(201);
    assertThat(first.header(IDEMPOTENT_REPLAYED)).isNull();

    Http.Res second = app.http.post("/api/v1/orders", trader("tina"), order, key(k));
    assertThat(second.status()).as(second.body()).isEqualTo(201);
    assertThat(second.header(IDEMPOTENT_REPLAYED)).isEqualTo("true");
    assertThat(second.json()).isEqualTo(first.json());
    assertThat(second.header("Content-Type")).startsWith("application/json");
    assertThat(first.header("Location")).isEqualTo("/api/v1/orders/" + first.json().getString("id"));
    assertThat(second.header("Location")).as("the replay carries the first answer's headers too")
      .isEqualTo(first.header("Location"));

    assertThat(ordersOf(account)).isEqualTo(1);
    assertThat(reserved("tina", account)).isEqualByComparingTo("1000.00");

    // without the key the same body is a new order (the key, not the body, made the replay)
    Http.Res fresh = app.http.post("/api/v1/orders", trader("tina"), order);
    assertThat(fresh.status()).isEqualTo(201);
    assertThat(fresh.json().getString("id")).isNotEqualTo(first.json().getString("id"));
    assertThat(ordersOf(account)).isEqualTo(2);
  }

  @Test
  void sameKeyWithAnotherBodyIsRejected() throws Exception {
    String account = newAccount("tina", "100000");
    String k = "key-" + UUID.randomUUID();
    Http.Res first = app.http.post("/api/v1/orders", trader("tina"), buy(account), key(k));
    assertThat(first.status()).as(first.body()).isEqualTo(201);

    Http.Res other = app.http.post("/api/v1/orders", trader("tina"), buy(account).put("quantity", 11), key(k));
    assertThat(other.status()).as(other.body()).isEqualTo(422);
    assertThat(other.header("Content-Type")).startsWith("application/problem+json");
    assertThat(other.json().getString("code")).isEqualTo("IDEMPOTENCY_KEY_REUSED");
    assertThat(other.header(IDEMPOTENT_REPLAYED)).isNull();

    // the key still replays the first answer for the first body
    Http.Res replay = app.http.post("/api/v1/orders", trader("tina"), buy(account), key(k));
    assertThat(replay.status()).isEqualTo(201);
    assertThat(replay.json().getString("id")).isEqualTo(first.json().getString("id"));
    assertThat(ordersOf(account)).isEqualTo(1);
  }

  @Test
  void theSameKeyOfAnotherUserIsIndependent() throws Exception {
    String tina = newAccount("tina", "100000");
    String tom = newAccount("tom", "100000");
    String k = "shared-key-" + UUID.randomUUID();

    Http.Res a = app.http.post("/api/v1/orders", trader("tina"), buy(tina), key(k));
    Http.Res b = app.http.post("/api/v1/orders", trader("tom"), buy(tom), key(k));
    assertThat(a.status()).as(a.body()).isEqualTo(201);
    assertThat(b.status()).as(b.body()).isEqualTo(201);
    assertThat(b.header(IDEMPOTENT_REPLAYED)).isNull();
    assertThat(b.json().getString("id")).isNotEqualTo(a.json().getString("id"));
    assertThat(b.json().getString("clientId")).isEqualTo(tom);

    // same user id in another tenant, same key and byte-identical request: still its own request
    Http.Res c = app.http.post("/api/v1/orders", app.token("other", "tina", "trader"), buy(tina), key(k));
    assertThat(c.header(IDEMPOTENT_REPLAYED)).as(c.toString()).isNull();
    assertThat(c.status()).as("tina@other must not get tina@idem's stored order: " + c.body()).isEqualTo(404);
    assertThat(c.json().getString("code")).isEqualTo("ACCOUNT_NOT_FOUND");
    assertThat(c.body()).doesNotContain(a.json().getString("id"));

    assertThat(ordersOf(tina)).isEqualTo(1);
    assertThat(ordersOf(tom)).isEqualTo(1);
  }

  @Test
  void createAccountWithAKeyIsReplayed() throws Exception {
    String k = "acct-" + UUID.randomUUID();
    String name = "keyed account " + UUID.randomUUID();
    JsonObject body = new JsonObject().put("ownerId", "tina").put("name", name).put("currency", "USD")
      .put("balance", "2500");
    Http.Res first = app.http.post("/api/v1/accounts", admin(), body, key(k));
    assertThat(first.status()).as(first.body()).isEqualTo(201);
    Http.Res second = app.http.post("/api/v1/accounts", admin(), body, key(k));
    assertThat(second.status()).isEqualTo(201);
    assertThat(second.header(IDEMPOTENT_REPLAYED)).isEqualTo("true");
    assertThat(second.json().getString("id")).isEqualTo(first.json().getString("id"));
    assertThat(second.json()).isEqualTo(first.json());
    assertThat(count("SELECT count(*) FROM accounts WHERE name = ?", name)).isEqualTo(1);

    Http.Res other = app.http.post("/api/v1/accounts", admin(), body.copy().put("balance", "2600"), key(k));
    assertThat(other.status()).as(other.body()).isEqualTo(422);
    assertThat(other.json().getString("code")).isEqualTo("IDEMPOTENCY_KEY_REUSED");
    assertThat(count("SELECT count(*) FROM accounts WHERE name = ?", name)).isEqualTo(1);
  }

  @Test
  void cancelWithAKeyIsReplayedInsteadOfConflicting() throws Exception {
    String account = newAccount("tina", "100000");
    Http.Res o1 = app.http.post("/api/v1/orders", trader("tina"), buy(account));
    Http.Res o2 = app.http.post("/api/v1/orders", trader("tina"), buy(account));
    assertThat(o1.status()).isEqualTo(201);
    assertThat(o2.status()).isEqualTo(201);
    assertThat(reserved("tina", account)).isEqualByComparingTo("2000.00");
    String id = o1.json().getString("id");
    String k = "cancel-" + UUID.randomUUID();

    Http.Res first = app.http.send("DELETE", "/api/v1/orders/" + id, trader("tina"), null, key(k));
    assertThat(first.status()).as(first.body()).isEqualTo(200);
    assertThat(first.json().getString("status")).isEqualTo("cancelled");
    Http.Res second = app.http.send("DELETE", "/api/v1/orders/" + id, trader("tina"), null, key(k));
    assertThat(second.status()).as(second.body()).isEqualTo(200);
    assertThat(second.header(IDEMPOTENT_REPLAYED)).isEqualTo("true");
    assertThat(second.json()).isEqualTo(first.json());

    // funds released once, one cancel recorded
    assertThat(reserved("tina", account)).isEqualByComparingTo("1000.00");
    assertThat(count("SELECT count(*) FROM execution_logs WHERE order_id = ? AND event_type = 'CANCELLED'",
      UUID.fromString(id))).isEqualTo(1);
    assertThat(count("SELECT count(*) FROM order_modifications WHERE order_id = ?", UUID.fromString(id))).isEqualTo(1);

    // control: without the key a repeated cancel is refused
    Http.Res unkeyed = app.http.delete("/api/v1/orders/" + id, trader("tina"));
    assertThat(unkeyed.status()).as(unkeyed.body()).isEqualTo(400);
    assertThat(unkeyed.json().getString("code")).isEqualTo("ORDER_NOT_CANCELLABLE");

    // the POST form of cancel works the same way
    String id2 = o2.json().getString("id");
    String k2 = "cancel-post-" + UUID.randomUUID();
    JsonObject reason = new JsonObject().put("reason", "changed my mind");
    Http.Res p1 = app.http.post("/api/v1/orders/" + id2 + "/cancel", trader("tina"), reason, key(k2));
    Http.Res p2 = app.http.post("/api/v1/orders/" + id2 + "/cancel", trader("tina"), reason, key(k2));
    assertThat(p1.status()).as(p1.body()).isEqualTo(200);
    assertThat(p2.status()).as(p2.body()).isEqualTo(200);
    assertThat(p2.header(IDEMPOTENT_REPLAYED)).isEqualTo("true");
    assertThat(p2.json()).isEqualTo(p1.json());
    assertThat(reserved("tina", account)).isEqualByComparingTo("0");
  }

  @Test
  void aClientErrorIsReplayedToo() throws Exception {
    // 1500.00: one buy of 1000.00 fits, a second does not until the first is cancelled
    String account = newAccount("tina", "1500");
    Http.Res holder = app.http.post("/api/v1/orders", trader("tina"), buy(account));
    assertThat(holder.status()).as(holder.body()).isEqualTo(201);

    String k = "poor-" + UUID.randomUUID();
    Http.Res first = app.http.post("/api/v1/orders", trader("tina"), buy(account), key(k));
    assertThat(first.status()).as(first.body()).isBetween(400, 499);
    assertThat(first.json().getString("code")).isEqualTo("INSUFFICIENT_FUNDS");

    // the funds are back: re-running the request would now succeed, but the key replays the refusal
    Http.Res cancel = app.http.delete("/api/v1/orders/" + holder.json().getString("id"), trader("tina"));
    assertThat(cancel.status()).as(cancel.body()).isEqualTo(200);
    assertThat(reserved("tina", account)).isEqualByComparingTo("0");

    Http.Res replay = app.http.post("/api/v1/orders", trader("tina"), buy(account), key(k));
    assertThat(replay.status()).isEqualTo(first.status());
    assertThat(replay.header(IDEMPOTENT_REPLAYED)).isEqualTo("true");
    assertThat(replay.header("Content-Type")).startsWith("application/problem+json");
    assertThat(replay.json()).isEqualTo(first.json());
    assertThat(ordersOf(account)).isEqualTo(1);

    // control: the same body without the key is accepted now
    Http.Res now = app.http.post("/api/v1/orders", trader("tina"), buy(account));
    assertThat(now.status()).as(now.body()).isEqualTo(201);
  }

  @Test
  void twentyConcurrentRequestsWithOneKeyCreateOneOrder() throws Exception {
    String account = newAccount("tina", "100000");
    String k = "burst-" + UUID.randomUUID();
    List<HttpResponse<String>> responses = concurrently(20, "POST", "/api/v1/orders", trader("tina"), buy(account), key(k));

    int fresh = 0;
    int replays = 0;
    int inProgress = 0;
    Set<String> ids = new HashSet<>();
    for (HttpResponse<String> r : responses) {
      JsonObject body = new JsonObject(r.body());
      boolean replayed = "true".equals(r.headers().firstValue(IDEMPOTENT_REPLAYED).orElse(null));
      if (r.statusCode() == 201) {
        ids.add(body.getString("id"));
        if (replayed) replays++;
        else fresh++;
      } else if (r.statusCode() == 409) {
        assertThat(body.getString("code")).as(r.body()).isEqualTo("IDEMPOTENCY_KEY_IN_PROGRESS");
        inProgress++;
      } else {
        throw new AssertionError("unexpected " + r.statusCode() + " " + r.body());
      }
    }
    assertThat(fresh).as("one request acted").isEqualTo(1);
    assertThat(fresh + replays + inProgress).isEqualTo(20);
    assertThat(ids).hasSize(1);
    assertThat(ordersOf(account)).isEqualTo(1);
    assertThat(reserved("tina", account)).isEqualByComparingTo("1000.00");

    // once settled, the key replays the one order
    Http.Res after = app.http.post("/api/v1/orders", trader("tina"), buy(account), key(k));
    assertThat(after.status()).isEqualTo(201);
    assertThat(after.header(IDEMPOTENT_REPLAYED)).isEqualTo("true");
    assertThat(ids).containsExactly(after.json().getString("id"));
  }
}
