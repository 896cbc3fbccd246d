package io.orion.oms.api;

import io.orion.oms.support.Http;
import io.orion.oms.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * Every error a client can get from the order, account and instrument endpoints, end to end: the status,
 * an RFC 9457 body sent as {@code application/problem+json}, the stable {@code code}, every bad field of a
 * validation failure, the extra members of business rejections, and never a 5xx for the client's mistakes.
 *
 * <p>The service runs with no LPs: a limit or market order is accepted and then rejected by routing
 * (NO_HEALTHY_LP) a moment later. Where an order must stay open (to be cancelled, to hold funds or count
 * as open quantity) the tests submit a held type ({@link #heldBuy}), which is not routed until triggered.
 */
class OrderErrorsTest {
  static final String ORDERS = "/api/v1/orders";
  static final String ACCOUNTS = "/api/v1/accounts";
  static final String PROBLEM_JSON = "application/problem+json";

  static TestApp app;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start();
  }

  @AfterAll
  static void stop() throws Exception {
    if (app != null) app.close();
  }

  // ------------------------------------------------------------------ VALIDATION_FAILED: the contract (body)

  @Test
  void unknownPropertyIsNamed() {
    Trader t = newTrader("100000");
    JsonObject p = assertProblem(post(t, limitBuy(t).put("colour", "red")), 400, "VALIDATION_FAILED");
    assertThat(errors(p)).containsExactly(entry("colour", "NOT_ALLOWED"));
    assertNoOrders(t);
  }

  @Test
  void badEnumValuesAreNamed() {
    Trader t = newTrader("100000");
    JsonObject p = assertProblem(post(t, limitBuy(t).put("side", "hold").put("orderType", "iceberg")
      .put("timeInForce", "gtx").put("routingStrategy", "fastest")), 400, "VALIDATION_FAILED");
    assertThat(fields(p)).containsExactlyInAnyOrder("side", "orderType", "timeInForce", "routingStrategy");
    assertNoOrders(t);
  }

  @Test
  void missingRequiredFieldsAreAllNamed() {
    Trader t = newTrader("100000");
    JsonObject p = assertProblem(post(t, new JsonObject().put("clientId", t.accountId())), 400, "VALIDATION_FAILED");
    assertThat(errors(p)).containsOnly(entry("instrumentId", "REQUIRED"), entry("side", "REQUIRED"),
      entry("orderType", "REQUIRED"), entry("timeInForce", "REQUIRED"), entry("quantity", "REQUIRED"));
    assertThat(fields(p)).hasSize(5);
    JsonObject empty = assertProblem(post(t, new JsonObject()), 400, "VALIDATION_FAILED");
    assertThat(fields(empty)).containsExactlyInAnyOrder("clientId", "instrumentId", "side", "orderType", "timeInForce",
      "quantity");
  }

  @Test
  void unknownPropertyBadEnumAndMissingFieldsAreReportedTogether() {
    Trader t = newTrader("100000");
    JsonObject body = new JsonObject().put("clientId", t.accountId()).put("instrumentId", "AAPL").put("side", "hold")
      .put("orderType", "limit").put("price", "149.50").put("colour", "red");
    JsonObject p = assertProblem(post(t, body), 400, "VALIDATION_FAILED");
    assertThat(fields(p)).containsExactlyInAnyOrder("side", "colour", "timeInForce", "quantity");
    assertThat(p.getString("detail")).contains("4 invalid fields");
    assertNoOrders(t);
  }

  @Test
  void malformedValuesAreAllNamed() {
    Trader t = newTrader("100000");
    JsonObject meta = new JsonObject();
    for (int i = 0; i < 33; i++) meta.put("k" + i, i);
    JsonObject body = limitBuy(t).put("clientId", "not-a-uuid").put("instrumentId", "AA PL").put("quantity", "ten")
      .put("price", "-1").put("stopPrice", "0.00").put("pegOffset", "1,5").put("trailAmount", 0)
      .put("expiryDate", "tomorrow").put("clientOrderId", "has space").put("lpId", "").put("metadata", meta);
    JsonObject p = assertProblem(post(t, body), 400, "VALIDATION_FAILED");
    assertThat(fields(p)).containsExactlyInAnyOrder("clientId", "instrumentId", "quantity", "price", "stopPrice",
      "pegOffset", "trailAmount", "expiryDate", "clientOrderId", "lpId", "metadata");
  }

  @Test
  void zeroAndNegativeNumbersAreRefusedByTheContract() {
    Trader t = newTrader("100000");
    JsonObject p = assertProblem(post(t, raw(order(t, "AAPL", "buy", "limit"), "\"quantity\":0,\"price\":-149.5")),
      400, "VALIDATION_FAILED");
    assertThat(fields(p)).containsExactlyInAnyOrder("quantity", "price");
    assertNoOrders(t);
  }

  /**
   * A field that is declared but has a bad value is not "not allowed": its code says what is wrong with it
   * (an enum: NOT_ONE_OF, a uuid: INVALID_FORMAT, a number below its minimum: OUT_OF_RANGE).
   */
  @Test
  void badValuesOfDeclaredFieldsCarryTheirOwnCode() {
    Trader t = newTrader("100000");
    JsonObject p = assertProblem(post(t, raw(order(t, "AAPL", "hold", "limit").put("clientId", "not-a-uuid"),
      "\"quantity\":-5,\"price\":\"149.50\"")), 400, "VALIDATION_FAILED");
    Map<String, String> e = errors(p);
    assertThat(e).containsOnlyKeys("side", "clientId", "quantity");
    assertThat(e).contains(entry("side", "NOT_ONE_OF"), entry("clientId", "INVALID_FORMAT"), entry("quantity", "OUT_OF_RANGE"));

    JsonObject acc = assertProblem(app.http.post(ACCOUNTS, app.demoAdminToken(), new JsonObject().put("ownerId", "x")
      .put("name", "n").put("currency", "usd").put("riskLimits", new JsonObject().put("maxLoss", 1))), 400,
      "VALIDATION_FAILED");
    assertThat(errors(acc)).contains(entry("currency", "INVALID_FORMAT"), entry("riskLimits.maxLoss", "NOT_ALLOWED"));
    assertThat(errors(acc)).allSatisfy((field, code) -> {
      if (!field.equals("riskLimits.maxLoss")) assertThat(code).as(field).isNotEqualTo("NOT_ALLOWED");
    });
  }

  @Test
  void accountContractErrorsNameEveryField() {
    JsonObject p = assertProblem(app.http.post(ACCOUNTS, app.demoAdminToken(), new JsonObject().put("name", "")
      .put("currency", "usd").put("balance", -1).put("riskLimits", new JsonObject().put("maxLoss", 1))
      .put("colour", "red")), 400, "VALIDATION_FAILED");
    assertThat(fields(p)).contains("ownerId", "name", "currency", "balance", "riskLimits.maxLoss", "colour");
    assertThat(errors(p)).contains(entry("ownerId", "REQUIRED"));
  }

  // ------------------------------------------------------------------ VALIDATION_FAILED: the service's rules

  static Stream<Arguments> serviceRules() {
    String past = Instant.now().minus(1, ChronoUnit.HOURS).toString();
    String future = Instant.now().plus(1, ChronoUnit.DAYS).toString();
    return Stream.of(
      rule("quantity not a lot multiple", o -> o.put("quantity", "10.5").put("price", "149.50"),
        Map.of("quantity", "NOT_LOT_MULTIPLE")),
      rule("fx quantity not a lot multiple", o -> o.put("instrumentId", "EURUSD").put("quantity", 1500).put("price", "1.08500"),
        Map.of("quantity", "NOT_LOT_MULTIPLE")),
      rule("quantity below min quantity", o -> o.put("instrumentId", "EURUSD").put("quantity", 500).put("price", "1.08500"),
        Map.of("quantity", "BELOW_MIN_QUANTITY")),
      rule("price off tick", o -> o.put("price", "149.555"), Map.of("price", "NOT_ON_TICK")),
      rule("fx price off tick", o -> o.put("instrumentId", "EURUSD").put("quantity", 1000).put("price", "1.085001"),
        Map.of("price", "NOT_ON_TICK")),
      rule("stopPrice off tick", o -> o.put("orderType", "stop").putNull("price").put("stopPrice", "155.001"),
        Map.of("stopPrice", "NOT_ON_TICK")),
      rule("trailAmount off tick", o -> o.put("orderType", "trailing_stop").put("trailAmount", "0.005").putNull("price"),
        Map.of("trailAmount", "NOT_ON_TICK")),
      rule("pegOffset off tick", o -> o.put("orderType", "pegged").put("pegOffset", "-0.015").putNull("price"),
        Map.of("pegOffset", "NOT_ON_TICK")),
      rule("limit without price", o -> o.putNull("price"), Map.of("price", "REQUIRED")),
      rule("stop without stopPrice", o -> o.put("orderType", "stop").putNull("price"), Map.of("stopPrice", "REQUIRED")),
      rule("stop_limit without prices", o -> o.put("orderType", "stop_limit").putNull("price"),
        Map.of("price", "REQUIRED", "stopPrice", "REQUIRED")),
      rule("pegged without pegOffset", o -> o.put("orderType", "pegged").putNull("price"), Map.of("pegOffset", "REQUIRED")),
      rule("trailing_stop without trailAmount", o -> o.put("orderType", "trailing_stop").putNull("price"),
        Map.of("trailAmount", "REQUIRED")),
      rule("market with prices", o -> o.put("orderType", "market").put("stopPrice", "150.00").put("pegOffset", "0.01")
        .put("trailAmount", "1.00"), Map.of("price", "NOT_ALLOWED", "stopPrice", "NOT_ALLOWED", "pegOffset", "NOT_ALLOWED",
        "trailAmount", "NOT_ALLOWED")),
      rule("limit with stop fields", o -> o.put("stopPrice", "150.00").put("trailAmount", "1.00"),
        Map.of("stopPrice", "NOT_ALLOWED", "trailAmount", "NOT_ALLOWED")),
      rule("gtd without expiryDate", o -> o.put("timeInForce", "gtd"), Map.of("expiryDate", "REQUIRED")),
      rule("gtd expiry in the past", o -> o.put("timeInForce", "gtd").put("expiryDate", past),
        Map.of("expiryDate", "MUST_BE_FUTURE")),
      rule("expiryDate without gtd", o -> o.put("timeInForce", "day").put("expiryDate", future),
        Map.of("expiryDate", "NOT_ALLOWED")),
      rule("manual routing without lpId", o -> o.put("routingStrategy", "manual"), Map.of("lpId", "REQUIRED")),
      rule("lpId without manual routing", o -> o.put("routingStrategy", "split").put("lpId", "lp-1"),
        Map.of("lpId", "NOT_ALLOWED")),
      rule("unknown instrument", o -> o.put("instrumentId", "NOPE"), Map.of("instrumentId", "UNKNOWN_INSTRUMENT")),
      rule("every rule at once", o -> o.put("quantity", "10.5").putNull("price").put("stopPrice", "150.00")
          .put("timeInForce", "gtd").put("routingStrategy", "manual"),
        Map.of("quantity", "NOT_LOT_MULTIPLE", "price", "REQUIRED", "stopPrice", "NOT_ALLOWED", "expiryDate", "REQUIRED",
          "lpId", "REQUIRED")));
  }

  static Arguments rule(String name, Function<JsonObject, JsonObject> change, Map<String, String> expected) {
    return Arguments.of(name, change, expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("serviceRules")
  void serviceRulesNameEveryBadField(String name, Function<JsonObject, JsonObject> change, Map<String, String> expected) {
    Trader t = newTrader("1000000");
    JsonObject body = change.apply(limitBuy(t));
    body.fieldNames().removeIf(f -> body.getValue(f) == null);
    JsonObject p = assertProblem(post(t, body), 400, "VALIDATION_FAILED");
    List<Map.Entry<String, String>> all = errorList(p);
    assertThat(all.stream().map(Map.Entry::getKey).distinct()).as(p.encode()).containsExactlyInAnyOrderElementsOf(expected.keySet());
    assertThat(all).as(p.encode()).containsAll(expected.entrySet());
    for (Object e : p.getJsonArray("errors")) assertThat(((JsonObject) e).getString("message")).isNotBlank();
    assertNoOrders(t);
    assertThat(dec(account(t), "reserved")).isEqualByComparingTo("0");
  }

  // -------------------------------------------------------------------- VALIDATION_FAILED: query and path

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"limit=500 -> limit", "limit=0 -> limit", "limit=abc -> limit", "page=0 -> page",
    "side=hold -> side", "clientId=not-a-uuid -> clientId", "fromDate=yesterday -> fromDate",
    "toDate=2024-13-45T00:00:00Z -> toDate", "statuses=bogus -> statuses", "statuses=PENDING -> statuses",
    "statuses=pending,,working -> statuses", "instrumentId=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456 -> instrumentId"})
  void badListParameterIsNamed(String spec) {
    String query = spec.substring(0, spec.indexOf(" -> "));
    String field = spec.substring(spec.indexOf(" -> ") + 4);
    JsonObject p = assertProblem(app.http.get(ORDERS + "?" + query, app.demoTraderToken()), 400, "VALIDATION_FAILED");
    assertThat(fields(p)).containsExactly(field);
  }

  /** "validation failures list every bad field in errors": query parameters too. */
  @Test
  void badListParametersAreReportedTogether() {
    JsonObject p = assertProblem(app.http.get(ORDERS + "?limit=500&page=0&side=hold", app.demoTraderToken()), 400,
      "VALIDATION_FAILED");
    assertThat(fields(p)).containsExactlyInAnyOrder("limit", "page", "side");
  }

  @Test
  void badCancelParametersAreNamed() {
    String token = app.demoTraderToken();
    assertThat(fields(assertProblem(app.http.delete(ORDERS, token), 400, "VALIDATION_FAILED"))).containsExactly("ids");
    assertThat(fields(assertProblem(app.http.delete(ORDERS + "?ids=abc," + UUID.randomUUID(), token), 400,
      "VALIDATION_FAILED"))).containsExactly("ids");
    StringBuilder ids = new StringBuilder(UUID.randomUUID().toString());
    for (int i = 0; i < 100; i++) ids.append(',').append(UUID.randomUUID());
    assertThat(fields(assertProblem(app.http.delete(ORDERS + "?ids=" + ids, token), 400, "VALIDATION_FAILED")))
      .containsExactly("ids");
    assertThat(fields(assertProblem(app.http.delete(ORDERS + "/" + UUID.randomUUID() + "?reason=" + "r".repeat(257),
      token), 400, "VALIDATION_FAILED"))).containsExactly("reason");
    assertThat(fields(assertProblem(app.http.post(ORDERS + "/" + UUID.randomUUID() + "/cancel", token,
      new JsonObject().put("reason", "r".repeat(257))), 400, "VALIDATION_FAILED"))).containsExactly("reason");
    assertThat(fields(assertProblem(app.http.post(ORDERS + "/" + UUID.randomUUID() + "/cancel", token,
      new JsonObject().put("why", "x")), 400, "VALIDATION_FAILED"))).containsExactly("why");
  }

  @Test
  void pathIdsMustBeUuids() {
    String token = app.demoTraderToken();
    for (String path : List.of(ORDERS + "/42", ORDERS + "/42/fills", ORDERS + "/42/history", ORDERS + "/42/audit",
      ACCOUNTS + "/42")) {
      assertThat(fields(assertProblem(app.http.get(path, token), 400, "VALIDATION_FAILED"))).as(path).containsExactly("id");
    }
    assertThat(fields(assertProblem(app.http.delete(ORDERS + "/42", token), 400, "VALIDATION_FAILED"))).containsExactly("id");
    assertThat(fields(assertProblem(app.http.post(ORDERS + "/42/cancel", token, new JsonObject()), 400,
      "VALIDATION_FAILED"))).containsExactly("id");
  }

  // ----------------------------------------------------------------------------- bodies that are not JSON

  /** Text that is not JSON at all is MALFORMED_REQUEST; JSON of the wrong shape is a VALIDATION_FAILED of "body". */
  @Test
  void bodyThatIsNotJsonIsRefused() {
    Trader t = newTrader("100000");
    assertProblem(app.http.post(ORDERS, t.token(), "{\"clientId\": \"" + t.accountId() + "\", oops"), 400,
      "MALFORMED_REQUEST");
    assertProblem(app.http.post(ACCOUNTS, app.demoAdminToken(), "not json"), 400, "MALFORMED_REQUEST");
    assertProblem(app.http.post(ORDERS + "/" + UUID.randomUUID() + "/cancel", t.token(), "{reason: x}"), 400,
      "MALFORMED_REQUEST");
    JsonObject array = assertProblem(app.http.post(ORDERS, t.token(), "[1, 2]"), 400, "VALIDATION_FAILED");
    assertThat(fields(array)).containsExactly("body");
    assertNoOrders(t);
  }

  @Test
  void bodyOfAnotherMediaTypeIsRefused() throws Exception {
    Trader t = newTrader("100000");
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(app.http.baseUrl() + ORDERS))
        .header("Authorization", "Bearer " + t.token()).header("Content-Type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofString(limitBuy(t).encode())).build(),
      HttpResponse.BodyHandlers.ofString());
    assertProblem(new Http.Res(r.statusCode(), r.body(), r.headers()), 415, "UNSUPPORTED_MEDIA_TYPE");
    assertNoOrders(t);
  }

  @Test
  void bodyOver64KiBIsTooLarge() {
    Trader t = newTrader("100000");
    JsonObject body = limitBuy(t).put("metadata", new JsonObject().put("notes", "x".repeat(70 * 1024)));
    assertProblem(post(t, body), 413, "PAYLOAD_TOO_LARGE");
    assertProblem(app.http.post(ACCOUNTS, app.demoAdminToken(), new JsonObject().put("ownerId", "x")
      .put("name", "y".repeat(70 * 1024)).put("currency", "USD")), 413, "PAYLOAD_TOO_LARGE");
    assertNoOrders(t);
    // just under the limit is fine
    JsonObject fits = limitBuy(t).put("metadata", new JsonObject().put("notes", "x".repeat(60 * 1024)));
    assertThat(post(t, fits).status()).isEqualTo(201);
  }

  // ---------------------------------------------------- text the database cannot store is a 400, not a 500

  @Test
  void nulCharacterInMetadataIsAClientError() {
    Trader t = newTrader("100000");
    JsonObject p = assertProblem(post(t, limitBuy(t).put("metadata", new JsonObject().put("note", "a\u0000b"))), 400,
      "VALIDATION_FAILED");
    assertThat(fields(p)).allMatch(f -> f.startsWith("metadata"));
    assertNoOrders(t);
  }

  @Test
  void nulCharacterInLpIdIsAClientError() {
    Trader t = newTrader("100000");
    JsonObject p = assertProblem(post(t, limitBuy(t).put("routingStrategy", "manual").put("lpId", "lp\u00001")), 400,
      "VALIDATION_FAILED");
    assertThat(fields(p)).containsExactly("lpId");
    assertNoOrders(t);
  }

  @Test
  void nulCharacterInAccountNameIsAClientError() {
    JsonObject p = assertProblem(app.http.post(ACCOUNTS, app.demoAdminToken(), new JsonObject().put("ownerId", "x")
      .put("name", "bad\u0000name").put("currency", "USD")), 400, "VALIDATION_FAILED");
    assertThat(fields(p)).containsExactly("name");
  }

  @Test
  void nulCharacterInCancelReasonIsAClientError() {
    Trader t = newTrader("100000");
    String id = created(t, heldBuy(t));
    JsonObject p = assertProblem(app.http.post(ORDERS + "/" + id + "/cancel", t.token(),
      new JsonObject().put("reason", "a\u0000b")), 400, "VALIDATION_FAILED");
    assertThat(fields(p)).containsExactly("reason");
    Http.Res order = app.http.get(ORDERS + "/" + id, t.token());
    assertThat(order.status()).as(order.body()).isEqualTo(200);
    assertThat(order.json().getString("status")).isEqualTo("pending");
  }

  // ------------------------------------------------------------------------------------------ UNAUTHORIZED

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"none", "empty bearer", "basic scheme", "garbage", "expired", "other key", "wrong issuer",
    "wrong audience", "no tenant", "numeric tenant", "blank tenant", "no subject", "no expiry", "alg none", "HS512"})
  void badTokensAreUnauthorized(String kind) throws Exception {
    Trader t = newTrader("100000");
    String secret = secret();
    JWTAuth ours = signer(secret, "HS256");
    JsonObject claims = new JsonObject().put("sub", t.userId()).put("tenant", "demo").put("roles", new JsonArray().add("trader"));
    long now = Instant.now().getEpochSecond();
    Map<String, String> headers = new LinkedHashMap<>();
    switch (kind) {
      case "none" -> { }
      case "empty bearer" -> headers.put("Authorization", "Bearer ");
      case "basic scheme" -> headers.put("Authorization", "Basic " + Base64.getEncoder().encodeToString("a:b".getBytes()));
      case "garbage" -> headers.put("Authorization", "Bearer garbage.garbage.garbage");
      case "expired" -> headers.put("Authorization", "Bearer " + ours.generateToken(claims.copy().put("iat", now - 7200)
        .put("exp", now - 3600), options().setNoTimestamp(true).setExpiresInSeconds(0)));
      case "other key" -> headers.put("Authorization", "Bearer " + signer("another-secret-of-48-bytes-another-secret-of-48",
        "HS256").generateToken(claims.copy(), options()));
      case "wrong issuer" -> headers.put("Authorization", "Bearer " + ours.generateToken(claims.copy(), options().setIssuer("evil-idp")));
      case "wrong audience" -> headers.put("Authorization", "Bearer " + ours.generateToken(claims.copy(),
        options().setAudience(List.of("someone-else"))));
      case "no tenant" -> headers.put("Authorization", "Bearer " + ours.generateToken(without(claims, "tenant"), options()));
      case "numeric tenant" -> headers.put("Authorization", "Bearer " + ours.generateToken(claims.copy().put("tenant", 7), options()));
      case "blank tenant" -> headers.put("Authorization", "Bearer " + ours.generateToken(claims.copy().put("tenant", " "), options()));
      case "no subject" -> headers.put("Authorization", "Bearer " + ours.generateToken(without(claims, "sub"), options()));
      case "no expiry" -> headers.put("Authorization", "Bearer " + ours.generateToken(claims.copy(), options().setExpiresInSeconds(0)));
      case "alg none" -> {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        JsonObject payload = claims.copy().put("iss", app.config().jwt().issuer()).put("aud", app.config().jwt().audience())
          .put("exp", now + 600);
        headers.put("Authorization", "Bearer " + b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes())
          + "." + b64.encodeToString(payload.encode().getBytes()) + ".");
      }
      case "HS512" -> headers.put("Authorization", "Bearer " + signer(secret, "HS512").generateToken(claims.copy(),
        options().setAlgorithm("HS512")));
      default -> throw new IllegalArgumentException(kind);
    }
    Http.Res submit = app.http.send("POST", ORDERS, null, limitBuy(t), headers);
    JsonObject p = assertProblem(submit, 401, "UNAUTHORIZED");
    assertThat(p.encode()).doesNotContain(t.accountId());
    assertProblem(app.http.send("GET", ORDERS, null, null, headers), 401, "UNAUTHORIZED");
    assertProblem(app.http.send("GET", ACCOUNTS + "/" + t.accountId(), null, null, headers), 401, "UNAUTHORIZED");
    assertProblem(app.http.send("GET", "/api/v1/instruments", null, null, headers), 401, "UNAUTHORIZED");
    assertProblem(app.http.send("DELETE", ORDERS + "?ids=" + UUID.randomUUID(), null, null, headers), 401, "UNAUTHORIZED");
    assertNoOrders(t);
    // the same claims, properly signed, are accepted: the refusal was about the token
    assertThat(app.http.get(ORDERS, ours.generateToken(claims.copy(), options())).status()).isEqualTo(200);
  }

  @Test
  void missingTokenIsChallenged() {
    Http.Res res = app.http.get(ORDERS, null);
    assertProblem(res, 401, "UNAUTHORIZED");
    assertThat(res.header("WWW-Authenticate")).startsWith("Bearer");
  }

  // --------------------------------------------------------------------------------------------- FORBIDDEN

  @Test
  void viewerMayNotSubmitEvenOnItsOwnAccount() {
    String user = "v-" + UUID.randomUUID();
    String account = createAccount(user, "USD", "100000", null).getString("id");
    Trader viewer = new Trader(user, app.token("demo", user, "viewer"), account);
    assertProblem(post(viewer, limitBuy(viewer)), 403, "FORBIDDEN");
    Trader compliance = new Trader(user, app.token("demo", user, "compliance"), account);
    assertProblem(post(compliance, limitBuy(compliance)), 403, "FORBIDDEN");
    Trader noRole = new Trader(user, app.token("demo", user), account);
    assertProblem(post(noRole, limitBuy(noRole)), 403, "FORBIDDEN");
    assertNoOrders(viewer);
    assertThat(dec(account(viewer), "reserved")).isEqualByComparingTo("0");
  }

  @Test
  void adminMayNotTradeSomeoneElsesAccount() {
    Trader t = newTrader("100000");
    Trader admin = new Trader("demo-admin", app.demoAdminToken(), t.accountId());
    assertProblem(post(admin, limitBuy(t)), 403, "FORBIDDEN");
    // admin and trader roles together still do not make it the owner
    Trader both = new Trader("boss", app.token("demo", "boss", "admin", "trader"), t.accountId());
    assertProblem(post(both, limitBuy(t)), 403, "FORBIDDEN");
    assertNoOrders(t);
  }

  @Test
  void viewerMayNotCancel() {
    Trader t = newTrader("100000");
    String id = created(t, heldBuy(t));
    String viewer = app.token("demo", t.userId(), "viewer");
    assertProblem(app.http.delete(ORDERS + "/" + id, viewer), 403, "FORBIDDEN");
    assertProblem(app.http.post(ORDERS + "/" + id + "/cancel", viewer, new JsonObject()), 403, "FORBIDDEN");
    Http.Res bulk = app.http.delete(ORDERS + "?ids=" + id, viewer);
    assertThat(bulk.status()).as(bulk.body()).isEqualTo(200);
    assertThat(bulk.json().getJsonArray("results").getJsonObject(0).getString("code")).isEqualTo("FORBIDDEN");
    Http.Res order = app.http.get(ORDERS + "/" + id, viewer);
    assertThat(order.status()).as(order.body()).isEqualTo(200);
    assertThat(order.json().getString("status")).isEqualTo("pending");
    assertThat(dec(account(t), "reserved")).isEqualByComparingTo("1495.00");
  }

  @Test
  void onlyAdminsCreateAccounts() {
    JsonObject body = new JsonObject().put("ownerId", "me").put("name", "mine").put("currency", "USD").put("balance", "1000000");
    assertProblem(app.http.post(ACCOUNTS, app.demoTraderToken(), body), 403, "FORBIDDEN");
    assertProblem(app.http.post(ACCOUNTS, app.token("demo", "c", "compliance"), body), 403, "FORBIDDEN");
    assertThat(app.http.get(ACCOUNTS, app.token("demo", "me", "trader")).json().getJsonArray("data")).isEmpty();
  }

  // ------------------------------------------------------------------------------------- ACCOUNT_NOT_FOUND

  /** Another owner's account in the same tenant is invisible to a plain trader: 404, exactly like a missing one. */
  @Test
  void tradingSomeoneElsesAccountLooksLikeNoAccount() {
    Trader owner = newTrader("5000");
    Trader intruder = newTrader("100000");
    Trader onOwners = new Trader(intruder.userId(), intruder.token(), owner.accountId());
    JsonObject p = assertProblem(post(onOwners, limitBuy(onOwners)), 404, "ACCOUNT_NOT_FOUND");
    assertThat(p.getString("detail")).isEqualTo("No account " + owner.accountId());
    String unknown = UUID.randomUUID().toString();
    JsonObject missing = assertProblem(post(onOwners, limitBuy(onOwners).put("clientId", unknown)), 404, "ACCOUNT_NOT_FOUND");
    assertThat(missing.getString("detail")).isEqualTo("No account " + unknown);
    assertThat(p.fieldNames()).isEqualTo(missing.fieldNames());
    assertThat(p.encode()).doesNotContain(owner.userId()).doesNotContain("5000").doesNotContain("balance");

    JsonObject get = assertProblem(app.http.get(ACCOUNTS + "/" + owner.accountId(), intruder.token()), 404, "ACCOUNT_NOT_FOUND");
    assertThat(get.encode()).doesNotContain(owner.userId()).doesNotContain("balance");
    assertProblem(app.http.get(ACCOUNTS + "/" + unknown, intruder.token()), 404, "ACCOUNT_NOT_FOUND");
    assertNoOrders(owner);
  }

  @Test
  void anotherTenantSeesNoAccount() {
    Trader t = newTrader("100000");
    String sameUserOtherTenant = app.token("acme", t.userId(), "trader");
    assertProblem(app.http.post(ORDERS, sameUserOtherTenant, limitBuy(t)), 404, "ACCOUNT_NOT_FOUND");
    assertProblem(app.http.get(ACCOUNTS + "/" + t.accountId(), sameUserOtherTenant), 404, "ACCOUNT_NOT_FOUND");
    assertProblem(app.http.get(ACCOUNTS + "/" + t.accountId(), app.token("acme", "root", "admin")), 404, "ACCOUNT_NOT_FOUND");
    assertNoOrders(t);
  }

  // --------------------------------------------------------------------------------------- ORDER_NOT_FOUND

  @Test
  void unknownOrderIsNotFoundEverywhere() {
    String token = app.demoTraderToken();
    String id = UUID.randomUUID().toString();
    for (String path : List.of(ORDERS + "/" + id, ORDERS + "/" + id + "/fills", ORDERS + "/" + id + "/history",
      ORDERS + "/" + id + "/audit", ORDERS + "/ref/ORD-19700101-0000000")) {
      assertProblem(app.http.get(path, token), 404, "ORDER_NOT_FOUND");
    }
    assertProblem(app.http.delete(ORDERS + "/" + id, token), 404, "ORDER_NOT_FOUND");
    assertProblem(app.http.post(ORDERS + "/" + id + "/cancel", token, new JsonObject()), 404, "ORDER_NOT_FOUND");
  }

  @Test
  void someoneElsesOrderIsNotFound() {
    Trader owner = newTrader("100000");
    Http.Res res = post(owner, heldBuy(owner));
    assertThat(res.status()).as(res.body()).isEqualTo(201);
    String id = res.json().getString("id");
    String ref = res.json().getString("orderRef");
    Trader other = newTrader("100000");
    for (String token : List.of(other.token(), app.token("acme", owner.userId(), "trader"), app.token("acme", "root", "admin"))) {
      assertProblem(app.http.get(ORDERS + "/" + id, token), 404, "ORDER_NOT_FOUND");
      assertProblem(app.http.get(ORDERS + "/ref/" + ref, token), 404, "ORDER_NOT_FOUND");
      assertProblem(app.http.get(ORDERS + "/" + id + "/audit", token), 404, "ORDER_NOT_FOUND");
      assertProblem(app.http.delete(ORDERS + "/" + id, token), 404, "ORDER_NOT_FOUND");
      Http.Res bulk = app.http.delete(ORDERS + "?ids=" + id, token);
      assertThat(bulk.status()).as(bulk.body()).isEqualTo(200);
      assertThat(bulk.json().getJsonArray("results").getJsonObject(0).getString("code")).isEqualTo("ORDER_NOT_FOUND");
    }
    Http.Res still = app.http.get(ORDERS + "/" + id, owner.token());
    assertThat(still.status()).as(still.body()).isEqualTo(200);
    assertThat(still.json().getString("status")).isEqualTo("pending");
  }

  // --------------------------------------------------------------------------------- ORDER_NOT_CANCELLABLE

  @Test
  void cancellingTwiceIsNotCancellable() {
    Trader t = newTrader("100000");
    String id = created(t, heldBuy(t));
    Http.Res first = app.http.delete(ORDERS + "/" + id, t.token());
    assertThat(first.status()).as(first.body()).isEqualTo(200);
    JsonObject again = assertProblem(app.http.delete(ORDERS + "/" + id, t.token()), 400, "ORDER_NOT_CANCELLABLE");
    assertThat(again.getString("detail")).contains("cancelled");
    assertProblem(app.http.post(ORDERS + "/" + id + "/cancel", t.token(), new JsonObject().put("reason", "again")), 400,
      "ORDER_NOT_CANCELLABLE");
    assertThat(dec(account(t), "reserved")).isEqualByComparingTo("0");
    assertThat(app.http.get(ORDERS + "/" + id + "/history", t.token()).json().getJsonArray("data")).hasSize(1);
  }

  /** A limit order that routing rejected (no LP) is final: cancelling it is a conflict that names its status. */
  @Test
  void aRejectedOrderIsNotCancellable() throws Exception {
    Trader t = newTrader("100000");
    String id = created(t, limitBuy(t));
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
    JsonObject order = app.http.get(ORDERS + "/" + id, t.token()).json();
    while (!"rejected".equals(order.getString("status"))) {
      assertThat(System.nanoTime()).as("order to be rejected by routing: %s", order).isLessThan(deadline);
      Thread.sleep(20);
      order = app.http.get(ORDERS + "/" + id, t.token()).json();
    }
    assertThat(order.getString("rejectCode")).isEqualTo("NO_HEALTHY_LP");
    JsonObject p = assertProblem(app.http.delete(ORDERS + "/" + id, t.token()), 400, "ORDER_NOT_CANCELLABLE");
    assertThat(p.getString("orderStatus")).isEqualTo("rejected");
    assertThat(p.getString("detail")).contains(order.getString("orderRef")).contains("rejected");
    assertProblem(app.http.post(ORDERS + "/" + id + "/cancel", t.token(), new JsonObject()), 400, "ORDER_NOT_CANCELLABLE");
    assertThat(app.http.get(ORDERS + "/" + id + "/history", t.token()).json().getJsonArray("data")).isEmpty();
    assertThat(dec(account(t), "reserved")).isEqualByComparingTo("0");
  }

  // ------------------------------------------------------------------------------------ INSUFFICIENT_FUNDS

  @Test
  void insufficientFunds() {
    Trader t = newTrader("5000");
    JsonObject p = assertProblem(post(t, order(t, "AAPL", "buy", "market").put("quantity", 100)), 400, "INSUFFICIENT_FUNDS");
    assertThat(p.getString("detail")).isEqualTo("Insufficient funds for $15,000.00 order; available: $5,000.00");
    assertThat(dec(p, "required")).isEqualByComparingTo("15000");
    assertThat(dec(p, "available")).isEqualByComparingTo("5000");
    assertNoOrders(t);
    JsonObject acc = account(t);
    assertThat(dec(acc, "reserved")).isEqualByComparingTo("0");
    assertThat(dec(acc, "available")).isEqualByComparingTo("5000");
  }

  @Test
  void insufficientFundsCountsFundsAlreadyHeld() {
    Trader t = newTrader("5000");
    created(t, order(t, "AAPL", "buy", "stop_limit").put("quantity", 20).put("price", "150.00")
      .put("stopPrice", "1000.00")); // held (not routed) and holds 3,000.00
    JsonObject p = assertProblem(post(t, order(t, "AAPL", "buy", "limit").put("quantity", 20).put("price", "150.00")), 400,
      "INSUFFICIENT_FUNDS");
    assertThat(p.getString("detail")).isEqualTo("Insufficient funds for $3,000.00 order; available: $2,000.00");
    assertThat(dec(p, "required")).isEqualByComparingTo("3000");
    assertThat(dec(p, "available")).isEqualByComparingTo("2000");
    assertThat(listOrders(t).getLong("total")).isEqualTo(1);
    // selling holds nothing, so it needs no funds
    assertThat(post(t, order(t, "AAPL", "sell", "market").put("quantity", 100)).status()).isEqualTo(201);
  }

  /** Funds are held under the account's row lock: concurrent orders never overdraw, the losers are told why. */
  @Test
  void concurrentOrdersNeverOverdraw() throws Exception {
    Trader t = newTrader("5000");
    // held orders: they keep their funds (a routed limit order would be rejected here and give them back)
    List<Http.Res> all = concurrently(8, () -> post(t, order(t, "AAPL", "buy", "stop_limit").put("quantity", 15)
      .put("price", "100.00").put("stopPrice", "1000.00")));
    assertThat(all.stream().filter(r -> r.status() == 201)).hasSize(3);
    for (Http.Res r : all) {
      if (r.status() != 201) assertProblem(r, 400, "INSUFFICIENT_FUNDS");
    }
    assertThat(listOrders(t).getLong("total")).isEqualTo(3);
    JsonObject acc = account(t);
    assertThat(dec(acc, "reserved")).isEqualByComparingTo("4500.00");
    assertThat(dec(acc, "available")).isEqualByComparingTo("500.00");
  }

  // ----------------------------------------------------------------------------------- RISK_LIMIT_EXCEEDED

  @Test
  void orderNotionalOverTheAccountLimit() {
    Trader t = newTrader("1000000", new JsonObject().put("maxOrderNotional", "10000"));
    JsonObject p = assertProblem(post(t, order(t, "AAPL", "buy", "market").put("quantity", 100)), 400, "RISK_LIMIT_EXCEEDED");
    assertThat(p.getString("limit")).isEqualTo("maxOrderNotional");
    assertThat(p.getString("detail")).contains("$15,000.00").contains("$10,000.00");
    assertThat(dec(p, "limitValue")).isEqualByComparingTo("10000");
    assertThat(dec(p, "requested")).isEqualByComparingTo("15000");
    assertProblem(post(t, order(t, "AAPL", "sell", "limit").put("quantity", 100).put("price", "150.00")), 400,
      "RISK_LIMIT_EXCEEDED");
    assertNoOrders(t);
    assertThat(dec(account(t), "reserved")).isEqualByComparingTo("0");
    // at the limit is within it
    assertThat(post(t, order(t, "AAPL", "buy", "limit").put("quantity", 100).put("price", "100.00")).status()).isEqualTo(201);
  }

  @Test
  void positionOverTheAccountLimitCountsOpenOrders() {
    Trader t = newTrader("1000000", new JsonObject().put("maxPositionQuantity", "50"));
    // open (held, not routed) for 40
    created(t, order(t, "AAPL", "buy", "stop_limit").put("quantity", 40).put("price", "150.00").put("stopPrice", "1000.00"));
    JsonObject p = assertProblem(post(t, order(t, "AAPL", "buy", "limit").put("quantity", 20).put("price", "150.00")), 400,
      "RISK_LIMIT_EXCEEDED");
    assertThat(p.getString("limit")).isEqualTo("maxPositionQuantity");
    assertThat(dec(p, "limitValue")).isEqualByComparingTo("50");
    assertThat(dec(p, "requested")).isEqualByComparingTo("60");
    assertThat(listOrders(t).getLong("total")).isEqualTo(1);
    assertThat(dec(account(t), "reserved")).isEqualByComparingTo("6000.00");
    // other instruments and the other side have their own room
    assertThat(post(t, order(t, "MSFT", "buy", "limit").put("quantity", 50).put("price", "410.00")).status()).isEqualTo(201);
    assertThat(post(t, order(t, "AAPL", "sell", "limit").put("quantity", 50).put("price", "150.00")).status()).isEqualTo(201);
  }

  /** The position limit holds when orders arrive together, not only one after another. */
  @Test
  void concurrentOrdersCannotExceedThePositionLimit() throws Exception {
    Trader t = newTrader("1000000", new JsonObject().put("maxPositionQuantity", "50"));
    // held orders: they stay open (a routed limit order would be rejected here and stop counting)
    List<Http.Res> all = concurrently(8, () -> post(t, order(t, "AAPL", "buy", "stop_limit").put("quantity", 10)
      .put("price", "100.00").put("stopPrice", "1000.00")));
    for (Http.Res r : all) {
      if (r.status() != 201) assertThat(assertProblem(r, 400, "RISK_LIMIT_EXCEEDED").getString("limit")).isEqualTo("maxPositionQuantity");
    }
    long accepted = all.stream().filter(r -> r.status() == 201).count();
    assertThat(accepted).as("orders of 10 accepted under a position limit of 50").isLessThanOrEqualTo(5);
    assertThat(listOrders(t).getLong("total")).isEqualTo(accepted);
  }

  // ---------------------------------------------------------------------------------- UNSUPPORTED_CURRENCY

  @Test
  void accountCurrencyWithoutRateIsUnsupported() {
    String user = "chf-" + UUID.randomUUID();
    String account = createAccount(user, "CHF", "1000000", null).getString("id");
    Trader t = new Trader(user, app.token("demo", user, "trader"), account);
    JsonObject p = assertProblem(post(t, order(t, "AAPL", "buy", "market").put("quantity", 1)), 400, "UNSUPPORTED_CURRENCY");
    assertThat(p.getString("detail")).contains("USD").contains("CHF");
    assertProblem(post(t, order(t, "AAPL", "sell", "market").put("quantity", 1)), 400, "UNSUPPORTED_CURRENCY");
    assertNoOrders(t);
  }

  // ------------------------------------------------------------------- NOT_FOUND, METHOD_NOT_ALLOWED, idempotency

  @Test
  void unknownPathIsNotFound() {
    assertProblem(app.http.get("/api/v1/trades", app.demoTraderToken()), 404, "NOT_FOUND");
    assertProblem(app.http.get("/api/v2/orders", app.demoTraderToken()), 404, "NOT_FOUND");
    assertProblem(app.http.get("/no/such/thing", null), 404, "NOT_FOUND");
  }

  @Test
  void unsupportedMethodIsNotAllowed() {
    assertProblem(app.http.send("PATCH", ORDERS, app.demoTraderToken(), new JsonObject(), Map.of()), 405, "METHOD_NOT_ALLOWED");
    assertProblem(app.http.send("DELETE", ACCOUNTS, app.demoAdminToken(), null, Map.of()), 405, "METHOD_NOT_ALLOWED");
  }

  @Test
  void idempotencyKeyReusedForAnotherRequest() {
    Trader t = newTrader("100000");
    Map<String, String> key = Map.of("Idempotency-Key", "k-" + UUID.randomUUID());
    assertThat(app.http.post(ORDERS, t.token(), limitBuy(t), key).status()).isEqualTo(201);
    JsonObject p = assertProblem(app.http.post(ORDERS, t.token(), limitBuy(t).put("quantity", 11), key), 422,
      "IDEMPOTENCY_KEY_REUSED");
    assertThat(p.getString("detail")).contains(key.get("Idempotency-Key"));
    assertThat(listOrders(t).getLong("total")).isEqualTo(1);
  }

  /** Concurrent retries with one key: a single order; each answer is that order or "still in progress". */
  @Test
  void idempotencyKeyInProgress() throws Exception {
    Trader t = newTrader("100000");
    Map<String, String> key = Map.of("Idempotency-Key", "k-" + UUID.randomUUID());
    JsonObject body = heldBuy(t);
    List<Http.Res> all = concurrently(8, () -> app.http.post(ORDERS, t.token(), body, key));
    List<String> ids = all.stream().filter(r -> r.status() == 201).map(r -> r.json().getString("id")).distinct().toList();
    assertThat(ids).hasSize(1);
    for (Http.Res r : all) {
      if (r.status() != 201) assertProblem(r, 409, "IDEMPOTENCY_KEY_IN_PROGRESS");
    }
    assertThat(listOrders(t).getLong("total")).isEqualTo(1);
    assertThat(dec(account(t), "reserved")).isEqualByComparingTo("1495.00");
    // once done, the key replays the order
    Http.Res later = app.http.post(ORDERS, t.token(), body, key);
    assertThat(later.status()).as(later.body()).isEqualTo(201);
    assertThat(later.json().getString("id")).isEqualTo(ids.get(0));
  }

  /** A '%' in a query value (sent as %25) is an ordinary character, not a server error. */
  @Test
  void percentSignInQueryValueIsNotAServerError() {
    Http.Res res = app.http.get(ORDERS + "?instrumentId=AB%25", app.demoTraderToken());
    assertThat(res.status()).as(res.toString()).isEqualTo(200);
    assertThat(res.json().getJsonArray("data")).isEmpty();
  }

  // --------------------------------------------------------------------------------------------- helpers

  /** Runs {@code n} requests at once (released together) and returns every answer. */
  static List<Http.Res> concurrently(int n, java.util.concurrent.Callable<Http.Res> request) throws Exception {
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n);
    try {
      java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
      List<java.util.concurrent.Future<Http.Res>> futures = new java.util.ArrayList<>();
      for (int i = 0; i < n; i++) {
        futures.add(pool.submit(() -> {
          go.await();
          return request.call();
        }));
      }
      go.countDown();
      List<Http.Res> out = new java.util.ArrayList<>();
      for (java.util.concurrent.Future<Http.Res> f : futures) out.add(f.get(30, java.util.concurrent.TimeUnit.SECONDS));
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  record Trader(String userId, String token, String accountId) {}

  static Trader newTrader(String balance) {
    return newTrader(balance, null);
  }

  static Trader newTrader(String balance, JsonObject riskLimits) {
    String user = "t-" + UUID.randomUUID();
    String account = createAccount(user, "USD", balance, riskLimits).getString("id");
    return new Trader(user, app.token("demo", user, "trader"), account);
  }

  static JsonObject createAccount(String owner, String currency, String balance, JsonObject riskLimits) {
    JsonObject body = new JsonObject().put("ownerId", owner).put("name", owner).put("currency", currency).put("balance", balance);
    if (riskLimits != null) body.put("riskLimits", riskLimits);
    Http.Res res = app.http.post(ACCOUNTS, app.demoAdminToken(), body);
    assertThat(res.status()).as(res.body()).isEqualTo(201);
    return res.json();
  }

  static JsonObject order(Trader t, String instrument, String side, String type) {
    return new JsonObject().put("clientId", t.accountId()).put("instrumentId", instrument).put("side", side)
      .put("orderType", type).put("timeInForce", "gtc");
  }

  /** A valid order: buy 10 AAPL at 149.50 (holds 1,495.00); routed on acceptance (here: rejected, no LP). */
  static JsonObject limitBuy(Trader t) {
    return order(t, "AAPL", "buy", "limit").put("quantity", 10).put("price", "149.50");
  }

  /**
   * A valid order that stays pending: a stop_limit buy of 10 AAPL at 149.50 (holds 1,495.00), held for its
   * trigger (never routed on acceptance); its stop, 1000.00, is far above AAPL's 150.00.
   */
  static JsonObject heldBuy(Trader t) {
    return order(t, "AAPL", "buy", "stop_limit").put("quantity", 10).put("price", "149.50").put("stopPrice", "1000.00");
  }

  /** A body as exact text, with extra members written as given. */
  static String raw(JsonObject body, String members) {
    String json = body.encode();
    return json.substring(0, json.length() - 1) + "," + members + "}";
  }

  static Http.Res post(Trader t, Object body) {
    return app.http.post(ORDERS, t.token(), body);
  }

  static String created(Trader t, JsonObject body) {
    Http.Res res = post(t, body);
    assertThat(res.status()).as(res.body()).isEqualTo(201);
    return res.json().getString("id");
  }

  /** Status, media type, code, and the RFC 9457 members; never a server error. */
  static JsonObject assertProblem(Http.Res res, int status, String code) {
    assertThat(res.status()).as("a client error, never a 5xx: %s", res).isLessThan(500);
    assertThat(res.status()).as(res.toString()).isEqualTo(status);
    assertThat(res.header("Content-Type")).as(res.toString()).isEqualTo(PROBLEM_JSON);
    JsonObject p = res.json();
    assertThat(p.getString("code")).as(res.toString()).isEqualTo(code);
    assertThat(p.getInteger("status")).isEqualTo(status);
    assertThat(p.getString("type")).isNotBlank();
    assertThat(p.getString("title")).isNotBlank();
    assertThat(p.getString("detail")).isNotBlank();
    assertThat(p.getString("instance")).startsWith("/");
    assertThat(p.containsKey("errorId")).as("errorId is for 5xx only").isFalse();
    return p;
  }

  static List<Map.Entry<String, String>> errorList(JsonObject problem) {
    JsonArray errors = problem.getJsonArray("errors");
    assertThat(errors).as("errors of %s", problem.encode()).isNotNull().isNotEmpty();
    return errors.stream().map(o -> (JsonObject) o)
      .map(e -> Map.entry(e.getString("field"), e.getString("code"))).toList();
  }

  /** field -> code (the last one when a field has several). */
  static Map<String, String> errors(JsonObject problem) {
    Map<String, String> out = new LinkedHashMap<>();
    errorList(problem).forEach(e -> out.put(e.getKey(), e.getValue()));
    return out;
  }

  static List<String> fields(JsonObject problem) {
    return errorList(problem).stream().map(Map.Entry::getKey).distinct().toList();
  }

  static JsonObject listOrders(Trader t) {
    Http.Res res = app.http.get(ORDERS + "?clientId=" + t.accountId(), app.demoAdminToken());
    assertThat(res.status()).as(res.body()).isEqualTo(200);
    return res.json();
  }

  /** Nothing was created on the account (read as the tenant's admin, who sees every order). */
  static void assertNoOrders(Trader t) {
    JsonObject page = listOrders(t);
    assertThat(page.getLong("total")).as("orders of account %s: %s", t.accountId(), page.encode()).isZero();
    assertThat(page.getJsonArray("data")).isEmpty();
  }

  static JsonObject account(Trader t) {
    Http.Res res = app.http.get(ACCOUNTS + "/" + t.accountId(), app.demoAdminToken());
    assertThat(res.status()).as(res.body()).isEqualTo(200);
    return res.json();
  }

  static BigDecimal dec(JsonObject o, String field) {
    Object v = o.getValue(field);
    assertThat(v).as("%s in %s", field, o).isNotNull();
    return new BigDecimal(v.toString());
  }

  static JsonObject without(JsonObject claims, String name) {
    JsonObject copy = claims.copy();
    copy.remove(name);
    return copy;
  }

  static String secret() throws Exception {
    String configured = app.config().jwt().secret();
    return configured != null ? configured : Files.readString(app.config().dataDir().resolve("jwt-secret")).trim();
  }

  static JWTAuth signer(String secret, String algorithm) {
    return JWTAuth.create(app.app().vertx(), new JWTAuthOptions()
      .addPubSecKey(new PubSecKeyOptions().setAlgorithm(algorithm).setBuffer(secret)));
  }

  /** What the service's own tokens carry: its issuer and audience, HS256, 10 minutes. */
  static JWTOptions options() {
    return new JWTOptions().setAlgorithm("HS256").setIssuer(app.config().jwt().issuer())
      .setAudience(List.of(app.config().jwt().audience())).setExpiresInMinutes(10);
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
