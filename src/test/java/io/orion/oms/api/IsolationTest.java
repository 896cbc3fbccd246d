package io.orion.oms.api;

import io.orion.oms.support.Http;
import io.orion.oms.support.TestApp;
import io.orion.oms.support.TestServices;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tenant and owner isolation over real HTTP: two tenants ("acme", "globex"), each with the SAME two trader
 * user ids ("alice", "bob") so that a query scoped by owner but not by tenant would leak, an admin, and
 * read-only roles. Every trader holds one account and one pending buy order. The service has no LPs, so
 * the orders are of a held type (stop_limit, stop far above the market): never routed, they stay pending
 * (a limit order would be rejected by routing a moment after it is accepted).
 */
class IsolationTest {
  static final String ACME = "acme";
  static final String GLOBEX = "globex";

  static TestApp app;

  /** One trader's account and order, as created in setup. */
  record Seat(String tenant, String user, String accountId, String orderId, String orderRef, String clientOrderId) {}

  static Seat acmeAlice;
  static Seat acmeBob;
  static Seat globexAlice;
  static Seat globexBob;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start();
    acmeAlice = seat(ACME, "alice");
    acmeBob = seat(ACME, "bob");
    globexAlice = seat(GLOBEX, "alice");
    globexBob = seat(GLOBEX, "bob");
  }

  @AfterAll
  static void stop() throws Exception {
    if (app != null) app.close();
  }

  // ---------------------------------------------------------------- setup helpers

  static String admin(String tenant) {
    return app.token(tenant, "root", "admin");
  }

  static String trader(Seat s) {
    return app.token(s.tenant(), s.user(), "trader");
  }

  static String compliance(String tenant) {
    return app.token(tenant, "auditor", "compliance");
  }

  /** An admin of the tenant creates the user's account; the user (as trader) submits one pending buy order. */
  static Seat seat(String tenant, String user) {
    JsonObject newAccount = new JsonObject().put("ownerId", user).put("name", tenant + "/" + user)
      .put("currency", "USD").put("balance", "100000");
    Http.Res acc = app.http.post("/api/v1/accounts", admin(tenant), newAccount);
    assertThat(acc.status()).as(acc.body()).isEqualTo(201);
    assertThat(acc.json().getString("ownerId")).isEqualTo(user);
    String accountId = acc.json().getString("id");

    String coid = "shared-coid-1"; // the same clientOrderId everywhere: it must never cross accounts
    Http.Res o = app.http.post("/api/v1/orders", app.token(tenant, user, "trader"),
      order(accountId).put("clientOrderId", coid));
    assertThat(o.status()).as(o.body()).isEqualTo(201);
    return new Seat(tenant, user, accountId, o.json().getString("id"), o.json().getString("orderRef"), coid);
  }

  /** A buy of 10 AAPL that stays pending: stop_limit at 100.00, stop 1000.00 (AAPL is at 150.00). Holds 1000.00. */
  static JsonObject order(String accountId) {
    return new JsonObject().put("clientId", accountId).put("instrumentId", "AAPL").put("side", "buy")
      .put("orderType", "stop_limit").put("timeInForce", "gtc").put("quantity", 10).put("price", "100.00")
      .put("stopPrice", "1000.00");
  }

  static List<Seat> all() {
    return List.of(acmeAlice, acmeBob, globexAlice, globexBob);
  }

  static List<Seat> others(Seat me) {
    return all().stream().filter(s -> s != me).toList();
  }

  static Set<String> ids(JsonArray data) {
    Set<String> out = new java.util.HashSet<>();
    data.forEach(o -> out.add(((JsonObject) o).getString("id")));
    return out;
  }

  static Set<String> clientIds(JsonArray data) {
    Set<String> out = new java.util.HashSet<>();
    data.forEach(o -> out.add(((JsonObject) o).getString("clientId")));
    return out;
  }

  static JsonObject orders(String token, String query) {
    Http.Res r = app.http.get("/api/v1/orders?limit=100" + query, token);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    JsonObject page = r.json();
    assertThat(page.getLong("total")).as("total matches the page (all fit on one page): " + r.body())
      .isEqualTo((long) page.getJsonArray("data").size());
    return page;
  }

  static JsonArray accounts(String token) {
    Http.Res r = app.http.get("/api/v1/accounts", token);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json().getJsonArray("data");
  }

  static void assertProblem(Http.Res r, int status, String code) {
    assertThat(r.status()).as(r.toString()).isEqualTo(status);
    assertThat(r.header("Content-Type")).as(r.toString()).startsWith("application/problem+json");
    assertThat(r.json().getString("code")).as(r.toString()).isEqualTo(code);
  }

  /** A 404 about someone else's order: the problem, and none of the order's data. */
  static void assertHidden(Http.Res r, Seat owner) {
    assertProblem(r, 404, "ORDER_NOT_FOUND");
    // what the caller sent (the id or the ref, echoed in detail and instance) is no secret; anything else is
    String body = r.body().replace(owner.orderId(), "<id>").replace(owner.orderRef(), "<ref>");
    String asked = r.json().getString("instance");
    if (asked.contains(owner.orderRef())) {
      assertThat(body).doesNotContain("<id>");
    } else {
      assertThat(body).doesNotContain("<ref>");
    }
    assertThat(body).doesNotContain(owner.accountId()).doesNotContain("instrumentId").doesNotContain("AAPL")
      .doesNotContain("clientOrderId").doesNotContain(owner.clientOrderId());
  }

  static void assertAccountHidden(Http.Res r, Seat owner) {
    assertProblem(r, 404, "ACCOUNT_NOT_FOUND");
    assertThat(r.body()).doesNotContain("balance").doesNotContain(owner.tenant() + "/" + owner.user());
  }

  /** The order as its owner sees it (also proves it still exists, unchanged by the attempt of another). */
  static JsonObject asOwner(Seat s) {
    Http.Res r = app.http.get("/api/v1/orders/" + s.orderId(), trader(s));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  static JsonObject accountAsOwner(Seat s) {
    Http.Res r = app.http.get("/api/v1/accounts/" + s.accountId(), trader(s));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  static BigDecimal dec(Object v) {
    return new BigDecimal(v.toString());
  }

  static long dbCount(String sql, Object... args) throws Exception {
    try (Connection c = TestServices.jdbc(app.config().database().url()); PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  // ---------------------------------------------------------------- traders

  @Test
  void traderListsOnlyItsOwnAccounts() {
    for (Seat me : all()) {
      JsonArray list = accounts(trader(me));
      assertThat(ids(list)).as(me + " sees exactly its own account").containsExactly(me.accountId());
      assertThat(list.getJsonObject(0).getString("ownerId")).isEqualTo(me.user());
      for (Seat other : others(me)) {
        assertAccountHidden(app.http.get("/api/v1/accounts/" + other.accountId(), trader(me)), other);
      }
      assertThat(app.http.get("/api/v1/accounts/" + me.accountId(), trader(me)).status()).isEqualTo(200);
    }
  }

  @Test
  void traderSeesOnlyItsOwnOrders() {
    for (Seat me : all()) {
      String token = trader(me);
      JsonObject page = orders(token, "");
      assertThat(ids(page.getJsonArray("data"))).as(me + "'s order list").contains(me.orderId());
      assertThat(clientIds(page.getJsonArray("data"))).as(me + " sees orders of its own account only")
        .containsOnly(me.accountId());

      // its own order is readable every way
      assertThat(app.http.get("/api/v1/orders/" + me.orderId(), token).status()).isEqualTo(200);
      Http.Res byRef = app.http.get("/api/v1/orders/ref/" + me.orderRef(), token);
      assertThat(byRef.status()).as(byRef.body()).isEqualTo(200);
      assertThat(byRef.json().getString("id")).isEqualTo(me.orderId());
      assertThat(app.http.get("/api/v1/orders/" + me.orderId() + "/fills", token).status()).isEqualTo(200);
      assertThat(app.http.get("/api/v1/orders/" + me.orderId() + "/history", token).status()).isEqualTo(200);
      Http.Res audit = app.http.get("/api/v1/orders/" + me.orderId() + "/audit", token);
      assertThat(audit.status()).isEqualTo(200);
      assertThat(audit.json().getInteger("total")).isGreaterThanOrEqualTo(1);

      // nobody else's, in the same tenant or another one, even with the same user id
      for (Seat other : others(me)) {
        String id = other.orderId();
        assertHidden(app.http.get("/api/v1/orders/" + id, token), other);
        assertHidden(app.http.get("/api/v1/orders/ref/" + other.orderRef(), token), other);
        assertHidden(app.http.get("/api/v1/orders/" + id + "/fills", token), other);
        assertHidden(app.http.get("/api/v1/orders/" + id + "/history", token), other);
        assertHidden(app.http.get("/api/v1/orders/" + id + "/audit", token), other);
      }
    }
  }

  @Test
  void anotherUsersOrderLooksExactlyLikeAMissingOne() {
    String token = trader(acmeAlice);
    Http.Res foreign = app.http.get("/api/v1/orders/" + globexAlice.orderId(), token);
    String missingId = UUID.randomUUID().toString();
    Http.Res missing = app.http.get("/api/v1/orders/" + missingId, token);
    assertProblem(missing, 404, "ORDER_NOT_FOUND");
    JsonObject a = foreign.json();
    JsonObject b = missing.json();
    a.remove("instance");
    b.remove("instance");
    assertThat(a.getString("detail").replace(globexAlice.orderId(), "X"))
      .isEqualTo(b.getString("detail").replace(missingId, "X"));
    a.remove("detail");
    b.remove("detail");
    assertThat(a).isEqualTo(b);
  }

  @Test
  void traderCannotSubmitToAnotherTradersAccountInItsTenant() throws Exception {
    long before = dbCount("SELECT count(*) FROM orders WHERE account_id = ?", UUID.fromString(acmeBob.accountId()));
    BigDecimal reservedBefore = dec(accountAsOwner(acmeBob).getValue("reserved"));

    // a fresh clientOrderId, and the owner's own clientOrderId (must not return the owner's order either)
    for (String coid : List.of("intruder-" + UUID.randomUUID(), acmeBob.clientOrderId())) {
      Http.Res r = app.http.post("/api/v1/orders", trader(acmeAlice), order(acmeBob.accountId()).put("clientOrderId", coid));
      assertProblem(r, 404, "ACCOUNT_NOT_FOUND");
      assertThat(r.body()).doesNotContain(acmeBob.orderId()).doesNotContain(acmeBob.orderRef());
    }
    Http.Res r = app.http.post("/api/v1/orders", trader(acmeAlice), order(acmeBob.accountId()),
      Map.of("Idempotency-Key", "intrude-" + UUID.randomUUID()));
    assertProblem(r, 404, "ACCOUNT_NOT_FOUND");

    assertThat(dbCount("SELECT count(*) FROM orders WHERE account_id = ?", UUID.fromString(acmeBob.accountId())))
      .as("no order created on bob's account").isEqualTo(before);
    assertThat(dec(accountAsOwner(acmeBob).getValue("reserved"))).isEqualByComparingTo(reservedBefore);
    assertThat(dbCount("SELECT count(*) FROM orders WHERE tenant_id = ? AND submitted_by = 'alice' AND account_id <> ?",
      ACME, UUID.fromString(acmeAlice.accountId())))
      .as("alice@acme submitted nothing but on her own account").isZero();
  }

  @Test
  void traderCannotSubmitToAnotherTenantsAccount() throws Exception {
    // same user id "alice" in the other tenant: a check on the owner id alone would let this through
    for (Seat victim : List.of(globexAlice, globexBob)) {
      long before = dbCount("SELECT count(*) FROM orders WHERE account_id = ?", UUID.fromString(victim.accountId()));
      BigDecimal reservedBefore = dec(accountAsOwner(victim).getValue("reserved"));
      for (String coid : List.of("cross-" + UUID.randomUUID(), victim.clientOrderId())) {
        Http.Res r = app.http.post("/api/v1/orders", trader(acmeAlice),
          order(victim.accountId()).put("clientOrderId", coid));
        assertProblem(r, 404, "ACCOUNT_NOT_FOUND");
        assertThat(r.body()).doesNotContain(victim.orderId()).doesNotContain(victim.orderRef());
      }
      // an admin of acme may not either (it would be 403 in its own tenant; here the account does not exist for it)
      assertProblem(app.http.post("/api/v1/orders", admin(ACME), order(victim.accountId())), 404, "ACCOUNT_NOT_FOUND");
      assertThat(dbCount("SELECT count(*) FROM orders WHERE account_id = ?", UUID.fromString(victim.accountId())))
        .isEqualTo(before);
      assertThat(dbCount("SELECT count(*) FROM orders WHERE account_id = ? AND tenant_id <> ?",
        UUID.fromString(victim.accountId()), victim.tenant())).isZero();
      assertThat(dec(accountAsOwner(victim).getValue("reserved"))).isEqualByComparingTo(reservedBefore);
    }
  }

  @Test
  void traderCannotCancelAnotherUsersOrders() {
    for (Seat victim : List.of(acmeBob, globexAlice, globexBob)) {
      String token = trader(acmeAlice);
      assertHidden(app.http.delete("/api/v1/orders/" + victim.orderId(), token), victim);
      assertHidden(app.http.post("/api/v1/orders/" + victim.orderId() + "/cancel", token, new JsonObject()), victim);
      assertHidden(app.http.send("DELETE", "/api/v1/orders/" + victim.orderId(), token, null,
        Map.of("Idempotency-Key", "steal-" + UUID.randomUUID())), victim);

      assertHidden(app.http.put("/api/v1/orders/" + victim.orderId(), token, new JsonObject().put("quantity", 1),
        Map.of()), victim);

      Http.Res bulk = app.http.delete("/api/v1/orders?ids=" + victim.orderId(), token);
      assertThat(bulk.status()).as(bulk.body()).isEqualTo(200);
      JsonObject result = bulk.json().getJsonArray("results").getJsonObject(0);
      assertThat(result.getBoolean("ok")).as(bulk.body()).isFalse();
      assertThat(result.getString("code")).isEqualTo("ORDER_NOT_FOUND");

      JsonObject still = asOwner(victim);
      assertThat(still.getString("status")).as("victim's order untouched").isEqualTo("pending");
      assertThat(still.getLong("version")).isZero();
      assertThat(dec(accountAsOwner(victim).getValue("reserved"))).isEqualByComparingTo("1000.00");
    }
  }

  // ---------------------------------------------------------------- admins

  @Test
  void adminSeesItsWholeTenantButNothingOfTheOther() {
    for (String tenant : List.of(ACME, GLOBEX)) {
      String token = admin(tenant);
      List<Seat> mine = all().stream().filter(s -> s.tenant().equals(tenant)).toList();
      List<Seat> theirs = all().stream().filter(s -> !s.tenant().equals(tenant)).toList();

      Set<String> accountIds = ids(accounts(token));
      assertThat(accountIds).containsAll(mine.stream().map(Seat::accountId).toList());
      assertThat(accountIds).doesNotContainAnyElementsOf(theirs.stream().map(Seat::accountId).toList());

      JsonArray data = orders(token, "").getJsonArray("data");
      assertThat(ids(data)).containsAll(mine.stream().map(Seat::orderId).toList());
      assertThat(ids(data)).doesNotContainAnyElementsOf(theirs.stream().map(Seat::orderId).toList());
      assertThat(clientIds(data)).doesNotContainAnyElementsOf(theirs.stream().map(Seat::accountId).toList());

      for (Seat s : mine) {
        assertThat(app.http.get("/api/v1/orders/" + s.orderId(), token).status()).isEqualTo(200);
        assertThat(app.http.get("/api/v1/orders/ref/" + s.orderRef(), token).status()).isEqualTo(200);
        assertThat(app.http.get("/api/v1/orders/" + s.orderId() + "/audit", token).status()).isEqualTo(200);
        assertThat(app.http.get("/api/v1/accounts/" + s.accountId(), token).status()).isEqualTo(200);
      }
      for (Seat s : theirs) {
        assertAccountHidden(app.http.get("/api/v1/accounts/" + s.accountId(), token), s);
        assertHidden(app.http.get("/api/v1/orders/" + s.orderId(), token), s);
        assertHidden(app.http.get("/api/v1/orders/ref/" + s.orderRef(), token), s);
        assertHidden(app.http.get("/api/v1/orders/" + s.orderId() + "/fills", token), s);
        assertHidden(app.http.get("/api/v1/orders/" + s.orderId() + "/history", token), s);
        assertHidden(app.http.get("/api/v1/orders/" + s.orderId() + "/audit", token), s);
        assertHidden(app.http.delete("/api/v1/orders/" + s.orderId(), token), s);
        assertThat(asOwner(s).getString("status")).isEqualTo("pending");
      }
    }
  }

  @Test
  void adminCancelsAnOrderOfItsTenantButTradingStaysWithTheOwner() {
    // a fresh order, so that the shared ones stay pending
    Http.Res o = app.http.post("/api/v1/orders", trader(acmeBob), order(acmeBob.accountId()).put("quantity", 1));
    assertThat(o.status()).as(o.body()).isEqualTo(201);
    String id = o.json().getString("id");

    // the admin sees bob's account but may not trade it
    assertProblem(app.http.post("/api/v1/orders", admin(ACME), order(acmeBob.accountId())), 403, "FORBIDDEN");

    Http.Res c = app.http.delete("/api/v1/orders/" + id + "?reason=ops", admin(ACME));
    assertThat(c.status()).as(c.body()).isEqualTo(200);
    assertThat(c.json().getString("status")).isEqualTo("cancelled");
    assertThat(dec(accountAsOwner(acmeBob).getValue("reserved"))).isEqualByComparingTo("1000.00");
  }

  // ---------------------------------------------------------------- read-only roles

  @Test
  void complianceReadsTheWholeTenantButCannotSubmitOrCancel() throws Exception {
    String token = compliance(ACME);
    Set<String> accountIds = ids(accounts(token));
    assertThat(accountIds).contains(acmeAlice.accountId(), acmeBob.accountId())
      .doesNotContain(globexAlice.accountId(), globexBob.accountId());
    Set<String> orderIds = ids(orders(token, "").getJsonArray("data"));
    assertThat(orderIds).contains(acmeAlice.orderId(), acmeBob.orderId())
      .doesNotContain(globexAlice.orderId(), globexBob.orderId());
    for (Seat s : List.of(acmeAlice, acmeBob)) {
      assertThat(app.http.get("/api/v1/orders/" + s.orderId(), token).status()).isEqualTo(200);
      assertThat(app.http.get("/api/v1/orders/" + s.orderId() + "/audit", token).status()).isEqualTo(200);
      assertThat(app.http.get("/api/v1/orders/" + s.orderId() + "/history", token).status()).isEqualTo(200);
    }
    for (Seat s : List.of(globexAlice, globexBob)) {
      assertHidden(app.http.get("/api/v1/orders/" + s.orderId(), token), s);
      assertAccountHidden(app.http.get("/api/v1/accounts/" + s.accountId(), token), s);
    }

    long ordersBefore = dbCount("SELECT count(*) FROM orders WHERE tenant_id = ?", ACME);
    Http.Res submit = app.http.post("/api/v1/orders", token, order(acmeAlice.accountId()).put("clientOrderId", "comp-1"));
    assertProblem(submit, 403, "FORBIDDEN");
    // compliance with its own account (owner "auditor") still may not trade
    Http.Res own = app.http.post("/api/v1/accounts", admin(ACME), new JsonObject().put("ownerId", "auditor")
      .put("name", "auditor's").put("currency", "USD").put("balance", "5000"));
    assertThat(own.status()).as(own.body()).isEqualTo(201);
    assertProblem(app.http.post("/api/v1/orders", token, order(own.json().getString("id"))), 403, "FORBIDDEN");
    assertThat(dbCount("SELECT count(*) FROM orders WHERE tenant_id = ?", ACME)).isEqualTo(ordersBefore);

    assertProblem(app.http.delete("/api/v1/orders/" + acmeAlice.orderId(), token), 403, "FORBIDDEN");
    assertProblem(app.http.post("/api/v1/orders/" + acmeAlice.orderId() + "/cancel", token, new JsonObject()),
      403, "FORBIDDEN");
    assertProblem(app.http.put("/api/v1/orders/" + acmeAlice.orderId(), token, new JsonObject().put("quantity", 1),
      Map.of()), 403, "FORBIDDEN");
    Http.Res bulk = app.http.delete("/api/v1/orders?ids=" + acmeAlice.orderId(), token);
    assertThat(bulk.json().getJsonArray("results").getJsonObject(0).getString("code")).as(bulk.body())
      .isEqualTo("FORBIDDEN");
    assertThat(asOwner(acmeAlice).getString("status")).isEqualTo("pending");
    assertThat(asOwner(acmeAlice).getLong("version")).isZero();
    assertThat(dec(accountAsOwner(acmeAlice).getValue("reserved"))).isEqualByComparingTo("1000.00");

    // and compliance cannot create accounts
    assertProblem(app.http.post("/api/v1/accounts", token, new JsonObject().put("ownerId", "x").put("name", "x")
      .put("currency", "USD")), 403, "FORBIDDEN");
  }

  @Test
  void viewerReadsOnlyOwnedAccountsAndCannotTrade() {
    String token = app.token(ACME, "alice", "viewer");
    JsonArray list = accounts(token);
    assertThat(ids(list)).containsExactly(acmeAlice.accountId());
    assertAccountHidden(app.http.get("/api/v1/accounts/" + acmeBob.accountId(), token), acmeBob);
    assertAccountHidden(app.http.get("/api/v1/accounts/" + globexAlice.accountId(), token), globexAlice);

    JsonArray orders = orders(token, "").getJsonArray("data");
    assertThat(ids(orders)).contains(acmeAlice.orderId());
    assertThat(clientIds(orders)).containsOnly(acmeAlice.accountId());
    assertHidden(app.http.get("/api/v1/orders/" + acmeBob.orderId(), token), acmeBob);
    assertThat(app.http.get("/api/v1/orders/" + acmeAlice.orderId() + "/audit", token).status()).isEqualTo(200);

    // a viewer of a user nobody gave an account sees nothing at all
    String stranger = app.token(ACME, "carol", "viewer");
    assertThat(accounts(stranger)).isEmpty();
    assertThat(orders(stranger, "").getLong("total")).isZero();

    assertProblem(app.http.post("/api/v1/orders", token, order(acmeAlice.accountId())), 403, "FORBIDDEN");
    assertProblem(app.http.delete("/api/v1/orders/" + acmeAlice.orderId(), token), 403, "FORBIDDEN");
    assertThat(asOwner(acmeAlice).getString("status")).isEqualTo("pending");
  }

  @Test
  void aTraderWhoAlsoHoldsComplianceStillChangesOnlyItsOwnOrders() {
    // compliance lets alice read bob's orders; her trader role must not let her trade, cancel or modify them
    String token = app.token(ACME, "alice", "trader", "compliance");
    Http.Res o1 = app.http.post("/api/v1/orders", trader(acmeBob), order(acmeBob.accountId()).put("quantity", 2));
    Http.Res o2 = app.http.post("/api/v1/orders", trader(acmeBob), order(acmeBob.accountId()).put("quantity", 3));
    assertThat(o1.status()).isEqualTo(201);
    assertThat(o2.status()).isEqualTo(201);
    String toCancel = o1.json().getString("id");
    String toModify = o2.json().getString("id");
    assertThat(app.http.get("/api/v1/orders/" + toCancel, token).status()).isEqualTo(200);

    assertProblem(app.http.post("/api/v1/orders", token, order(acmeBob.accountId())), 403, "FORBIDDEN");

    Http.Res cancel = app.http.delete("/api/v1/orders/" + toCancel, token);
    Http.Res modify = app.http.put("/api/v1/orders/" + toModify, token, new JsonObject().put("quantity", 1), Map.of());
    Http.Res cancelled = app.http.get("/api/v1/orders/" + toCancel, trader(acmeBob));
    Http.Res modified = app.http.get("/api/v1/orders/" + toModify, trader(acmeBob));
    try {
      assertThat(cancelled.json().getString("status")).as("bob's order after alice's cancel: " + cancel)
        .isEqualTo("pending");
      assertThat(dec(modified.json().getValue("quantity"))).as("bob's order after alice's modify: " + modify)
        .isEqualByComparingTo("3");
      assertProblem(cancel, 403, "FORBIDDEN");
      assertProblem(modify, 403, "FORBIDDEN");
    } finally {
      // leave bob's account as the other tests expect it: only the shared order holds funds
      app.http.delete("/api/v1/orders/" + toCancel, trader(acmeBob));
      app.http.delete("/api/v1/orders/" + toModify, trader(acmeBob));
    }
  }

  // ---------------------------------------------------------------- clientId filter

  @Test
  void clientIdFilterOnAnotherTenantsAccountGivesAnEmptyPage() {
    List<String> callers = List.of(trader(acmeAlice), admin(ACME), compliance(ACME), app.token(ACME, "alice", "viewer"));
    for (String token : callers) {
      for (Seat s : List.of(globexAlice, globexBob)) {
        JsonObject page = orders(token, "&clientId=" + s.accountId());
        assertThat(page.getJsonArray("data")).as(page.encode()).isEmpty();
        assertThat(page.getLong("total")).isZero();
        assertThat(page.encode()).doesNotContain(s.orderId());
      }
    }
    // and the other trader's account in the same tenant, for a trader
    JsonObject page = orders(trader(acmeAlice), "&clientId=" + acmeBob.accountId());
    assertThat(page.getJsonArray("data")).isEmpty();
    assertThat(page.getLong("total")).isZero();
  }

  @Test
  void clientIdFilterOnOwnAccountWorks() {
    for (Seat me : all()) {
      JsonObject page = orders(trader(me), "&clientId=" + me.accountId());
      assertThat(ids(page.getJsonArray("data"))).contains(me.orderId());
      assertThat(clientIds(page.getJsonArray("data"))).containsOnly(me.accountId());
      assertThat(page.getLong("total")).isPositive();
    }
    // the admin narrows its tenant-wide view the same way
    JsonObject page = orders(admin(GLOBEX), "&clientId=" + globexBob.accountId());
    assertThat(ids(page.getJsonArray("data"))).contains(globexBob.orderId()).doesNotContain(globexAlice.orderId());
    assertThat(clientIds(page.getJsonArray("data"))).containsOnly(globexBob.accountId());
  }
}
