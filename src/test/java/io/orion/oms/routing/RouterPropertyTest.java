package io.orion.oms.routing;

import io.orion.oms.lp.Quote;
import io.orion.oms.order.OrderType;
import io.orion.oms.order.RoutingStrategy;
import io.orion.oms.order.Side;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static io.orion.oms.routing.Fixtures.NOW;
import static io.orion.oms.routing.Fixtures.router;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The routing rules checked against an independent restatement of them over many random books (seeded, so a
 * failure reproduces): few price levels so that ties are common, sizes off the lot, one-sided quotes,
 * unhealthy LPs, limits on both sides of the book.
 */
class RouterPropertyTest {
  static final int BOOKS = 20_000;
  static final String[] LOTS = {"1", "1000", "0.0001"};
  static final BigDecimal BASE = new BigDecimal("1.08000");
  static final BigDecimal TICK = new BigDecimal("0.00001");

  final Router router = router(ids(12).toArray(String[]::new));

  record Book(RouteRequest req, List<Quote> quotes, Set<String> healthy) {}

  static List<String> ids(int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) ids.add(String.format("lp-%02d", i));
    return ids;
  }

  static BigDecimal price(Random rnd) {
    return rnd.nextInt(10) == 0 ? null : BASE.add(TICK.multiply(BigDecimal.valueOf(rnd.nextInt(12))));
  }

  static BigDecimal size(Random rnd, BigDecimal lot) {
    int kind = rnd.nextInt(10);
    if (kind == 0) return BigDecimal.ZERO;
    if (kind == 1) return null;
    BigDecimal s = lot.multiply(BigDecimal.valueOf(rnd.nextInt(kind < 8 ? 60 : 3000)));
    if (rnd.nextBoolean()) s = s.add(lot.multiply(new BigDecimal("0.37"))); // a part lot, unusable
    return s;
  }

  static Book randomBook(Random rnd, RoutingStrategy strategy) {
    BigDecimal lot = new BigDecimal(LOTS[rnd.nextInt(LOTS.length)]);
    List<String> lps = ids(12);
    Collections.shuffle(lps, rnd);
    int n = rnd.nextInt(9);
    List<Quote> quotes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      quotes.add(new Quote(lps.get(i), Fixtures.EURUSD, price(rnd), size(rnd, lot), price(rnd), size(rnd, lot),
        NOW.minusMillis(rnd.nextInt(500))));
    }
    Set<String> healthy = new HashSet<>();
    for (String lp : lps) if (rnd.nextInt(10) < (rnd.nextInt(20) == 0 ? 0 : 7)) healthy.add(lp);
    Side side = rnd.nextBoolean() ? Side.BUY : Side.SELL;
    boolean isLimit = rnd.nextBoolean();
    BigDecimal limit = isLimit ? BASE.add(TICK.multiply(BigDecimal.valueOf(rnd.nextInt(12)))) : null;
    BigDecimal qty = lot.multiply(BigDecimal.valueOf(1 + rnd.nextInt(rnd.nextBoolean() ? 50 : 5000)));
    List<String> preferred = new ArrayList<>(lps.subList(0, rnd.nextInt(4)));
    if (rnd.nextInt(4) == 0) preferred.add(0, "lp-unknown");
    String manualLp = rnd.nextInt(8) == 0 ? "lp-zz" : lps.get(rnd.nextInt(lps.size()));
    RouteRequest req = new RouteRequest(Fixtures.EURUSD, side, isLimit ? OrderType.LIMIT : OrderType.MARKET, qty, limit,
      strategy, strategy == RoutingStrategy.MANUAL ? manualLp : null, preferred, lot);
    return new Book(req, quotes, healthy);
  }

  // --- the rules, restated independently of the router ------------------------------------------------------

  static BigDecimal sidePrice(RouteRequest r, Quote q) {
    BigDecimal p = r.isBuy() ? q.ask() : q.bid();
    return p == null || p.signum() <= 0 ? null : p;
  }

  static long capLots(RouteRequest r, Quote q) {
    BigDecimal s = r.isBuy() ? q.askSize() : q.bidSize();
    return s == null || s.signum() <= 0 ? 0 : s.divide(r.lotSize(), 0, RoundingMode.DOWN).longValueExact();
  }

  static boolean withinLimit(RouteRequest r, BigDecimal p) {
    return r.limitPrice() == null || (r.isBuy() ? p.compareTo(r.limitPrice()) <= 0 : p.compareTo(r.limitPrice()) >= 0);
  }

  static boolean eligible(Book b, Quote q) {
    BigDecimal p = sidePrice(b.req, q);
    return b.healthy.contains(q.lpId()) && p != null && withinLimit(b.req, p) && capLots(b.req, q) > 0;
  }

  /** Best first for the order's side, then by lpId. */
  static Comparator<Quote> bestFirst(RouteRequest r) {
    Comparator<Quote> byPrice = Comparator.comparing(q -> sidePrice(r, q));
    if (!r.isBuy()) byPrice = byPrice.reversed();
    return byPrice.thenComparing(Quote::lpId);
  }

  static boolean worse(RouteRequest r, BigDecimal a, BigDecimal b) {
    return r.isBuy() ? a.compareTo(b) > 0 : a.compareTo(b) < 0;
  }

  static long lots(RouteRequest r, BigDecimal q) {
    assertThat(q.remainder(r.lotSize())).as("lot multiple: %s", q).isZero();
    return q.divide(r.lotSize(), 0, RoundingMode.UNNECESSARY).longValueExact();
  }

  // --- checks -----------------------------------------------------------------------------------------------

  @Test
  void bestAndSplitKeepEveryRuleOnRandomBooks() {
    Random rnd = new Random(20250303L);
    int routedAcrossLps = 0, withUnfilled = 0, rejectedOrRested = 0;
    for (int i = 0; i < BOOKS; i++) {
      RoutingStrategy s = i % 2 == 0 ? RoutingStrategy.BEST : RoutingStrategy.SPLIT;
      Book b = randomBook(rnd, s);
      RouteResult r = router.decide(b.req, b.quotes, b.healthy);
      String ctx = "book " + i + ": " + b + " -> " + r;
      assertDeterministic(b, r, rnd);
      if (commonOutcome(b, r, ctx)) {
        rejectedOrRested++;
        continue;
      }
      RoutingDecision d = (RoutingDecision) r;
      Map<String, Quote> byLp = new HashMap<>();
      for (Quote q : b.quotes) byLp.put(q.lpId(), q);
      Map<String, Long> given = new HashMap<>();
      long sum = 0;
      for (Allocation a : d.allocations()) {
        Quote q = byLp.get(a.lpId());
        assertThat(q).as(ctx).isNotNull();
        assertThat(b.healthy).as(ctx).contains(a.lpId());
        long l = lots(b.req, a.quantity());
        assertThat(l).as(ctx).isPositive().isLessThanOrEqualTo(capLots(b.req, q));
        assertThat(a.expectedPrice()).as(ctx).isEqualByComparingTo(sidePrice(b.req, q));
        assertThat(withinLimit(b.req, a.expectedPrice())).as(ctx).isTrue();
        assertThat(given.put(a.lpId(), l)).as("one allocation per LP: " + ctx).isNull();
        sum += l;
      }
      long qty = lots(b.req, b.req.quantity());
      long unfilled = lots(b.req, d.unfilled());
      long totalCap = 0;
      for (Quote q : b.quotes) if (eligible(b, q)) totalCap += capLots(b.req, q);
      assertThat(sum + unfilled).as("allocations + unfilled = quantity: " + ctx).isEqualTo(qty);
      assertThat(unfilled).as("unfilled only when every eligible quote is used up: " + ctx)
        .isEqualTo(Math.max(0, qty - totalCap));
      if (unfilled > 0) withUnfilled++;
      if (d.allocations().size() > 1) routedAcrossLps++;

      for (Quote e : b.quotes) {
        if (!eligible(b, e)) continue;
        long took = given.getOrDefault(e.lpId(), 0L);
        if (s == RoutingStrategy.BEST && took < capLots(b.req, e)) {
          // a quote with size left over: nothing may have been bought at a worse price than it
          for (Allocation a : d.allocations()) {
            assertThat(worse(b.req, a.expectedPrice(), sidePrice(b.req, e))).as("best skipped a better quote: " + ctx).isFalse();
          }
        }
        if (s == RoutingStrategy.SPLIT && totalCap > qty) {
          long floor = Math.floorDiv(qty * capLots(b.req, e), totalCap);
          assertThat(took).as("proportional share: " + ctx).isGreaterThanOrEqualTo(floor);
          if (took > floor) {
            // the rounding remainder reached this LP only after every better-priced LP was full
            for (Quote better : b.quotes) {
              if (eligible(b, better) && bestFirst(b.req).compare(better, e) < 0) {
                assertThat(given.getOrDefault(better.lpId(), 0L)).as("remainder order: " + ctx).isEqualTo(capLots(b.req, better));
              }
            }
          }
        }
      }
    }
    // the generator really exercised the interesting cases
    assertThat(routedAcrossLps).isGreaterThan(BOOKS / 10);
    assertThat(withUnfilled).isGreaterThan(BOOKS / 20);
    assertThat(rejectedOrRested).isGreaterThan(BOOKS / 20);
  }

  @Test
  void sequentialAndManualGiveTheWholeQuantityToTheRightLp() {
    Random rnd = new Random(42L);
    for (int i = 0; i < BOOKS; i++) {
      RoutingStrategy s = i % 2 == 0 ? RoutingStrategy.SEQUENTIAL : RoutingStrategy.MANUAL;
      Book b = randomBook(rnd, s);
      RouteResult r = router.decide(b.req, b.quotes, b.healthy);
      String ctx = "book " + i + ": " + b + " -> " + r;
      assertDeterministic(b, r, rnd);
      Map<String, Quote> byLp = new HashMap<>();
      for (Quote q : b.quotes) byLp.put(q.lpId(), q);

      if (s == RoutingStrategy.MANUAL) {
        String lp = b.req.lpId();
        Quote q = byLp.get(lp);
        if (lp.equals("lp-zz")) expectRejection(r, RouteRejection.UNKNOWN_LP, ctx);
        else if (b.healthy.isEmpty()) expectRejection(r, RouteRejection.NO_HEALTHY_LP, ctx);
        else if (!b.healthy.contains(lp)) expectRejection(r, RouteRejection.LP_UNHEALTHY, ctx);
        else if (q != null && eligible(b, q)) expectWhole(b, r, lp, sidePrice(b.req, q), ctx);
        else if (b.req.orderType() == OrderType.MARKET) expectRejection(r, RouteRejection.NO_LIQUIDITY, ctx);
        else expectWhole(b, r, lp, b.req.limitPrice(), ctx);
        continue;
      }
      List<Quote> eligible = new ArrayList<>();
      for (Quote q : b.quotes) if (eligible(b, q)) eligible.add(q);
      eligible.sort(bestFirst(b.req));
      Quote chosen = null;
      for (String p : b.req.preferredLps()) {
        Quote q = byLp.get(p);
        if (q != null && eligible(b, q)) {
          chosen = q;
          break;
        }
      }
      if (chosen == null && !eligible.isEmpty()) chosen = eligible.get(0);
      if (b.healthy.isEmpty()) expectRejection(r, RouteRejection.NO_HEALTHY_LP, ctx);
      else if (chosen != null) expectWhole(b, r, chosen.lpId(), sidePrice(b.req, chosen), ctx);
      else if (b.req.orderType() == OrderType.MARKET) expectRejection(r, RouteRejection.NO_LIQUIDITY, ctx);
      else {
        String pref = null;
        for (String p : b.req.preferredLps()) if (pref == null && b.healthy.contains(p)) pref = p;
        if (pref != null) expectWhole(b, r, pref, b.req.limitPrice(), ctx);
        else assertRestsAtBestPricedHealthy(b, r, ctx);
      }
    }
  }

  /**
   * The outcomes shared by best and split. Returns true when the order was rejected or placed to rest,
   * false when it was routed against quotes (the caller checks that part).
   */
  private boolean commonOutcome(Book b, RouteResult r, String ctx) {
    if (b.healthy.isEmpty()) {
      expectRejection(r, RouteRejection.NO_HEALTHY_LP, ctx);
      assertThat(r.reason()).isEqualTo("No healthy LPs available");
      return true;
    }
    boolean any = false;
    for (Quote q : b.quotes) any |= eligible(b, q);
    if (any) {
      assertThat(r).as(ctx).isInstanceOf(RoutingDecision.class);
      return false;
    }
    if (b.req.orderType() == OrderType.MARKET) expectRejection(r, RouteRejection.NO_LIQUIDITY, ctx);
    else assertRestsAtBestPricedHealthy(b, r, ctx);
    return true;
  }

  private void assertRestsAtBestPricedHealthy(Book b, RouteResult r, String ctx) {
    List<Quote> priced = new ArrayList<>();
    for (Quote q : b.quotes) if (b.healthy.contains(q.lpId()) && sidePrice(b.req, q) != null) priced.add(q);
    priced.sort(bestFirst(b.req));
    String expected = priced.isEmpty() ? b.healthy.stream().sorted().findFirst().orElseThrow() : priced.get(0).lpId();
    expectWhole(b, r, expected, b.req.limitPrice(), ctx);
  }

  private static void expectRejection(RouteResult r, String code, String ctx) {
    assertThat(r).as(ctx).isInstanceOf(RouteRejection.class);
    assertThat(((RouteRejection) r).code()).as(ctx).isEqualTo(code);
  }

  private static void expectWhole(Book b, RouteResult r, String lp, BigDecimal price, String ctx) {
    assertThat(r).as(ctx).isInstanceOf(RoutingDecision.class);
    RoutingDecision d = (RoutingDecision) r;
    assertThat(d.allocations()).as(ctx).hasSize(1);
    Allocation a = d.allocations().get(0);
    assertThat(a.lpId()).as(ctx).isEqualTo(lp);
    assertThat(b.healthy).as(ctx).contains(lp);
    assertThat(a.quantity()).as(ctx).isEqualByComparingTo(b.req.quantity());
    assertThat(a.expectedPrice()).as(ctx).isEqualByComparingTo(price);
    assertThat(d.unfilled()).as(ctx).isZero();
  }

  /** The input order of the quotes never changes the outcome. */
  private void assertDeterministic(Book b, RouteResult r, Random rnd) {
    List<Quote> shuffled = new ArrayList<>(b.quotes);
    Collections.shuffle(shuffled, rnd);
    assertThat(router.decide(b.req, shuffled, b.healthy)).isEqualTo(r);
  }
}
