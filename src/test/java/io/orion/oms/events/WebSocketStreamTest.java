package io.orion.oms.events;

import io.orion.oms.support.Await;
import io.orion.oms.support.Http;
import io.orion.oms.support.TestApp;
import io.orion.oms.support.TestServices;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/** The plain WebSocket stream against a whole service with simulated FIX LPs: real orders, real fills. */
class WebSocketStreamTest {
  static TestApp app;
  static String token;
  static String account;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.startWithLps(new JsonObject().put("streaming", new JsonObject()
      .put("maxConnectionsPerUser", 3).put("sendQueueMaxMessages", 50).put("heartbeatIntervalMs", 500)));
    token = app.demoTraderToken();
    account = app.demoAccountId();
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  static String ticket(String jwt) {
    Http.Res r = app.http.post("/api/v1/stream-tickets", jwt, null);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    assertThat(r.json().getString("webSocketUrl")).startsWith("/ws/orders/events?ticket=");
    return r.json().getString("ticket");
  }

  static WsClient connect(String jwt) throws Exception {
    WsClient c = WsClient.connect(app.app().vertx(), app.app().httpPort(), "ticket=" + ticket(jwt));
    assertThat(c.next(5).getString("type")).isEqualTo("connection_acknowledged");
    return c;
  }

  static JsonObject subscribe(WsClient c, JsonObject sub) throws InterruptedException {
    c.send(sub.copy().put("type", "subscribe"));
    List<JsonObject> got = c.until(m -> "subscribed".equals(m.getString("type")) || "error".equals(m.getString("type")), 5);
    JsonObject ack = got.get(got.size() - 1);
    assertThat(ack.getString("type")).as(ack.encode()).isEqualTo("subscribed");
    return ack;
  }

  static String submitMarket(long qty) {
    Http.Res r = app.http.post("/api/v1/orders", token, new JsonObject().put("clientId", account)
      .put("instrumentId", "EURUSD").put("side", "buy").put("orderType", "market").put("timeInForce", "ioc")
      .put("quantity", qty));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json().getString("id");
  }

  static long headSeq() throws Exception {
    try (Connection c = TestServices.jdbc(app.config().database().url()); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT event_seq FROM accounts WHERE id = '" + account + "'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static List<String> typesInOutbox(long after) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = TestServices.jdbc(app.config().database().url()); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT event_type FROM events WHERE account_id = '" + account
           + "' AND seq > " + after + " ORDER BY seq")) {
      while (rs.next()) out.add(rs.getString(1));
    }
    return out;
  }

  static boolean isFinal(JsonObject m, String orderId) {
    String t = m.getString("type");
    return m.getJsonObject("data") != null && orderId.equals(m.getJsonObject("data").getString("id"))
      && (t.equals("order.filled") || t.equals("order.cancelled") || t.equals("order.rejected"));
  }

  @Test
  void everyEventOfAnOrdersLifeArrivesInSeqOrderWithPublicFieldsOnly() throws Exception {
    try (WsClient c = connect(token)) {
      long head = headSeq();
      subscribe(c, new JsonObject().put("channel", "account").put("clientId", account).put("sinceSeq", head));
      String orderId = submitMarket(10_000);
      List<JsonObject> got = c.until(m -> isFinal(m, orderId), 20);
      List<String> types = got.stream().map(m -> m.getString("type")).toList();
      assertThat(types).as(types.toString()).containsSubsequence("order.created", "trade.executed", "order.filled");
      assertThat(types).contains("balance.updated", "position.opened");
      assertThat(types.indexOf("trade.executed")).isLessThan(types.indexOf("order.filled"));
      long expected = head + 1;
      for (JsonObject m : got) {
        assertThat(m.getLong("seq")).as(m.encode()).isEqualTo(expected++);
        assertThat(m.getString("channel")).isEqualTo("account");
        assertThat(m.getString("clientId")).isEqualTo(account);
        assertThat(m.getString("timestamp")).isNotBlank();
        assertThat(m.getJsonObject("data").fieldNames()).doesNotContain("tenantId", "submittedBy", "reservedAmount",
          "lpOrderId", "clOrdId", "execId");
      }
      // the stream is the outbox, one to one
      assertThat(types).isEqualTo(typesInOutbox(head).subList(0, types.size()));

      // a held order: created, modified, cancelled, on the orders channel only (no balance or position events)
      subscribe(c, new JsonObject().put("channel", "orders").put("clientId", account));
      Http.Res stop = app.http.post("/api/v1/orders", token, new JsonObject().put("clientId", account)
        .put("instrumentId", "AAPL").put("side", "sell").put("orderType", "stop").put("timeInForce", "gtc")
        .put("quantity", 5).put("stopPrice", "100.00"));
      assertThat(stop.status()).as(stop.body()).isEqualTo(201);
      String stopId = stop.json().getString("id");
      assertThat(app.http.put("/api/v1/orders/" + stopId, token, new JsonObject().put("stopPrice", "99.00"),
        java.util.Map.of()).status()).isEqualTo(200);
      assertThat(app.http.delete("/api/v1/orders/" + stopId, token).status()).isEqualTo(200);
      List<JsonObject> life = c.until(m -> "orders".equals(m.getString("channel")) && isFinal(m, stopId), 10);
      List<String> ordersChannel = life.stream().filter(m -> "orders".equals(m.getString("channel")))
        .map(m -> m.getString("type")).toList();
      assertThat(ordersChannel).containsExactly("order.created", "order.modified", "order.cancelled");
    }
  }

  @Test
  void aUserCannotSubscribeToAnotherUsersOrTenantsAccountAndReceivesNothingOfIt() throws Exception {
    String mallory = app.token(app.config().demo().tenant(), "mallory", "trader");
    String outsider = app.token("other-tenant", app.config().demo().traderId(), "trader", "admin");
    try (WsClient m = connect(mallory); WsClient o = connect(outsider)) {
      m.send(new JsonObject().put("type", "subscribe").put("channel", "orders").put("clientId", account));
      JsonObject err = m.next(5);
      assertThat(err.getString("type")).isEqualTo("error");
      assertThat(err.getString("code")).isEqualTo("ACCOUNT_NOT_FOUND");
      o.send(new JsonObject().put("type", "subscribe").put("channel", "account").put("clientId", account));
      assertThat(o.next(5).getString("code")).isEqualTo("ACCOUNT_NOT_FOUND");
      // what they may subscribe to (their own accounts, their own tenant) carries none of it
      subscribe(m, new JsonObject().put("channel", "account"));
      subscribe(o, new JsonObject().put("channel", "account"));
      String orderId = submitMarket(1000);
      Await.until(() -> "filled".equals(app.http.get("/api/v1/orders/" + orderId, token).json().getString("status"))
        ? true : null, "order filled");
      assertThat(m.quietFor(500)).isEmpty();
      assertThat(o.quietFor(0)).isEmpty();
    }
  }

  @Test
  void aClientThatDropsDuringABurstGetsExactlyTheMissedEventsOnReconnect() throws Exception {
    long start = headSeq();
    long lastSeen;
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<CompletableFuture<String>> orders = new ArrayList<>();
    try (WsClient c = connect(token)) {
      subscribe(c, new JsonObject().put("channel", "account").put("clientId", account).put("sinceSeq", start));
      for (int i = 0; i < 20; i++) orders.add(CompletableFuture.supplyAsync(() -> submitMarket(1000), pool));
      List<JsonObject> some = c.until(m -> m.getLong("seq", 0L) >= start + 10, 20);
      lastSeen = some.get(some.size() - 1).getLong("seq");
    } // dropped mid-burst
    for (CompletableFuture<String> f : orders) f.join();
    pool.shutdown();
    for (CompletableFuture<String> f : orders) {
      String id = f.join();
      Await.until(() -> {
        String s = app.http.get("/api/v1/orders/" + id, token).json().getString("status");
        return s.equals("filled") || s.equals("cancelled") || s.equals("rejected") ? s : null;
      }, "order " + id + " final");
    }
    long head = headSeq();
    assertThat(head).isGreaterThan(lastSeen);
    try (WsClient c = connect(token)) {
      subscribe(c, new JsonObject().put("channel", "account").put("clientId", account).put("sinceSeq", lastSeen));
      List<JsonObject> missed = c.until(m -> m.getLong("seq", 0L) == head, 20);
      List<Long> seqs = missed.stream().map(m -> m.getLong("seq")).toList();
      List<Long> expected = new ArrayList<>();
      for (long s = lastSeen + 1; s <= head; s++) expected.add(s);
      assertThat(seqs).isEqualTo(expected);
      assertThat(missed.stream().map(m -> m.getString("type")).toList()).isEqualTo(typesInOutbox(lastSeen));
      assertThat(c.quietFor(300)).isEmpty(); // and nothing twice
    }
  }

  @Test
  void aReplayFromBeforeTheRetainedEventsAsksForAResync() throws Exception {
    submitMarket(1000);
    Await.until(() -> {
      try {
        return headSeq() > 0 ? true : null;
      } catch (Exception e) {
        return null;
      }
    }, "an event");
    try (Connection db = TestServices.jdbc(app.config().database().url()); Statement s = db.createStatement()) {
      s.execute("DELETE FROM events WHERE account_id = '" + account + "' AND seq = 1"); // as the retention purge does
    }
    try (WsClient c = connect(token)) {
      subscribe(c, new JsonObject().put("channel", "account").put("clientId", account).put("sinceSeq", 0));
      JsonObject m = c.next(5);
      assertThat(m.getString("type")).as(m.encode()).isEqualTo("resync_required");
      assertThat(m.getLong("headSeq")).isEqualTo(headSeq());
    }
  }

  @Test
  void anInvalidMessageGetsAnErrorAndTheConnectionLivesOn() throws Exception {
    try (WsClient c = connect(token)) {
      c.ws.writeTextMessage("not json");
      assertThat(c.next(5).getString("code")).isEqualTo("MALFORMED_REQUEST");
      c.send(new JsonObject().put("type", "subscribe").put("channel", "everything").put("clientId", "nope")
        .put("sinceSeq", -1));
      JsonObject err = c.next(5);
      assertThat(err.getString("type")).isEqualTo("error");
      assertThat(err.getString("code")).isEqualTo("VALIDATION_FAILED");
      assertThat(err.getString("detail")).contains("channel", "clientId", "sinceSeq");
      c.send(new JsonObject().put("type", "subscribe").put("channel", "order"));
      assertThat(c.next(5).getString("detail")).contains("orderId is required");
      c.send(new JsonObject().put("type", "dance"));
      assertThat(c.next(5).getString("code")).isEqualTo("VALIDATION_FAILED");
      subscribe(c, new JsonObject().put("channel", "fills").put("clientId", account));
      String orderId = submitMarket(1000);
      JsonObject fill = c.next(20);
      assertThat(fill.getString("type")).isEqualTo("trade.executed");
      assertThat(fill.getJsonObject("data").getString("orderId")).isEqualTo(orderId);
      assertThat(c.closed).isFalse();
    }
  }

  @Test
  void ticketsAreSingleUseAndRequired() throws Exception {
    String t = ticket(token);
    try (WsClient c = WsClient.connect(app.app().vertx(), app.app().httpPort(), "ticket=" + t)) {
      assertThat(c.next(5).getString("type")).isEqualTo("connection_acknowledged");
      assertThat(upgradeStatus("ticket=" + t)).isEqualTo(401);
    }
    assertThat(upgradeStatus("")).isEqualTo(401);
    assertThat(upgradeStatus("token=" + token)).isEqualTo(101);
  }

  @Test
  void theConnectionLimitPerUserIsEnforced() throws Exception {
    String viewer = app.token(app.config().demo().tenant(), "limit-user", "viewer");
    try (WsClient a = connect(viewer); WsClient b = connect(viewer); WsClient c = connect(viewer)) {
      Http.Res refused = rawUpgrade("ticket=" + ticket(viewer));
      assertThat(refused.status()).isEqualTo(429);
      assertThat(refused.json().getString("code")).isEqualTo("TOO_MANY_CONNECTIONS");
      a.close();
      Await.until(() -> a.closed ? true : null, "closed");
      Await.until(() -> rawUpgrade("ticket=" + ticket(viewer)).status() == 101 ? true : null, "a free slot");
    }
  }

  @Test
  void aSlowConsumerIsDisconnected() throws Exception {
    String slowUser = app.token(app.config().demo().tenant(), app.config().demo().traderId(), "trader");
    WsClient c = connect(slowUser);
    subscribe(c, new JsonObject().put("channel", "account").put("clientId", account));
    c.ws.pause(); // stops reading: the server's writes pile up
    String padding = "x".repeat(4000);
    String address = StreamEvent.accountAddress(app.config().demo().tenant(), UUID.fromString(account));
    for (int i = 0; i < 20_000 && !c.closed; i++) {
      String text = new JsonObject().put("type", "balance.updated").put("seq", 1_000_000 + i).put("clientId", account)
        .put("data", new JsonObject().put("padding", padding)).encode();
      app.app().vertx().eventBus().publish(address, text, new DeliveryOptions().addHeader("clientId", account)
        .addHeader("seq", Long.toString(1_000_000 + i)).addHeader("type", "balance.updated")
        .addHeader("tenant", app.config().demo().tenant()));
      if (i % 500 == 0) Thread.sleep(5);
    }
    c.ws.resume();
    Await.until(() -> c.closed ? true : null, "the slow consumer's connection closed");
    assertThat(c.closeStatus).isEqualTo((short) 1008);
    assertThat(c.closeReason).contains("slow consumer");
    c.close();
  }

  /** The status of a plain WebSocket upgrade request (101 when accepted), read without a WebSocket client. */
  static int upgradeStatus(String query) {
    return rawUpgrade(query).status();
  }

  static Http.Res rawUpgrade(String query) {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", app.app().httpPort())) {
      s.setSoTimeout(5000);
      String req = "GET /ws/orders/events?" + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
      s.getOutputStream().write(req.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
        java.nio.charset.StandardCharsets.UTF_8));
      String status = in.readLine();
      int code = Integer.parseInt(status.split(" ")[1]);
      if (code == 101) return new Http.Res(101, "", null);
      int length = 0;
      for (String h = in.readLine(); h != null && !h.isEmpty(); h = in.readLine()) {
        if (h.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(h.substring(15).trim());
      }
      char[] body = new char[length];
      int n = 0;
      while (n < length) n += in.read(body, n, length - n);
      return new Http.Res(code, new String(body), null);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
