package io.orion.oms.routing;

import io.orion.oms.lp.Quote;
import io.orion.oms.order.OrderType;
import io.orion.oms.order.RoutingStrategy;
import io.orion.oms.routing.QuoteSeen.Status;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Smart order routing: turns an order and the fresh quotes of its instrument into allocations across LPs.
 *
 * <p>Pure and synchronous: no I/O, no Vert.x, no locks. It runs on the RoutingVerticle's event loop for every
 * order, so the hot path avoids streams, boxing and BigDecimal division: quote sizes are converted once to
 * whole lots ({@code long}) and all allocation arithmetic is integer arithmetic on lots.
 *
 * <p>Rules common to all strategies:
 * <ul>
 *   <li>a buy takes asks, cheapest first; a sell takes bids, highest first; equal prices go by lpId;</li>
 *   <li>quotes of LPs not in {@code healthyLps} (open circuit) are skipped; expired quotes never arrive here
 *       ({@link QuoteBook#quotes} drops them);</li>
 *   <li>nothing is allocated through the limit (buy: ask &le; limit; sell: bid &ge; limit);</li>
 *   <li>best and split never allocate more than a quote's size; what they cannot place is {@code unfilled};</li>
 *   <li>sequential and manual give one LP the whole quantity, even beyond its quoted size: the quote only
 *       shows its top of book, and the LP works the order (a market order sweeps its deeper levels, a limit
 *       order rests at the limit), which is the point of naming one LP;</li>
 *   <li>when healthy LPs exist but none has a usable quote (none fresh, or none within the limit, or none of
 *       a whole lot): a market order is rejected {@code NO_LIQUIDITY}, since sending it blind would execute
 *       at an unknown price; a limit order carries its own price protection, so its whole quantity is placed
 *       to rest at the best-priced healthy LP (the one closest to the limit, hence likeliest to fill as the
 *       market moves), or, with no healthy price at all, at the first healthy LP by id.</li>
 * </ul>
 * {@code healthyLps} should hold the LPs that trade the instrument and whose circuit is not open.
 *
 * <p>A Router holds no mutable state (each call works in its own arrays), so one instance may serve any thread.
 */
public final class Router {
  private final Clock clock;
  private final Set<String> knownLps;

  /** @param knownLps the configured LPs: manual routing to any other is {@code UNKNOWN_LP} */
  public Router(Clock clock, Collection<String> knownLps) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.knownLps = Set.copyOf(knownLps);
  }

  public RouteResult decide(RouteRequest req, List<Quote> fresh, Set<String> healthyLps) {
    Book book = new Book(req, fresh, healthyLps, clock.millis());
    RoutingStrategy strategy = req.strategy();
    // A misspelt LP is the client's mistake whatever the LPs' state, so it is reported first.
    if (strategy == RoutingStrategy.MANUAL && !knownLps.contains(req.lpId()) && !healthyLps.contains(req.lpId())) {
      return book.reject(RouteRejection.UNKNOWN_LP, "Unknown LP '" + req.lpId() + "'");
    }
    if (healthyLps.isEmpty()) return book.reject(RouteRejection.NO_HEALTHY_LP, RouteRejection.NO_HEALTHY_LP_REASON);
    return switch (strategy) {
      case BEST -> book.best();
      case SPLIT -> book.split();
      case SEQUENTIAL -> book.sequential();
      case MANUAL -> book.manual();
    };
  }

  /** One routing decision's working state: the quotes for the instrument, one per LP, sorted by lpId. */
  private static final class Book {
    final RouteRequest req;
    final Set<String> healthy;
    final boolean buy;
    final BigDecimal lot;
    final long qtyLots;
    final int n;
    final Quote[] quote;
    final BigDecimal[] px;     // price on the order's side
    final long[] cap;          // size on the order's side, in whole lots (0 unless eligible)
    final Status[] status;
    /** Healthy LPs with a price on the order's side, best price first: ELIGIBLE, THROUGH_LIMIT and NO_SIZE ones. */
    final int[] priced;
    int nPriced;
    /** The ELIGIBLE subset of {@code priced}, same order. */
    final int[] eligible;
    int nEligible;
    final QuoteSeen[] seen;

    Book(RouteRequest req, List<Quote> fresh, Set<String> healthy, long nowMs) {
      this.req = req;
      this.healthy = healthy;
      this.buy = req.isBuy();
      this.lot = req.lotSize();
      this.qtyLots = Lots.floor(req.quantity(), lot);
      BigDecimal limit = req.limitPrice();

      // Keep this instrument's quotes, sorted by lpId (newest first within one LP), then drop duplicates: the
      // contract is one quote per LP, and two would let best allocate an LP's size twice.
      Quote[] q = new Quote[fresh.size()];
      int k = 0;
      for (Quote x : fresh) {
        if (x == null || x.lpId() == null || x.time() == null || !req.instrumentId().equals(x.instrumentId())) continue;
        int j = k++;
        while (j > 0 && byLpThenNewest(x, q[j - 1]) < 0) {
          q[j] = q[j - 1];
          j--;
        }
        q[j] = x;
      }
      int m = 0;
      for (int i = 0; i < k; i++) if (m == 0 || !q[i].lpId().equals(q[m - 1].lpId())) q[m++] = q[i];
      n = m;
      quote = q;
      px = new BigDecimal[n];
      cap = new long[n];
      status = new Status[n];
      priced = new int[n];
      eligible = new int[n];
      seen = new QuoteSeen[n];

      for (int i = 0; i < n; i++) {
        Quote x = q[i];
        BigDecimal p = buy ? x.ask() : x.bid();
        Status s;
        if (!healthy.contains(x.lpId())) s = Status.UNHEALTHY;
        else if (p == null || p.signum() <= 0) s = Status.NO_PRICE;
        else {
          px[i] = p;
          insertByPrice(priced, nPriced++, i);
          if (limit != null && (buy ? p.compareTo(limit) > 0 : p.compareTo(limit) < 0)) s = Status.THROUGH_LIMIT;
          else if ((cap[i] = Lots.floor(buy ? x.askSize() : x.bidSize(), lot)) == 0) s = Status.NO_SIZE;
          else s = Status.ELIGIBLE;
        }
        status[i] = s;
        seen[i] = new QuoteSeen(x.lpId(), x.bid(), x.bidSize(), x.ask(), x.askSize(), nowMs - x.time().toEpochMilli(), s);
      }
      for (int i = 0; i < nPriced; i++) if (status[priced[i]] == Status.ELIGIBLE) eligible[nEligible++] = priced[i];
    }

    private static int byLpThenNewest(Quote a, Quote b) {
      int c = a.lpId().compareTo(b.lpId());
      return c != 0 ? c : b.time().compareTo(a.time());
    }

    /** Insertion into {@code arr[0..len)} kept best price first; ties keep lpId order (indices are in lpId order). */
    private void insertByPrice(int[] arr, int len, int i) {
      int j = len;
      while (j > 0 && better(i, arr[j - 1])) {
        arr[j] = arr[j - 1];
        j--;
      }
      arr[j] = i;
    }

    private boolean better(int i, int j) {
      int c = px[i].compareTo(px[j]);
      return (buy ? c < 0 : c > 0) || (c == 0 && i < j);
    }

    // --- strategies -------------------------------------------------------------------------------------------

    /** Fill from the best quote down, each up to its size, across as many LPs as needed. */
    RouteResult best() {
      if (nEligible == 0) return noUsableQuote(-1);
      List<Allocation> out = new ArrayList<>(Math.min(nEligible, 8));
      long rem = qtyLots;
      for (int e = 0; e < nEligible && rem > 0; e++) {
        int i = eligible[e];
        long take = Math.min(cap[i], rem);
        out.add(new Allocation(quote[i].lpId(), Lots.toQuantity(take, lot), px[i]));
        rem -= take;
      }
      String reason = "Best price first: " + out.size() + (out.size() == 1 ? " LP" : " LPs") + ", from "
        + sideWord() + " " + out.get(0).expectedPrice().toPlainString() + " to "
        + out.get(out.size() - 1).expectedPrice().toPlainString();
      return decision(out, rem, reason);
    }

    /**
     * Every eligible LP gets a share proportional to its size (floor, in whole lots), then the lots lost to
     * rounding go to the best-priced LPs with size left. When the quotes together hold no more than the
     * quantity, each is taken whole and the rest is unfilled.
     */
    RouteResult split() {
      if (nEligible == 0) return noUsableQuote(-1);
      long total = 0;
      for (int e = 0; e < nEligible; e++) total = Math.addExact(total, cap[eligible[e]]);
      long[] share = new long[nEligible];
      long rem;
      if (total <= qtyLots) {
        for (int e = 0; e < nEligible; e++) share[e] = cap[eligible[e]];
        rem = qtyLots - total;
      } else {
        long given = 0;
        for (int e = 0; e < nEligible; e++) given += share[e] = Lots.mulDiv(qtyLots, cap[eligible[e]], total);
        rem = qtyLots - given;
        // share <= cap since qty < total, and total spare (total - given) >= rem, so this always places rem
        for (int e = 0; e < nEligible && rem > 0; e++) {
          long extra = Math.min(cap[eligible[e]] - share[e], rem);
          share[e] += extra;
          rem -= extra;
        }
      }
      List<Allocation> out = new ArrayList<>(nEligible);
      for (int e = 0; e < nEligible; e++) {
        if (share[e] > 0) out.add(new Allocation(quote[eligible[e]].lpId(), Lots.toQuantity(share[e], lot), px[eligible[e]]));
      }
      String reason = "Split across " + out.size() + (out.size() == 1 ? " LP" : " LPs") + " in proportion to "
        + sideWord() + " size (" + nEligible + " eligible)";
      return decision(out, rem, reason);
    }

    /** One LP: the first preferred one with an eligible quote, else the best-priced; it gets the whole quantity. */
    RouteResult sequential() {
      List<String> prefs = req.preferredLps();
      for (int p = 0; p < prefs.size(); p++) {
        int i = indexOf(prefs.get(p));
        if (i >= 0 && status[i] == Status.ELIGIBLE) {
          return whole(i, px[i], "Preferred LP " + quote[i].lpId() + " (preference " + (p + 1) + " of " + prefs.size()
            + ") takes the whole quantity at " + sideWord() + " " + px[i].toPlainString() + sizeNote(i));
        }
      }
      if (nEligible == 0) {
        int pref = -1;
        for (int p = 0; p < prefs.size() && pref < 0; p++) if (healthy.contains(prefs.get(p))) pref = p;
        return noUsableQuote(pref);
      }
      int i = eligible[0];
      return whole(i, px[i], (prefs.isEmpty() ? "No preferred LPs" : "No preferred LP is healthy with an eligible quote")
        + "; best-priced " + quote[i].lpId() + " takes the whole quantity at " + sideWord() + " "
        + px[i].toPlainString() + sizeNote(i));
    }

    /** Exactly the LP the client named, whole quantity. */
    RouteResult manual() {
      String lp = req.lpId();
      if (!healthy.contains(lp)) {
        return reject(RouteRejection.LP_UNHEALTHY, "LP '" + lp + "' is not available (circuit open or disconnected)");
      }
      int i = indexOf(lp);
      if (i >= 0 && status[i] == Status.ELIGIBLE) {
        return whole(i, px[i], "Manual: LP " + lp + " takes the whole quantity at " + sideWord() + " "
          + px[i].toPlainString() + sizeNote(i));
      }
      String why = i < 0 ? "no fresh quote" : switch (status[i]) {
        case NO_PRICE -> "no fresh " + sideWord();
        case THROUGH_LIMIT -> sideWord() + " " + px[i].toPlainString() + " is through the limit";
        default -> "less than one lot on the " + sideWord();
      };
      if (req.orderType() == OrderType.MARKET) {
        return reject(RouteRejection.NO_LIQUIDITY, "LP '" + lp + "' has " + why + "; a market order needs a usable quote");
      }
      return rest(lp, "Manual: LP " + lp + " has " + why + "; the limit order rests there");
    }

    // --- shared outcomes --------------------------------------------------------------------------------------

    /**
     * No eligible quote anywhere. Market: NO_LIQUIDITY. Limit: rest the whole quantity at the preferred healthy
     * LP {@code preferred} (an index in preferredLps, sequential only), else the best-priced healthy LP, else
     * the first healthy LP by id.
     */
    private RouteResult noUsableQuote(int preferred) {
      String why = nPriced == 0
        ? "No healthy LP has a fresh " + sideWord()
        : "No healthy " + sideWord() + " of at least one lot" + (req.limitPrice() == null ? "" : " within the limit");
      if (req.orderType() == OrderType.MARKET) return reject(RouteRejection.NO_LIQUIDITY, why);
      why = why + "; the limit order rests at ";
      if (preferred >= 0) {
        String lp = req.preferredLps().get(preferred);
        return rest(lp, why + "preferred LP " + lp);
      }
      if (nPriced > 0) {
        int i = priced[0];
        return rest(quote[i].lpId(), why + "the best-priced healthy LP " + quote[i].lpId() + " (" + sideWord() + " "
          + px[i].toPlainString() + ")");
      }
      String first = null;
      for (String h : healthy) if (first == null || h.compareTo(first) < 0) first = h;
      return rest(first, why + "the first healthy LP by id, " + first);
    }

    private RouteResult rest(String lp, String reason) {
      return decision(List.of(new Allocation(lp, req.quantity(), req.limitPrice())), 0, reason);
    }

    private RouteResult whole(int i, BigDecimal price, String reason) {
      return decision(List.of(new Allocation(quote[i].lpId(), req.quantity(), price)), 0, reason);
    }

    private RoutingDecision decision(List<Allocation> allocations, long unfilledLots, String reason) {
      BigDecimal unfilled = unfilledLots == 0 ? BigDecimal.ZERO : Lots.toQuantity(unfilledLots, lot);
      if (unfilledLots > 0) {
        reason = reason + "; " + unfilled.toPlainString() + " unfilled: no more healthy " + sideWord() + " size"
          + (req.limitPrice() == null ? "" : " within the limit");
      }
      return new RoutingDecision(req.strategy(), req, allocations, Arrays.asList(seen), unfilled, reason);
    }

    RouteRejection reject(String code, String reason) {
      return new RouteRejection(req.strategy(), req, code, reason, Arrays.asList(seen));
    }

    private int indexOf(String lpId) {
      int lo = 0, hi = n - 1;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        int c = quote[mid].lpId().compareTo(lpId);
        if (c < 0) lo = mid + 1;
        else if (c > 0) hi = mid - 1;
        else return mid;
      }
      return -1;
    }

    private String sizeNote(int i) {
      return cap[i] >= qtyLots ? "" : ", beyond its quoted " + Lots.toQuantity(cap[i], lot).toPlainString()
        + " (the LP works the rest)";
    }

    private String sideWord() {
      return buy ? "ask" : "bid";
    }
  }

  /** Quantities as whole lots in {@code long}: exact, and far cheaper than BigDecimal on the hot path. */
  static final class Lots {
    private static final BigDecimal MAX = BigDecimal.valueOf(RouteRequest.MAX_LOTS);

    private Lots() {}

    /** Whole lots in {@code x} (rounded down), 0 for null or non-positive, capped at {@link RouteRequest#MAX_LOTS}. */
    static long floor(BigDecimal x, BigDecimal lot) {
      if (x == null || x.signum() <= 0) return 0;
      BigDecimal lots = x.divide(lot, 0, RoundingMode.DOWN);
      return lots.compareTo(MAX) > 0 ? RouteRequest.MAX_LOTS : lots.longValue();
    }

    static BigDecimal toQuantity(long lots, BigDecimal lot) {
      return BigDecimal.valueOf(lots).multiply(lot);
    }

    /** floor(a * b / c) for non-negative a, b and positive c, exact even when a * b overflows a long. */
    static long mulDiv(long a, long b, long c) {
      long hi = Math.multiplyHigh(a, b);
      long lo = a * b;
      if (hi == 0 && lo >= 0) return lo / c;
      return BigInteger.valueOf(a).multiply(BigInteger.valueOf(b)).divide(BigInteger.valueOf(c)).longValueExact();
    }
  }
}
