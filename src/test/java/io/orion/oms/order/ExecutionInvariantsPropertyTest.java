package io.orion.oms.order;

import io.orion.oms.account.Account;
import io.orion.oms.account.AccountRepository;
import io.orion.oms.events.Outbox;
import io.orion.oms.lp.ExecutionReport;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Execution reports applied one at a time, in any order and with replays, keep the books consistent: after
 * every report the order, its legs, its fills, the position, the account and the outbox agree with each other
 * and with an independent model of the distinct (LP, ExecID) trades applied so far.
 *
 * <p>One database for the whole property; every try gets an account (and tenant) of its own, so position,
 * balance and event sequence start from zero. ExecIDs are reused across LPs on purpose: the idempotency key is
 * LP + ExecID, so "X1" at lp-a and "X1" at lp-b are two different trades.
 */
class ExecutionInvariantsPropertyTest {
  static final String INSTRUMENT = "EURUSD";
  static final BigDecimal LOT = new BigDecimal("1000");
  static final BigDecimal BASE_PX = new BigDecimal("1.08500");
  static final BigDecimal TICK = new BigDecimal("0.00001");
  static final BigDecimal BUY_LIMIT = new BigDecimal("1.09000");
  static final BigDecimal SELL_LIMIT = new BigDecimal("1.08000");
  static final BigDecimal INITIAL_BALANCE = new BigDecimal("1000000.00");
  static final BigDecimal AVG_TOLERANCE = new BigDecimal("1e-9");
  static final String[] LPS = {"lp-a", "lp-b", "lp-c"};

  static ApplierDatabase db;
  static Pool pool;
  static Connection jdbc;
  static OrderRepository orders;
  static LegRepository legs;
  static AccountRepository accounts;
  static ExecutionApplier applier;

  @BeforeContainer
  static void database() throws Exception {
    db = ApplierDatabase.open(4);
    pool = db.pool;
    jdbc = db.jdbc;
    orders = db.orders;
    legs = db.legs;
    accounts = db.accounts;
    applier = db.applier;
  }

  @AfterContainer
  static void close() throws Exception {
    if (db != null) db.close();
  }

  // ------------------------------------------------------------------ the scenario

  /** One trade an LP reports: on leg {@code leg}, {@code lots} lots at BASE_PX + {@code ticks} ticks. */
  record Trade(int leg, String execId, int lots, int ticks) {
    BigDecimal qty() {
      return LOT.multiply(BigDecimal.valueOf(lots));
    }

    BigDecimal px() {
      return BASE_PX.add(TICK.multiply(BigDecimal.valueOf(ticks)));
    }

    String key() {
      return LPS[leg] + "/" + execId;
    }
  }

  /** The order (side, lots), its legs' lots, and the reports as they arrive (shuffled, with replays). */
  record Scenario(Side side, int lots, List<Integer> legLots, List<Trade> arrivals) {
    @Override
    public String toString() {
      return side + " " + lots + " lots in legs " + legLots + ", arrivals " + arrivals;
    }
  }

  @Provide
  Arbitrary<Scenario> scenarios() {
    return Arbitraries.of(Side.BUY, Side.SELL).flatMap(side -> Arbitraries.integers().between(1, 50).flatMap(q ->
      Arbitraries.integers().between(1, Math.min(3, q)).flatMap(n -> split(q, n, n - 1).flatMap(legLots ->
        Combinators.combine(legTrades(legLots)).as(ExecutionInvariantsPropertyTest::flatten).flatMap(trades ->
          arrivals(trades).map(arr -> new Scenario(side, q, legLots, arr)))))));
  }

  /** {@code total} split into parts of at least one: exactly {@code minCuts}..{@code maxCuts} cuts. */
  static Arbitrary<List<Integer>> split(int total, int minCuts, int maxCuts) {
    int max = Math.min(maxCuts, total - 1);
    if (max <= 0) return Arbitraries.just(List.of(total));
    return Arbitraries.integers().between(1, total - 1).set().ofMinSize(Math.min(minCuts, max)).ofMaxSize(max)
      .map(cuts -> {
        List<Integer> parts = new ArrayList<>();
        int prev = 0;
        for (int c : new TreeSet<>(cuts)) {
          parts.add(c - prev);
          prev = c;
        }
        parts.add(total - prev);
        return parts;
      });
  }

  /** Per leg: a filled amount (often the whole leg), cut into up to 6 trades with prices near BASE_PX. */
  static List<Arbitrary<List<Trade>>> legTrades(List<Integer> legLots) {
    List<Arbitrary<List<Trade>>> out = new ArrayList<>();
    for (int i = 0; i < legLots.size(); i++) {
      int leg = i;
      int l = legLots.get(i);
      Arbitrary<Integer> target = Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.integers().between(0, l)),
        Tuple.of(1, Arbitraries.just(l)));
      out.add(target.flatMap(t -> t == 0 ? Arbitraries.just(List.<Trade>of()) : split(t, 0, 5).flatMap(parts ->
        Arbitraries.integers().between(-300, 300).list().ofSize(parts.size()).map(ticks -> {
          List<Trade> trades = new ArrayList<>();
          for (int k = 0; k < parts.size(); k++) trades.add(new Trade(leg, "X" + (k + 1), parts.get(k), ticks.get(k)));
          return trades;
        }))));
    }
    return out;
  }

  static List<Trade> flatten(List<List<Trade>> perLeg) {
    List<Trade> all = new ArrayList<>();
    perLeg.forEach(all::addAll);
    return all;
  }

  /** The trades in a random order, with up to 5 replays of random ones inserted at random places. */
  static Arbitrary<List<Trade>> arrivals(List<Trade> trades) {
    if (trades.isEmpty()) return Arbitraries.just(List.of());
    int m = trades.size();
    Arbitrary<List<Tuple2<Integer, Integer>>> replays = Combinators.combine(Arbitraries.integers().between(0, m - 1),
      Arbitraries.integers().between(0, 1000)).as(Tuple::of).list().ofMaxSize(5);
    return Combinators.combine(Arbitraries.shuffle(trades), replays).as((shuffled, dups) -> {
      List<Trade> out = new ArrayList<>(shuffled);
      for (Tuple2<Integer, Integer> d : dups) out.add(d.get2() % (out.size() + 1), shuffled.get(d.get1()));
      return out;
    });
  }

  // ------------------------------------------------------------------ the property

  @Property(tries = 40)
  void booksStayConsistentAfterEveryReport(@ForAll("scenarios") Scenario s) throws Exception {
    Instant now = Instant.now();
    String tenant = "t-" + UUID.randomUUID();
    Account account = ApplierDatabase.await(accounts.create(tenant, "alice", "Alice USD", "USD", INITIAL_BALANCE, null, null, now));
    BigDecimal reservedBefore = account.reserved();
    BigDecimal quantity = LOT.multiply(BigDecimal.valueOf(s.lots()));
    boolean buy = s.side() == Side.BUY;
    BigDecimal limit = buy ? BUY_LIMIT : SELL_LIMIT;
    BigDecimal hold = buy ? quantity.multiply(limit).setScale(2, RoundingMode.HALF_EVEN) : BigDecimal.ZERO;

    // as OrderCommands.insert: the order, its held funds and its events in one transaction; then its legs
    NewOrder req = new NewOrder(account.id(), INSTRUMENT, s.side(), OrderType.LIMIT, TimeInForce.GTC, quantity, limit,
      null, null, null, null, s.legLots().size() > 1 ? RoutingStrategy.SPLIT : RoutingStrategy.BEST, null,
      "prop-" + UUID.randomUUID(), new JsonObject());
    UUID orderId = UUID.randomUUID();
    String clOrdPrefix = "C" + orderId.toString().replace("-", "").substring(0, 12);
    List<String> clOrdIds = new ArrayList<>();
    Order order = ApplierDatabase.await(pool.withTransaction(tx -> orders.insert(tx, orderId, tenant, "alice", req, hold, now)
      .compose(o -> {
        int eventCount = hold.signum() > 0 ? 2 : 1;
        return accounts.reserve(tx, o.accountId(), hold, eventCount, now).compose(res -> {
          assertThat(res).as("reservation").isNotNull();
          List<Outbox.Event> events = new ArrayList<>();
          events.add(new Outbox.Event("order.created", o.toApiJson()));
          if (hold.signum() > 0) events.add(new Outbox.Event("balance.updated", new JsonObject()
            .put("clientId", o.accountId().toString()).put("balance", res.balance()).put("reserved", res.reserved())));
          return new Outbox().append(tx, tenant, o.accountId(), res.lastSeq(), events, now);
        }).compose(v -> {
          Future<Void> chain = Future.succeededFuture();
          for (int i = 0; i < s.legLots().size(); i++) {
            String clOrdId = clOrdPrefix + "-" + (i + 1);
            clOrdIds.add(clOrdId);
            BigDecimal legQty = LOT.multiply(BigDecimal.valueOf(s.legLots().get(i)));
            String lp = LPS[i];
            chain = chain.compose(x -> legs.insertAll(tx, List.of(LegRepository.fresh(o.id(), lp, clOrdId, legQty, limit)),
              List.of(o.tenantId()), now));
          }
          return chain.map(o);
        });
      })));
    assertThat(order).isNotNull();

    Model model = new Model();
    int distinct = (int) s.arrivals().stream().map(Trade::key).distinct().count();
    int fillLots = s.arrivals().stream().distinct().mapToInt(Trade::lots).sum();
    Statistics.label("legs").collect(s.legLots().size());
    Statistics.label("outcome").collect(fillLots == 0 ? "no fill" : fillLots == s.lots() ? "filled" : "partial");
    Statistics.label("replays").collect(s.arrivals().size() > distinct ? "some" : "none");
    check(s, "before any report", order.id(), account.id(), quantity, reservedBefore, model);

    for (int step = 0; step < s.arrivals().size(); step++) {
      Trade t = s.arrivals().get(step);
      boolean replay = !model.add(t);
      // ExecIDs are unique per LP for good: a try's own prefix keeps them apart from earlier tries' in this database
      ExecutionReport r = new ExecutionReport(LPS[t.leg()], clOrdPrefix + "-" + t.execId(), clOrdIds.get(t.leg()), null,
        "LP-" + clOrdIds.get(t.leg()), ExecutionReport.Kind.TRADE, ExecutionReport.LpOrderStatus.PARTIALLY_FILLED,
        INSTRUMENT, s.side(), t.qty(), t.px(), null, null, null, null, null, replay);
      ApplierDatabase.await(applier.apply(r));
      check(s, "after step " + step + " (" + t + (replay ? ", replay" : "") + ")", order.id(), account.id(), quantity,
        reservedBefore, model);
    }
  }

  /** The distinct trades applied so far, in arrival order. */
  static final class Model {
    final Map<String, Trade> applied = new HashMap<>();
    final Set<String> order = new LinkedHashSet<>();

    boolean add(Trade t) {
      if (applied.containsKey(t.key())) return false;
      applied.put(t.key(), t);
      order.add(t.key());
      return true;
    }

    BigDecimal filled() {
      return applied.values().stream().map(Trade::qty).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    BigDecimal filled(int leg) {
      return applied.values().stream().filter(t -> t.leg() == leg).map(Trade::qty).reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    BigDecimal notional(int leg) {
      return applied.values().stream().filter(t -> leg < 0 || t.leg() == leg).map(t -> t.qty().multiply(t.px()))
        .reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    BigDecimal cash() {
      return applied.values().stream().map(t -> t.qty().multiply(t.px()).setScale(2, RoundingMode.HALF_EVEN))
        .reduce(BigDecimal.ZERO, BigDecimal::add);
    }
  }

  private void check(Scenario s, String when, UUID orderId, UUID accountId, BigDecimal quantity, BigDecimal reservedBefore,
                     Model model) throws Exception {
    String ctx = s + " — " + when + ": ";
    boolean buy = s.side() == Side.BUY;
    BigDecimal expectedFilled = model.filled();

    // the order row (through the repository, as the API reads it) against its fills and the model
    Order o = ApplierDatabase.await(orders.byId(pool, orderId));
    BigDecimal fillsSum = db.scalar("SELECT coalesce(sum(quantity), 0) FROM fills WHERE order_id = ?", orderId);
    BigDecimal fillsNotional = db.scalar("SELECT coalesce(sum(quantity * price), 0) FROM fills WHERE order_id = ?", orderId);
    long fillCount = db.scalar("SELECT count(*) FROM fills WHERE order_id = ?", orderId).longValueExact();
    assertThat(fillCount).as(ctx + "fills == distinct (LP, ExecID) applied").isEqualTo(model.applied.size());
    assertThat(fillsSum).as(ctx + "sum(fills)").isEqualByComparingTo(expectedFilled);
    assertThat(o.filledQuantity()).as(ctx + "order.filled_quantity").isEqualByComparingTo(fillsSum);
    assertThat(o.filledQuantity()).as(ctx + "order.filled_quantity <= quantity").isLessThanOrEqualTo(o.quantity());
    assertThat(o.quantity()).as(ctx + "order.quantity").isEqualByComparingTo(quantity);
    assertThat(o.remainingQuantity()).as(ctx + "remaining").isEqualByComparingTo(quantity.subtract(expectedFilled));

    if (expectedFilled.signum() == 0) {
      assertThat(o.averagePrice()).as(ctx + "average_price with no fill").isNull();
    } else {
      BigDecimal exact = fillsNotional.divide(fillsSum, MathContext.DECIMAL128);
      assertThat(model.notional(-1)).as(ctx + "fills notional vs model").isEqualByComparingTo(fillsNotional);
      assertThat(o.averagePrice()).as(ctx + "order.average_price (exact " + exact + ")").isNotNull();
      assertThat(o.averagePrice().subtract(exact).abs()).as(ctx + "|order.average_price - " + exact + "|")
        .isLessThanOrEqualTo(AVG_TOLERANCE);
    }

    // legs: filled == sum of their fills (one LP per leg), never more than the leg
    List<Leg> all = ApplierDatabase.await(legs.byOrder(pool, orderId));
    assertThat(all).as(ctx + "legs").hasSize(s.legLots().size());
    for (Leg leg : all) {
      int i = List.of(LPS).indexOf(leg.lpId());
      BigDecimal legFills = db.scalar("SELECT coalesce(sum(quantity), 0) FROM fills WHERE order_id = ? AND lp_id = ?",
        orderId, leg.lpId());
      assertThat(leg.filledQuantity()).as(ctx + "leg " + leg.lpId() + " filled == its fills").isEqualByComparingTo(legFills);
      assertThat(leg.filledQuantity()).as(ctx + "leg " + leg.lpId() + " filled == model").isEqualByComparingTo(model.filled(i));
      assertThat(leg.filledQuantity()).as(ctx + "leg " + leg.lpId() + " filled <= quantity")
        .isLessThanOrEqualTo(leg.quantity());
      if (leg.filledQuantity().signum() > 0) {
        BigDecimal exact = model.notional(i).divide(leg.filledQuantity(), MathContext.DECIMAL128);
        assertThat(leg.averagePrice().subtract(exact).abs()).as(ctx + "leg " + leg.lpId() + " average vs " + exact)
          .isLessThanOrEqualTo(AVG_TOLERANCE);
      }
    }

    // status
    OrderStatus expectedStatus = expectedFilled.signum() == 0 ? OrderStatus.PENDING
      : expectedFilled.compareTo(quantity) < 0 ? OrderStatus.PARTIAL_FILL : OrderStatus.FILLED;
    assertThat(o.status()).as(ctx + "order status").isEqualTo(expectedStatus);

    // position: +filled for a buy, -filled for a sell
    BigDecimal position = db.scalar("SELECT coalesce(sum(quantity), 0) FROM positions WHERE account_id = ? AND instrument_id = ?",
      accountId, INSTRUMENT);
    assertThat(position).as(ctx + "position").isEqualByComparingTo(buy ? expectedFilled : expectedFilled.negate());

    // account: balance moves by each fill's cash in whole cents; held funds follow the order's
    BigDecimal balance = db.scalar("SELECT balance FROM accounts WHERE id = ?", accountId);
    BigDecimal reserved = db.scalar("SELECT reserved FROM accounts WHERE id = ?", accountId);
    BigDecimal cash = model.cash();
    assertThat(balance).as(ctx + "balance").isEqualByComparingTo(buy ? INITIAL_BALANCE.subtract(cash) : INITIAL_BALANCE.add(cash));
    assertThat(reserved).as(ctx + "reserved >= 0").isGreaterThanOrEqualTo(BigDecimal.ZERO);
    assertThat(o.reservedAmount()).as(ctx + "order.reserved_amount >= 0").isGreaterThanOrEqualTo(BigDecimal.ZERO);
    assertThat(reserved).as(ctx + "account.reserved == before + order.reserved_amount")
      .isEqualByComparingTo(reservedBefore.add(o.reservedAmount()));
    if (expectedFilled.compareTo(quantity) == 0) {
      assertThat(reserved).as(ctx + "reserved back to before the order once filled").isEqualByComparingTo(reservedBefore);
    }

    // outbox: seqs 1..n without gap or duplicate, n == the account's last seq
    List<Long> seqs = new ArrayList<>();
    try (PreparedStatement ps = jdbc.prepareStatement("SELECT seq FROM events WHERE account_id = ? ORDER BY seq, id")) {
      ps.setObject(1, accountId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) seqs.add(rs.getLong(1));
      }
    }
    List<Long> expectedSeqs = new ArrayList<>();
    for (long i = 1; i <= seqs.size(); i++) expectedSeqs.add(i);
    assertThat(seqs).as(ctx + "event seqs").isEqualTo(expectedSeqs);
    long lastSeq = db.scalar("SELECT event_seq FROM accounts WHERE id = ?", accountId).longValueExact();
    assertThat((long) seqs.size()).as(ctx + "events == account.event_seq").isEqualTo(lastSeq);
  }

}
