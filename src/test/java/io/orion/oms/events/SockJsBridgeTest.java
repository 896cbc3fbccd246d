package io.orion.oms.events;

import io.orion.oms.support.Await;
import io.orion.oms.support.Http;
import io.orion.oms.support.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SockJS event-bus bridge spoken to exactly as sockjs-client and the Vert.x event-bus client speak
 * (see {@link SockJsClient}), against a service whose orders are rejected by routing (no LPs): every
 * order still makes order.created, balance.updated, order.rejected and balance.updated.
 */
class SockJsBridgeTest {
  static TestApp app;
  static String token;
  static String account;
  static String tenant;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start();
    token = app.demoTraderToken();
    account = app.demoAccountId();
    tenant = app.config().demo().tenant();
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  static SockJsClient open(String jwt) throws Exception {
    Http.Res r = app.http.post("/api/v1/stream-tickets", jwt, null);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    SockJsClient c = SockJsClient.connect(app.app().vertx(), app.app().httpPort(), "ticket=" + r.json().getString("ticket"));
    Await.until(() -> c.opened ? true : null, "SockJS open frame");
    return c;
  }

  static String accountAddress() {
    return "oms.events." + tenant + "." + account;
  }

  static String submitLimit() {
    Http.Res r = app.http.post("/api/v1/orders", token, new JsonObject().put("clientId", account)
      .put("instrumentId", "AAPL").put("side", "buy").put("orderType", "limit").put("timeInForce", "gtc")
      .put("quantity", 1).put("price", "100.00"));
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json().getString("id");
  }

  /** Bridge messages up to the event {@code type} of {@code orderId}. */
  static List<JsonObject> eventsUntil(SockJsClient c, String type, String orderId) throws InterruptedException {
    List<JsonObject> out = new ArrayList<>();
    while (true) {
      JsonObject m = c.next(10);
      out.add(m);
      JsonObject body = m.getJsonObject("body");
      if (body != null && type.equals(body.getString("type")) && orderId.equals(body.getJsonObject("data").getString("id"))) {
        return out;
      }
    }
  }

  @Test
  void theInfoEndpointAnswersAsSockJsClientExpects() {
    Http.Res info = app.http.get("/eventbus/info", null);
    assertThat(info.status()).isEqualTo(200);
    assertThat(info.json().getBoolean("websocket")).isTrue();
  }

  @Test
  void anOwnerReplaysFromItsLastSeqThenGetsLiveEventsInOrder() throws Exception {
    String first = submitLimit();
    Await.until(() -> "rejected".equals(app.http.get("/api/v1/orders/" + first, token).json().getString("status"))
      ? true : null, "first order rejected");
    try (SockJsClient c = open(token)) {
      c.register(accountAddress(), new JsonObject().put("sinceSeq", "0"));
      List<JsonObject> replayed = eventsUntil(c, "order.rejected", first);
      String second = submitLimit();
      List<JsonObject> live = eventsUntil(c, "order.rejected", second);
      List<JsonObject> all = new ArrayList<>(replayed);
      all.addAll(live);
      long expected = 1;
      for (JsonObject m : all) {
        assertThat(m.getString("type")).as(m.encode()).isEqualTo("rec");
        assertThat(m.getString("address")).isEqualTo(accountAddress());
        assertThat(m.getJsonObject("body").getLong("seq")).as(m.encode()).isEqualTo(expected++);
      }
      assertThat(all.stream().map(m -> m.getJsonObject("body").getString("type")).toList())
        .containsSubsequence("order.created", "order.rejected", "order.created", "order.rejected");
      c.ping();
      assertThat(c.closed).isFalse();
    }
  }

  @Test
  void registeringForAnotherUsersOrTenantsAccountOrTheTenantIsRefusedAndDeliversNothing() throws Exception {
    String mallory = app.token(tenant, "mallory", "trader");
    String outsiderAdmin = app.token("other-tenant", "root", "admin");
    try (SockJsClient m = open(mallory); SockJsClient o = open(outsiderAdmin)) {
      m.register(accountAddress(), null);
      assertThat(m.next(5)).isEqualTo(new JsonObject().put("type", "err").put("body", "rejected"));
      m.register("oms.events." + tenant, null); // the tenant-wide address is for admins and compliance
      assertThat(m.next(5).getString("body")).isEqualTo("rejected");
      m.register("oms.orders.submit", null); // not an event address at all
      assertThat(m.next(5).getString("type")).isEqualTo("err");
      o.register(accountAddress(), null);
      assertThat(o.next(5).getString("body")).isEqualTo("rejected");
      o.register("oms.events." + tenant, null);
      assertThat(o.next(5).getString("body")).isEqualTo("rejected");
      // nothing can be sent into the service through the bridge
      m.sendBridge(new JsonObject().put("type", "send").put("address", "oms.orders.submit").put("body", new JsonObject()));
      assertThat(m.next(5).getString("type")).isEqualTo("err");
      m.sendBridge(new JsonObject().put("type", "publish").put("address", accountAddress()).put("body", new JsonObject()));
      assertThat(m.next(5).getString("type")).isEqualTo("err");

      String id = submitLimit();
      Await.until(() -> "rejected".equals(app.http.get("/api/v1/orders/" + id, token).json().getString("status"))
        ? true : null, "order rejected");
      assertThat(m.poll(500)).isNull();
      assertThat(o.poll(0)).isNull();
    }
  }

  @Test
  void anAdminMayFollowTheWholeTenant() throws Exception {
    try (SockJsClient admin = open(app.demoAdminToken())) {
      admin.register("oms.events." + tenant, null);
      Thread.sleep(200); // registration has no acknowledgement in the bridge protocol
      String id = submitLimit();
      List<JsonObject> got = eventsUntil(admin, "order.created", id);
      assertThat(got.get(got.size() - 1).getString("address")).isEqualTo("oms.events." + tenant);
    }
  }

  @Test
  void aSocketWithoutAValidTicketIsClosed() throws Exception {
    SockJsClient c = SockJsClient.connect(app.app().vertx(), app.app().httpPort(), "ticket=" + UUID.randomUUID());
    Await.until(() -> c.closed ? true : null, "socket closed");
    c.close();
    SockJsClient none = SockJsClient.connect(app.app().vertx(), app.app().httpPort(), null);
    Await.until(() -> none.closed ? true : null, "socket closed");
    none.close();
  }
}
