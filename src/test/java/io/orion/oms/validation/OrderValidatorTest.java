package io.orion.oms.validation;

import io.orion.oms.account.Account;
import io.orion.oms.common.ErrorCode;
import io.orion.oms.common.FieldError;
import io.orion.oms.common.Problem;
import io.orion.oms.config.ConfigLoader;
import io.orion.oms.instrument.Instrument;
import io.orion.oms.instrument.InstrumentCatalog;
import io.orion.oms.order.NewOrder;
import io.orion.oms.order.OrderType;
import io.orion.oms.order.RoutingStrategy;
import io.orion.oms.order.Side;
import io.orion.oms.order.TimeInForce;
import io.orion.oms.validation.OrderValidator.Accepted;
import io.orion.oms.validation.OrderValidator.Exposure;
import io.orion.oms.validation.OrderValidator.Rejected;
import io.orion.oms.validation.OrderValidator.RiskResult;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** Field, instrument and risk rules as pure functions, over the instruments of conf/instruments.json. */
class OrderValidatorTest {
  static final Instant NOW = Instant.parse("2030-06-15T12:00:00Z");
  static final Exposure NONE = new Exposure(BigDecimal.ZERO, BigDecimal.ZERO);

  static List<Instrument> instruments;
  static InstrumentCatalog catalog;
  static OrderValidator validator;

  @BeforeAll
  static void loadInstruments() {
    JsonObject json = ConfigLoader.readJson(Path.of("conf"), "instruments.json");
    instruments = new ArrayList<>();
    json.getJsonArray("instruments").forEach(o -> instruments.add(Instrument.fromConfig((JsonObject) o)));
    catalog = new InstrumentCatalog(instruments);
    validator = new OrderValidator(catalog);
  }

  // ------------------------------------------------------------------ helpers

  static BigDecimal d(String s) {
    return new BigDecimal(s);
  }

  /** A valid AAPL limit buy unless changed. */
  static final class O {
    UUID account = UUID.randomUUID();
    String instrument = "AAPL";
    Side side = Side.BUY;
    OrderType type = OrderType.LIMIT;
    TimeInForce tif = TimeInForce.GTC;
    BigDecimal qty = d("10");
    BigDecimal price = d("149.99");
    BigDecimal stop;
    BigDecimal peg;
    BigDecimal trail;
    Instant expiry;
    RoutingStrategy routing;
    String lp;

    O instrument(String v) { instrument = v; return this; }
    O side(Side v) { side = v; return this; }
    O type(OrderType v) { type = v; price = null; return this; }
    O tif(TimeInForce v) { tif = v; return this; }
    O qty(String v) { qty = v == null ? null : d(v); return this; }
    O qty(BigDecimal v) { qty = v; return this; }
    O price(String v) { price = v == null ? null : d(v); return this; }
    O price(BigDecimal v) { price = v; return this; }
    O stop(String v) { stop = v == null ? null : d(v); return this; }
    O peg(String v) { peg = v == null ? null : d(v); return this; }
    O trail(String v) { trail = v == null ? null : d(v); return this; }
    O expiry(Instant v) { expiry = v; return this; }
    O routing(RoutingStrategy v) { routing = v; return this; }
    O lp(String v) { lp = v; return this; }

    NewOrder build() {
      return new NewOrder(account, instrument, side, type, tif, qty, price, stop, peg, trail, expiry, routing, lp,
        null, null);
    }
  }

  static O order() {
    return new O();
  }

  static O market(String instrument, Side side, String qty) {
    return order().instrument(instrument).side(side).type(OrderType.MARKET).qty(qty);
  }

  static Account account(String currency, String available) {
    return account(currency, available, null, null);
  }

  static Account account(String currency, String available, String maxNotional, String maxPosition) {
    Instant t = Instant.parse("2030-01-01T00:00:00Z");
    return new Account(UUID.randomUUID(), "acme", "alice", "test", currency, d(available), BigDecimal.ZERO,
      maxNotional == null ? null : d(maxNotional), maxPosition == null ? null : d(maxPosition), t, t);
  }

  static Problem fields(O o) {
    return validator.checkFields(o.build(), NOW);
  }

  static List<FieldError> errors(O o) {
    Problem p = fields(o);
    assertThat(p).as("expected field errors").isNotNull();
    assertThat(p.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
    return p.errors();
  }

  static void assertValid(O o) {
    Problem p = fields(o);
    assertThat(p).as(() -> "unexpected problem " + (p == null ? "" : p.toJson().encode())).isNull();
  }

  static void assertOnlyError(O o, String field, String code) {
    assertThat(errors(o)).extracting(FieldError::field, FieldError::code).containsExactly(tuple(field, code));
  }

  static Accepted accepted(RiskResult r) {
    assertThat(r).as(() -> r instanceof Rejected rj ? rj.problem().toJson().encode() : "").isInstanceOf(Accepted.class);
    return (Accepted) r;
  }

  static Problem rejected(RiskResult r) {
    assertThat(r).isInstanceOf(Rejected.class);
    return ((Rejected) r).problem();
  }

  // ------------------------------------------------------------------ catalog

  @Test
  void catalogHoldsTheConfiguredInstruments() {
    assertThat(catalog.all()).extracting(Instrument::id)
      .contains("AAPL", "BTC-USD", "EURUSD", "GBPUSD", "MSFT", "USDJPY")
      .isSorted();
    Instrument btc = catalog.get("BTC-USD");
    assertThat(btc.lotSize()).isEqualByComparingTo("0.0001");
    assertThat(btc.tickSize()).isEqualByComparingTo("0.01");
    assertThat(btc.enabled()).isTrue();
    assertThat(catalog.get("NOPE")).isNull();
  }

  @Test
  void convertDirectInverseAndViaUsd() {
    assertThat(catalog.convert(d("100"), "USD", "USD")).isEqualByComparingTo("100");
    // direct: EURUSD base EUR quote USD
    assertThat(catalog.convert(d("100"), "EUR", "USD")).isEqualByComparingTo("108.5");
    assertThat(catalog.convert(d("1000"), "USD", "JPY")).isEqualByComparingTo("149500");
    // inverse: 1 / 1.085
    assertThat(catalog.convert(d("108.5"), "USD", "EUR")).isCloseTo(d("100"), org.assertj.core.data.Offset.offset(d("0.000001")));
    assertThat(catalog.convert(d("1500"), "USD", "EUR")).isEqualByComparingTo("1382.48847926");
    assertThat(catalog.convert(d("127"), "USD", "GBP")).isCloseTo(d("100"), org.assertj.core.data.Offset.offset(d("0.000001")));
    // via USD: EUR -> USD -> GBP = 1.085 / 1.27
    assertThat(catalog.convert(d("100"), "EUR", "GBP")).isCloseTo(d("85.43307087"), org.assertj.core.data.Offset.offset(d("0.00000002")));
    assertThat(catalog.convert(d("100"), "GBP", "EUR")).isCloseTo(d("117.05069124"), org.assertj.core.data.Offset.offset(d("0.00000002")));
    assertThat(catalog.convert(d("1"), "EUR", "JPY")).isEqualByComparingTo("162.2075");
    assertThat(catalog.convert(d("162207.5"), "JPY", "EUR")).isCloseTo(d("1000"), org.assertj.core.data.Offset.offset(d("0.0001")));
    // results carry 8 decimals
    assertThat(catalog.convert(d("100"), "EUR", "USD").scale()).isEqualTo(8);
    // unknown currencies: no rate
    assertThat(catalog.convert(d("100"), "USD", "CHF")).isNull();
    assertThat(catalog.convert(d("100"), "CHF", "EUR")).isNull();
    assertThat(catalog.convert(d("100"), "AAPL", "USD")).as("equities are not currencies").isNull();
  }

  @Test
  void conversionRoundTripsStayWithinOneMillionth() {
    Random rnd = new Random(42);
    String[] ccy = {"USD", "EUR", "GBP", "JPY"};
    for (int i = 0; i < 500; i++) {
      BigDecimal amount = BigDecimal.valueOf(rnd.nextInt(10_000_000) + 1, 2);
      String from = ccy[rnd.nextInt(ccy.length)];
      String to = ccy[rnd.nextInt(ccy.length)];
      BigDecimal there = catalog.convert(amount, from, to);
      BigDecimal back = catalog.convert(there, to, from);
      assertThat(back.subtract(amount).abs()).as(amount + " " + from + "->" + to + "->" + from)
        .isLessThanOrEqualTo(amount.multiply(d("0.000001")).max(d("0.00000001")));
    }
  }

  // ------------------------------------------------------------------ fields: valid orders

  @Test
  void validOrdersOfEveryTypePass() {
    assertValid(order());
    assertValid(market("AAPL", Side.SELL, "1"));
    assertValid(order().type(OrderType.STOP).stop("151.00"));
    assertValid(order().type(OrderType.STOP_LIMIT).stop("151.00").price("151.50"));
    assertValid(order().type(OrderType.PEGGED).peg("-0.05"));
    assertValid(order().type(OrderType.PEGGED).peg("0.00").price("150.10"));
    assertValid(order().type(OrderType.TRAILING_STOP).trail("1.25"));
    assertValid(order().instrument("EURUSD").qty("25000").price("1.08512"));
    assertValid(order().instrument("USDJPY").qty("1000").price("149.501"));
    assertValid(order().instrument("BTC-USD").qty("0.0003").price("64999.99"));
    assertValid(order().tif(TimeInForce.GTD).expiry(NOW.plusSeconds(1)));
    assertValid(order().routing(RoutingStrategy.MANUAL).lp("lp-1"));
    assertValid(order().routing(RoutingStrategy.SPLIT));
    assertValid(order().price("150.000")); // trailing zeros are still on tick
    assertValid(order().qty("10.000"));
  }

  // ------------------------------------------------------------------ quantity

  @Test
  void quantityMustBeALotMultiple() {
    assertOnlyError(order().qty("10.5"), "quantity", "NOT_LOT_MULTIPLE");
    assertOnlyError(order().instrument("EURUSD").price("1.085").qty("1500"), "quantity", "NOT_LOT_MULTIPLE");
    assertOnlyError(order().instrument("BTC-USD").price("65000").qty("0.00015"), "quantity", "NOT_LOT_MULTIPLE");
    FieldError e = errors(order().instrument("EURUSD").price("1.085").qty("2500")).get(0);
    assertThat(e.message()).contains("lot size 1000").contains("EURUSD");
  }

  @Test
  void quantityMustReachTheMinimum() {
    // the configured instruments have minQuantity == lotSize: below it is also off-lot
    assertThat(errors(order().instrument("EURUSD").price("1.085").qty("500")))
      .extracting(FieldError::field, FieldError::code)
      .containsExactlyInAnyOrder(tuple("quantity", "BELOW_MIN_QUANTITY"), tuple("quantity", "NOT_LOT_MULTIPLE"));
    // an instrument whose minimum is several lots
    Instrument big = new Instrument("BIG", "equity", "BIG", "USD", d("0.05"), d("10"), d("100"), d("20"), true);
    OrderValidator v = new OrderValidator(new InstrumentCatalog(List.of(big)));
    Problem p = v.checkFields(order().instrument("BIG").qty("90").price("20.05").build(), NOW);
    assertThat(p.errors()).extracting(FieldError::field, FieldError::code)
      .containsExactly(tuple("quantity", "BELOW_MIN_QUANTITY"));
    assertThat(p.errors().get(0).message()).contains("at least 100").contains("BIG");
    assertThat(v.checkFields(order().instrument("BIG").qty("100").price("20.05").build(), NOW)).isNull();
    assertThat(v.checkFields(order().instrument("BIG").qty("110").price("20.05").build(), NOW)).isNull();
  }

  @Test
  void quantityMustBePositive() {
    assertOnlyError(order().qty("0"), "quantity", "MUST_BE_POSITIVE");
    assertOnlyError(order().qty("-10"), "quantity", "MUST_BE_POSITIVE");
  }

  // ------------------------------------------------------------------ ticks

  @Test
  void pricesMustBeOnTick() {
    assertOnlyError(order().price("149.555"), "price", "NOT_ON_TICK");
    assertOnlyError(order().type(OrderType.STOP).stop("151.001"), "stopPrice", "NOT_ON_TICK");
    assertOnlyError(order().type(OrderType.PEGGED).peg("0.005"), "pegOffset", "NOT_ON_TICK");
    assertOnlyError(order().type(OrderType.PEGGED).peg("-0.015"), "pegOffset", "NOT_ON_TICK");
    assertOnlyError(order().type(OrderType.TRAILING_STOP).trail("0.001"), "trailAmount", "NOT_ON_TICK");
    assertOnlyError(order().instrument("EURUSD").qty("1000").price("1.085001"), "price", "NOT_ON_TICK");
    assertOnlyError(order().instrument("USDJPY").qty("1000").price("149.5005"), "price", "NOT_ON_TICK");
    assertThat(errors(order().price("149.555")).get(0).message()).contains("tick size 0.01").contains("AAPL");
  }

  @Test
  void pricesMustBePositiveButPegOffsetMayBeNegativeOrZero() {
    assertOnlyError(order().price("0"), "price", "MUST_BE_POSITIVE");
    assertOnlyError(order().price("-1.00"), "price", "MUST_BE_POSITIVE");
    assertOnlyError(order().type(OrderType.STOP).stop("0"), "stopPrice", "MUST_BE_POSITIVE");
    assertOnlyError(order().type(OrderType.TRAILING_STOP).trail("-0.50"), "trailAmount", "MUST_BE_POSITIVE");
    assertValid(order().type(OrderType.PEGGED).peg("-1.00"));
    assertValid(order().type(OrderType.PEGGED).peg("0"));
  }

  // ------------------------------------------------------------------ per type

  static BigDecimal valueFor(String field) {
    return switch (field) {
      case "price" -> d("150.00");
      case "stopPrice" -> d("151.00");
      case "pegOffset" -> d("0.01");
      default -> d("0.50");
    };
  }

  static O with(O o, String field, BigDecimal v) {
    switch (field) {
      case "price" -> o.price = v;
      case "stopPrice" -> o.stop = v;
      case "pegOffset" -> o.peg = v;
      default -> o.trail = v;
    }
    return o;
  }

  static Set<String> required(OrderType t) {
    return switch (t) {
      case MARKET -> Set.of();
      case LIMIT -> Set.of("price");
      case STOP -> Set.of("stopPrice");
      case STOP_LIMIT -> Set.of("price", "stopPrice");
      case PEGGED -> Set.of("pegOffset");
      case TRAILING_STOP -> Set.of("trailAmount");
    };
  }

  static Set<String> allowed(OrderType t) {
    return t == OrderType.PEGGED ? Set.of("pegOffset", "price") : required(t);
  }

  @ParameterizedTest
  @EnumSource(OrderType.class)
  void requiredAndNotAllowedFieldsPerType(OrderType type) {
    List<String> all = List.of("price", "stopPrice", "pegOffset", "trailAmount");
    // exactly the required fields: valid
    O ok = order().type(type);
    required(type).forEach(f -> with(ok, f, valueFor(f)));
    assertValid(ok);
    // every allowed field present: still valid
    O full = order().type(type);
    allowed(type).forEach(f -> with(full, f, valueFor(f)));
    assertValid(full);

    for (String f : all) {
      if (required(type).contains(f)) {
        O missing = order().type(type);
        required(type).stream().filter(r -> !r.equals(f)).forEach(r -> with(missing, r, valueFor(r)));
        List<FieldError> errs = errors(missing);
        assertThat(errs).extracting(FieldError::field, FieldError::code).containsExactly(tuple(f, "REQUIRED"));
        assertThat(errs.get(0).message()).contains(type.wire());
      }
      if (!allowed(type).contains(f)) {
        O extra = order().type(type);
        required(type).forEach(r -> with(extra, r, valueFor(r)));
        with(extra, f, valueFor(f));
        List<FieldError> errs = errors(extra);
        assertThat(errs).as(type + " with " + f).extracting(FieldError::field, FieldError::code)
          .containsExactly(tuple(f, "NOT_ALLOWED"));
      }
    }
  }

  // ------------------------------------------------------------------ time in force

  @Test
  void gtdNeedsAnExpiryInTheFuture() {
    assertValid(order().tif(TimeInForce.GTD).expiry(NOW.plus(Duration.ofDays(3))));
    assertOnlyError(order().tif(TimeInForce.GTD), "expiryDate", "REQUIRED");
    assertOnlyError(order().tif(TimeInForce.GTD).expiry(NOW.minusSeconds(1)), "expiryDate", "MUST_BE_FUTURE");
    assertOnlyError(order().tif(TimeInForce.GTD).expiry(NOW), "expiryDate", "MUST_BE_FUTURE");
    // "now" is the one passed in, not the wall clock
    Instant past = Instant.parse("2001-01-01T00:00:00Z");
    assertThat(validator.checkFields(order().tif(TimeInForce.GTD).expiry(past.plusSeconds(60)).build(), past)).isNull();
  }

  @ParameterizedTest
  @EnumSource(value = TimeInForce.class, names = "GTD", mode = EnumSource.Mode.EXCLUDE)
  void expiryIsOnlyForGtd(TimeInForce tif) {
    assertValid(order().tif(tif));
    assertOnlyError(order().tif(tif).expiry(NOW.plus(Duration.ofDays(1))), "expiryDate", "NOT_ALLOWED");
  }

  // ------------------------------------------------------------------ routing

  @Test
  void manualRoutingNeedsAnLpAndOnlyManualTakesOne() {
    assertValid(order().routing(RoutingStrategy.MANUAL).lp("lp-alpha"));
    assertOnlyError(order().routing(RoutingStrategy.MANUAL), "lpId", "REQUIRED");
    for (RoutingStrategy s : List.of(RoutingStrategy.BEST, RoutingStrategy.SPLIT, RoutingStrategy.SEQUENTIAL)) {
      assertValid(order().routing(s));
      assertOnlyError(order().routing(s).lp("lp-alpha"), "lpId", "NOT_ALLOWED");
    }
    // no strategy means best
    assertOnlyError(order().lp("lp-alpha"), "lpId", "NOT_ALLOWED");
  }

  // ------------------------------------------------------------------ instrument

  @Test
  void unknownOrDisabledInstrumentIsReported() {
    assertOnlyError(order().instrument("TSLA"), "instrumentId", "UNKNOWN_INSTRUMENT");
    assertThat(errors(order().instrument("TSLA")).get(0).message()).contains("TSLA");
    Instrument off = new Instrument("OFF", "equity", "OFF", "USD", d("0.01"), d("1"), d("1"), d("10"), false);
    OrderValidator v = new OrderValidator(new InstrumentCatalog(List.of(off)));
    Problem p = v.checkFields(order().instrument("OFF").price("10.00").build(), NOW);
    assertThat(p.errors()).extracting(FieldError::field, FieldError::code)
      .containsExactly(tuple("instrumentId", "UNKNOWN_INSTRUMENT"));
  }

  @Test
  void severalErrorsAreReportedTogether() {
    O bad = order().instrument("AAPL").qty("10.5").price("149.555").stop("1.00").tif(TimeInForce.GTD)
      .routing(RoutingStrategy.MANUAL);
    Problem p = fields(bad);
    assertThat(p.code()).isEqualTo(ErrorCode.VALIDATION_FAILED);
    assertThat(p.errors()).extracting(FieldError::field, FieldError::code).containsExactlyInAnyOrder(
      tuple("stopPrice", "NOT_ALLOWED"),
      tuple("quantity", "NOT_LOT_MULTIPLE"),
      tuple("price", "NOT_ON_TICK"),
      tuple("expiryDate", "REQUIRED"),
      tuple("lpId", "REQUIRED"));
    assertThat(p.detail()).isEqualTo("The order has 5 invalid fields");
    assertThat(fields(order().qty("10.5")).detail()).isEqualTo("The order has 1 invalid field");

    // unknown instrument and type rules together (instrument rules cannot be checked)
    Problem unknown = fields(order().instrument("TSLA").type(OrderType.LIMIT).qty("0.5"));
    assertThat(unknown.errors()).extracting(FieldError::field, FieldError::code)
      .containsExactlyInAnyOrder(tuple("instrumentId", "UNKNOWN_INSTRUMENT"), tuple("price", "REQUIRED"));
    assertThat(unknown.toJson().getJsonArray("errors")).hasSize(2);
  }

  // ------------------------------------------------------------------ property-style: alignment

  @Test
  void alignedValuesAlwaysPassAndMisalignedOnesAlwaysFail() {
    Random rnd = new Random(20300615L);
    for (int i = 0; i < 3000; i++) {
      Instrument inst = instruments.get(rnd.nextInt(instruments.size()));
      long lots = inst.minQuantity().divide(inst.lotSize(), 0, RoundingMode.UP).longValueExact() + rnd.nextInt(5000);
      BigDecimal qty = inst.lotSize().multiply(BigDecimal.valueOf(lots));
      long ticks = 1 + rnd.nextInt(10_000_000);
      BigDecimal price = inst.tickSize().multiply(BigDecimal.valueOf(ticks));
      O ok = order().instrument(inst.id()).qty(qty).price(price);
      assertThat(fields(ok)).as(inst.id() + " qty " + qty + " price " + price).isNull();

      // a fraction 1/10..9/10 of a lot (or tick) added: never a multiple
      BigDecimal lotFraction = inst.lotSize().multiply(BigDecimal.valueOf(1 + rnd.nextInt(9), 1));
      BigDecimal tickFraction = inst.tickSize().multiply(BigDecimal.valueOf(1 + rnd.nextInt(9), 1));
      BigDecimal badQty = qty.add(lotFraction);
      BigDecimal badPrice = price.add(tickFraction);
      assertThat(errors(order().instrument(inst.id()).qty(badQty).price(price)))
        .as(inst.id() + " qty " + badQty).extracting(FieldError::field, FieldError::code)
        .containsExactly(tuple("quantity", "NOT_LOT_MULTIPLE"));
      assertThat(errors(order().instrument(inst.id()).qty(qty).price(badPrice)))
        .as(inst.id() + " price " + badPrice).extracting(FieldError::field, FieldError::code)
        .containsExactly(tuple("price", "NOT_ON_TICK"));
      assertThat(errors(order().instrument(inst.id()).type(OrderType.STOP_LIMIT).qty(qty).price(badPrice)
        .stop(price.toPlainString())))
        .extracting(FieldError::field).containsExactly("price");
      assertThat(errors(order().instrument(inst.id()).type(OrderType.TRAILING_STOP).qty(qty)
        .trail(tickFraction.toPlainString())))
        .extracting(FieldError::field, FieldError::code).containsExactly(tuple("trailAmount", "NOT_ON_TICK"));
    }
  }

  // ------------------------------------------------------------------ risk: funds

  @Test
  void marketBuyBeyondAvailableFundsIsRefusedWithTheExactDetail() {
    Problem p = rejected(validator.checkRisk(market("AAPL", Side.BUY, "100").build(), account("USD", "5000"), NONE));
    assertThat(p.code()).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);
    assertThat(p.detail()).isEqualTo("Insufficient funds for $15,000.00 order; available: $5,000.00");
    assertThat(new BigDecimal(p.extensions().getValue("required").toString())).isEqualByComparingTo("15000.00");
    assertThat(new BigDecimal(p.extensions().getValue("available").toString())).isEqualByComparingTo("5000");
    assertThat(p.extensions().getString("currency")).isEqualTo("USD");
    assertThat(p.status()).isEqualTo(400);
  }

  @Test
  void availableIsBalanceMinusReserved() {
    Instant t = NOW;
    Account half = new Account(UUID.randomUUID(), "acme", "alice", "a", "USD", d("20000"), d("6000"), null, null, t, t);
    Problem p = rejected(validator.checkRisk(market("AAPL", Side.BUY, "100").build(), half, NONE));
    assertThat(p.detail()).isEqualTo("Insufficient funds for $15,000.00 order; available: $14,000.00");
    Account enough = new Account(UUID.randomUUID(), "acme", "alice", "a", "USD", d("21000"), d("6000"), null, null, t, t);
    assertThat(accepted(validator.checkRisk(market("AAPL", Side.BUY, "100").build(), enough, NONE)).reserveAmount())
      .isEqualByComparingTo("15000.00");
  }

  @Test
  void limitBuyReservesQuantityTimesPrice() {
    Accepted a = accepted(validator.checkRisk(order().qty("10").price("149.99").build(), account("USD", "1499.90"), NONE));
    assertThat(a.notional()).isEqualByComparingTo("1499.90");
    assertThat(a.reserveAmount()).isEqualByComparingTo("1499.90");
    assertThat(a.reserveAmount().scale()).isEqualTo(2);
    // one cent short
    Problem p = rejected(validator.checkRisk(order().qty("10").price("149.99").build(), account("USD", "1499.89"), NONE));
    assertThat(p.detail()).isEqualTo("Insufficient funds for $1,499.90 order; available: $1,499.89");
    // fractions of a cent are rounded up: 0.0003 BTC at 65000.01 = 19.500003
    Accepted btc = accepted(validator.checkRisk(order().instrument("BTC-USD").qty("0.0003").price("65000.01").build(),
      account("USD", "100"), NONE));
    assertThat(btc.reserveAmount()).isEqualByComparingTo("19.51");
  }

  @Test
  void sellReservesNothing() {
    Accepted a = accepted(validator.checkRisk(market("AAPL", Side.SELL, "100").build(), account("USD", "0"), NONE));
    assertThat(a.notional()).isEqualByComparingTo("15000.00");
    assertThat(a.reserveAmount()).isEqualByComparingTo("0");
    Accepted limit = accepted(validator.checkRisk(order().side(Side.SELL).qty("3").price("151.00").build(),
      account("USD", "0"), NONE));
    assertThat(limit.notional()).isEqualByComparingTo("453.00");
    assertThat(limit.reserveAmount().signum()).isZero();
  }

  @Test
  void estimatedPricePerOrderType() {
    Instrument aapl = catalog.get("AAPL"); // reference 150.00
    assertThat(validator.estimatedPrice(market("AAPL", Side.BUY, "1").build(), aapl)).isEqualByComparingTo("150.00");
    assertThat(validator.estimatedPrice(order().price("149.00").build(), aapl)).isEqualByComparingTo("149.00");
    // stop: the worse of stop and reference for the side
    assertThat(validator.estimatedPrice(order().type(OrderType.STOP).stop("155.00").build(), aapl)).isEqualByComparingTo("155.00");
    assertThat(validator.estimatedPrice(order().type(OrderType.STOP).stop("140.00").build(), aapl)).isEqualByComparingTo("150.00");
    assertThat(validator.estimatedPrice(order().side(Side.SELL).type(OrderType.STOP).stop("140.00").build(), aapl)).isEqualByComparingTo("140.00");
    assertThat(validator.estimatedPrice(order().type(OrderType.STOP_LIMIT).stop("155.00").price("156.00").build(), aapl)).isEqualByComparingTo("156.00");
    assertThat(validator.estimatedPrice(order().type(OrderType.TRAILING_STOP).trail("2.50").build(), aapl)).isEqualByComparingTo("152.50");
    assertThat(validator.estimatedPrice(order().side(Side.SELL).type(OrderType.TRAILING_STOP).trail("2.50").build(), aapl)).isEqualByComparingTo("147.50");
    assertThat(validator.estimatedPrice(order().side(Side.SELL).type(OrderType.TRAILING_STOP).trail("500.00").build(), aapl)).isEqualByComparingTo("0.01");
    assertThat(validator.estimatedPrice(order().type(OrderType.PEGGED).peg("0.10").build(), aapl)).isEqualByComparingTo("150.10");
    assertThat(validator.estimatedPrice(order().type(OrderType.PEGGED).peg("0.10").price("150.05").build(), aapl)).isEqualByComparingTo("150.05");
    assertThat(validator.estimatedPrice(order().side(Side.SELL).type(OrderType.PEGGED).peg("-0.10").price("149.95").build(), aapl)).isEqualByComparingTo("149.95");
    // and risk uses it: a buy stop at 155 holds 10 x 155
    Accepted a = accepted(validator.checkRisk(order().type(OrderType.STOP).stop("155.00").build(), account("USD", "1e6"), NONE));
    assertThat(a.reserveAmount()).isEqualByComparingTo("1550.00");
  }

  // ------------------------------------------------------------------ risk: limits

  @Test
  void maxOrderNotionalIsEnforced() {
    Account acct = account("USD", "1000000", "10000", null);
    Problem p = rejected(validator.checkRisk(market("AAPL", Side.BUY, "100").build(), acct, NONE));
    assertThat(p.code()).isEqualTo(ErrorCode.RISK_LIMIT_EXCEEDED);
    assertThat(p.detail()).contains("maxOrderNotional").contains("$15,000.00").contains("$10,000.00");
    assertThat(p.extensions().getString("limit")).isEqualTo("maxOrderNotional");
    assertThat(new BigDecimal(p.extensions().getValue("limitValue").toString())).isEqualByComparingTo("10000");
    assertThat(new BigDecimal(p.extensions().getValue("requested").toString())).isEqualByComparingTo("15000.00");
    // sells count too (notional, not funds)
    assertThat(rejected(validator.checkRisk(market("AAPL", Side.SELL, "100").build(), acct, NONE)).code())
      .isEqualTo(ErrorCode.RISK_LIMIT_EXCEEDED);
    // exactly at the limit is fine
    Accepted at = accepted(validator.checkRisk(order().qty("100").price("100.00").build(), acct, NONE));
    assertThat(at.notional()).isEqualByComparingTo("10000.00");
    // funds are checked first
    Problem funds = rejected(validator.checkRisk(market("AAPL", Side.BUY, "100").build(),
      account("USD", "5000", "10000", null), NONE));
    assertThat(funds.code()).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);
  }

  @Test
  void maxPositionQuantityCountsPositionAndOpenSameSideQuantity() {
    Account acct = account("USD", "1000000", null, "100");
    // 50 held + 30 open buys + 30 new = 110 > 100
    Problem p = rejected(validator.checkRisk(order().qty("30").build(), acct, new Exposure(d("50"), d("30"))));
    assertThat(p.code()).isEqualTo(ErrorCode.RISK_LIMIT_EXCEEDED);
    assertThat(p.detail()).contains("maxPositionQuantity").contains("110").contains("AAPL");
    assertThat(p.extensions().getString("limit")).isEqualTo("maxPositionQuantity");
    assertThat(new BigDecimal(p.extensions().getValue("requested").toString())).isEqualByComparingTo("110");
    assertThat(new BigDecimal(p.extensions().getValue("limitValue").toString())).isEqualByComparingTo("100");
    // 50 + 30 + 20 = 100: at the limit
    accepted(validator.checkRisk(order().qty("20").build(), acct, new Exposure(d("50"), d("30"))));
    // without the open orders the same order passes
    accepted(validator.checkRisk(order().qty("30").build(), acct, new Exposure(d("50"), d("0"))));
    // a sell reduces a long position
    accepted(validator.checkRisk(order().side(Side.SELL).qty("90").build(), acct, new Exposure(d("80"), d("0"))));
    // shorts count by size: -80 held, 10 open sells, 20 more = |-110|
    Problem shortP = rejected(validator.checkRisk(order().side(Side.SELL).qty("20").build(), acct,
      new Exposure(d("-80"), d("10"))));
    assertThat(shortP.extensions().getString("limit")).isEqualTo("maxPositionQuantity");
    // flipping from long 60 to short 110 by selling 170
    rejected(validator.checkRisk(order().side(Side.SELL).qty("170").build(), acct, new Exposure(d("60"), d("0"))));
    accepted(validator.checkRisk(order().side(Side.SELL).qty("160").build(), acct, new Exposure(d("60"), d("0"))));
  }

  // ------------------------------------------------------------------ risk: currencies

  @Test
  void usdJpyOnAUsdAccountConvertsTheYenNotional() {
    // 1000 USDJPY at a limit of 150.000 = 150,000 JPY = 1003.3444... USD, rounded up
    Accepted a = accepted(validator.checkRisk(order().instrument("USDJPY").qty("1000").price("150.000").build(),
      account("USD", "100000"), NONE));
    assertThat(a.notional()).isEqualByComparingTo("1003.35");
    assertThat(a.reserveAmount()).isEqualByComparingTo("1003.35");
    Problem p = rejected(validator.checkRisk(order().instrument("USDJPY").qty("1000").price("150.000").build(),
      account("USD", "1000"), NONE));
    assertThat(p.detail()).isEqualTo("Insufficient funds for $1,003.35 order; available: $1,000.00");
  }

  /**
   * Buying 1000 USD of USDJPY at its reference price 149.500 costs 149,500 JPY, which is exactly
   * 1000.00 USD. Rounding the inverse rate to 12 decimals before multiplying, then rounding the result
   * up to the cent, makes it 1000.01: an account holding exactly $1,000.00 is refused.
   */
  @Test
  void exactConversionIsNotInflatedByRateRounding() {
    org.assertj.core.api.SoftAssertions soft = new org.assertj.core.api.SoftAssertions();
    soft.assertThat(catalog.convert(d("149500"), "JPY", "USD")).as("149,500 JPY in USD").isEqualByComparingTo("1000");
    RiskResult r = validator.checkRisk(market("USDJPY", Side.BUY, "1000").build(), account("USD", "1000.00"), NONE);
    soft.assertThat(r).as(() -> r instanceof Rejected rj ? rj.problem().detail() : "").isInstanceOf(Accepted.class);
    if (r instanceof Accepted a) {
      soft.assertThat(a.notional()).isEqualByComparingTo("1000.00");
      soft.assertThat(a.reserveAmount()).isEqualByComparingTo("1000.00");
    }
    soft.assertAll();
  }

  @Test
  void nonUsdAccountsConvertDirectlyAndViaUsd() {
    // 10 AAPL at 150 = 1500 USD = 1382.488... EUR
    Accepted eur = accepted(validator.checkRisk(order().qty("10").price("150.00").build(), account("EUR", "5000"), NONE));
    assertThat(eur.reserveAmount()).isEqualByComparingTo("1382.49");
    // 1000 USDJPY at 149.500 on a EUR account: JPY -> USD -> EUR = 921.658... EUR
    Accepted jpyEur = accepted(validator.checkRisk(market("USDJPY", Side.BUY, "1000").build(), account("EUR", "5000"), NONE));
    assertThat(jpyEur.reserveAmount()).isEqualByComparingTo("921.66");
    // a JPY account buying AAPL: 1500 USD = 224,250 JPY
    Accepted jpy = accepted(validator.checkRisk(order().qty("10").price("150.00").build(), account("JPY", "1000000"), NONE));
    assertThat(jpy.reserveAmount()).isEqualByComparingTo("224250.00");
    Problem p = rejected(validator.checkRisk(order().qty("10").price("150.00").build(), account("EUR", "1000"), NONE));
    assertThat(p.detail()).isEqualTo("Insufficient funds for €1,382.49 order; available: €1,000.00");
    assertThat(p.extensions().getString("currency")).isEqualTo("EUR");
  }

  @Test
  void accountInACurrencyWithoutRateIsUnsupported() {
    Problem p = rejected(validator.checkRisk(order().build(), account("CHF", "1000000"), NONE));
    assertThat(p.code()).isEqualTo(ErrorCode.UNSUPPORTED_CURRENCY);
    assertThat(p.detail()).contains("USD").contains("CHF").contains("AAPL");
    // also for sells: the notional cannot be measured
    assertThat(rejected(validator.checkRisk(order().side(Side.SELL).build(), account("CHF", "0"), NONE)).code())
      .isEqualTo(ErrorCode.UNSUPPORTED_CURRENCY);
  }

  // ------------------------------------------------------------------ property-style: funds

  @Test
  void reserveIsAlwaysQuantityTimesPriceRoundedUpAndAvailableExactlyIsEnough() {
    Random rnd = new Random(7);
    List<Instrument> usdQuoted = instruments.stream().filter(i -> i.quoteCurrency().equals("USD")).toList();
    for (int i = 0; i < 2000; i++) {
      Instrument inst = usdQuoted.get(rnd.nextInt(usdQuoted.size()));
      BigDecimal qty = inst.lotSize().multiply(BigDecimal.valueOf(1 + rnd.nextInt(50)));
      BigDecimal price = inst.tickSize().multiply(BigDecimal.valueOf(1 + rnd.nextInt(2_000_000)));
      BigDecimal expected = qty.multiply(price).setScale(2, RoundingMode.UP);
      NewOrder buy = order().instrument(inst.id()).qty(qty).price(price).build();
      assertThat(validator.checkFields(buy, NOW)).isNull();

      Accepted a = accepted(validator.checkRisk(buy, account("USD", expected.toPlainString()), NONE));
      assertThat(a.reserveAmount()).as(qty + " x " + price).isEqualByComparingTo(expected);
      assertThat(a.notional()).isEqualByComparingTo(expected);

      BigDecimal short1 = expected.subtract(d("0.01"));
      Problem p = rejected(validator.checkRisk(buy, account("USD", short1.toPlainString()), NONE));
      assertThat(p.code()).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);
      assertThat(new BigDecimal(p.extensions().getValue("required").toString())).isEqualByComparingTo(expected);

      NewOrder sell = order().instrument(inst.id()).side(Side.SELL).qty(qty).price(price).build();
      assertThat(accepted(validator.checkRisk(sell, account("USD", "0"), NONE)).reserveAmount().signum()).isZero();
    }
  }

  @Test
  void symbolsForKnownCurrencies() {
    assertThat(OrderValidator.symbol("USD")).isEqualTo("$");
    assertThat(OrderValidator.symbol("EUR")).isEqualTo("€");
    assertThat(OrderValidator.symbol("GBP")).isEqualTo("£");
    assertThat(OrderValidator.symbol("JPY")).isEqualTo("¥");
    assertThat(OrderValidator.symbol("CHF")).isEqualTo("CHF ");
    assertThat(OrderValidator.insufficientFunds("CHF", d("1234.5"), d("0")).detail())
      .isEqualTo("Insufficient funds for CHF 1,234.50 order; available: CHF 0.00");
  }
}
