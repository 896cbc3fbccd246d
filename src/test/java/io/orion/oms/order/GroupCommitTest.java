package io.orion.oms.order;

import io.orion.oms.support.Http;
import io.orion.oms.support.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Concurrent submissions are committed together (SubmitBatcher) and each keeps the answer it would get alone:
 * funds are checked under the account row lock per order, a clientOrderId is used once, seqs stay gapless.
 */
class GroupCommitTest {
  static TestApp app;
  static ExecutorService pool = Executors.newFixedThreadPool(32);

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start();
  }

  @AfterAll
  static void stop() throws Exception {
    pool.shutdownNow();
    app.close();
  }

  private String account(String owner, String balance) {
    Http.Res r = app.http.post("/api/v1/accounts", app.token("demo", "admin-gc", "admin"), new JsonObject()
      .put("ownerId", owner).put("name", owner).put("currency", "USD").put("balance", balance));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json().getString("id");
  }

  private List<Http.Res> concurrently(String token, List<JsonObject> bodies) throws Exception {
    List<Future<Http.Res>> fs = new ArrayList<>();
    for (JsonObject b : bodies) fs.add(pool.submit(() -> app.http.post("/api/v1/orders", token, b)));
    List<Http.Res> out = new ArrayList<>();
    for (Future<Http.Res> f : fs) out.add(f.get());
    return out;
  }

  private static JsonObject buy(String account, String cid) {
    // a stop is held at the reference price: 10 x 150.00 = 1,500.00
    return new JsonObject().put("clientId", account).put("instrumentId", "AAPL").put("side", "buy")
      .put("orderType", "stop").put("timeInForce", "gtc").put("quantity", 10).put("stopPrice", "100.00")
      .put("clientOrderId", cid);
  }

  @Test
  void fundsShortFailOnlyTheOrdersThatDoNotFit() throws Exception {
    String account = account("gc-funds", "15000");
    String token = app.token("demo", "gc-funds", "trader");
    List<JsonObject> bodies = new ArrayList<>();
    for (int i = 0; i < 30; i++) bodies.add(buy(account, "f-" + i));
    List<Http.Res> res = concurrently(token, bodies);
    long created = res.stream().filter(r -> r.status() == 201).count();
    assertThat(created).isEqualTo(10);
    assertThat(res).filteredOn(r -> r.status() != 201).allSatisfy(r -> {
      assertThat(r.status()).as(r.body()).isEqualTo(400);
      assertThat(r.json().getString("code")).isEqualTo("INSUFFICIENT_FUNDS");
    });
    JsonObject acc = app.http.get("/api/v1/accounts/" + account, token).json();
    assertThat(new BigDecimal(acc.getValue("reserved").toString())).isEqualByComparingTo("15000");
    // only the accepted orders exist, each with its audit trail
    JsonObject list = app.http.get("/api/v1/orders?limit=100", token).json();
    assertThat(list.getJsonArray("data")).hasSize(10);
    String id = list.getJsonArray("data").getJsonObject(0).getString("id");
    assertThat(app.http.get("/api/v1/orders/" + id + "/audit", token).json().getJsonArray("data")).hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void aClientOrderIdSentManyTimesAtOnceMakesOneOrder() throws Exception {
    String account = account("gc-dup", "100000");
    String token = app.token("demo", "gc-dup", "trader");
    List<JsonObject> bodies = new ArrayList<>();
    for (int i = 0; i < 12; i++) bodies.add(buy(account, "same"));
    List<Http.Res> res = concurrently(token, bodies);
    assertThat(res.stream().filter(r -> r.status() == 201).count()).isEqualTo(1);
    assertThat(res).allSatisfy(r -> assertThat(r.status()).as(r.body()).isIn(200, 201));
    assertThat(res.stream().map(r -> r.json().getString("id")).distinct()).hasSize(1);
    JsonObject acc = app.http.get("/api/v1/accounts/" + account, token).json();
    assertThat(new BigDecimal(acc.getValue("reserved").toString())).isEqualByComparingTo("1500");
  }
}
