package io.orion.oms.routing;

import io.orion.oms.lp.Quote;
import io.orion.oms.order.OrderType;
import io.orion.oms.order.RoutingStrategy;
import io.orion.oms.order.Side;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static io.orion.oms.order.RoutingStrategy.BEST;
import static io.orion.oms.order.RoutingStrategy.SPLIT;
import static io.orion.oms.order.Side.BUY;
import static io.orion.oms.order.Side.SELL;
import static io.orion.oms.routing.Fixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RouterTest {
  static final Set<String> ABC = Set.of("lp-a", "lp-b", "lp-c");
  final Router router = router("lp-a", "lp-b", "lp-c", "lp-d");

  static RoutingDecision routed(RouteResult r) {
    assertThat(r).as("%s", r).isInstanceOf(RoutingDecision.class);
    return (RoutingDecision) r;
  }

  static RouteRejection rejected(RouteResult r) {
    assertThat(r).as("%s", r).isInstanceOf(RouteRejection.class);
    return (RouteRejection) r;
  }

  /** "lp quantity@price" per allocation, in the decision's order. */
  static List<String> allocs(RouteResult r) {
    List<String> out = new ArrayList<>();
    for (Allocation a : routed(r).allocations()) {
      out.add(a.lpId() + " " + a.quantity().toPlainString() + "@" + a.expectedPrice().toPlainString());
    }
    return out;
  }

  @Nested
  class Best {
    @Test
    void buyTakesTheCheapestAsk() {
      RouteResult r = router.decide(market(BUY, "100000", BEST),
        List.of(ask("lp-a", "1.08600", "1000000"), ask("lp-b", "1.08500", "1000000"), ask("lp-c", "1.08550", "1000000")), ABC);
      assertThat(allocs(r)).containsExactly("lp-b 100000@1.08500");
      assertThat(routed(r).unfilled()).isZero();
    }

    @Test
    void sellTakesTheHighestBid() {
      RouteResult r = router.decide(market(SELL, "100000", BEST),
        List.of(bid("lp-a", "1.08400", "1000000"), bid("lp-b", "1.08300", "1000000"), bid("lp-c", "1.08450", "1000000")), ABC);
      assertThat(allocs(r)).containsExactly("lp-c 100000@1.08450");
    }

    @Test
    void fillsFromTheBestQuoteDownAcrossLpsNeverAboveASize() {
      RouteResult r = router.decide(market(BUY, "1200000", BEST),
        List.of(ask("lp-a", "1.08600", "1000000"), ask("lp-b", "1.08500", "500000"), ask("lp-c", "1.08550", "400000")), ABC);
      assertThat(allocs(r)).containsExactly("lp-b 500000@1.08500", "lp-c 400000@1.08550", "lp-a 300000@1.08600");
      assertThat(routed(r).reason()).contains("3 LPs", "1.08500", "1.08600");
    }

    @Test
    void sellFillsFromTheHighestBidDown() {
      RouteResult r = router.decide(market(SELL, "700000", BEST),
        List.of(bid("lp-a", "1.08400", "500000"), bid("lp-b", "1.08450", "500000")), ABC);
      assertThat(allocs(r)).containsExactly("lp-b 500000@1.08450", "lp-a 200000@1.08400");
    }

    @Test
    void whatNoQuoteCanTakeIsUnfilled() {
      RouteResult r = router.decide(market(BUY, "1000000", BEST),
        List.of(ask("lp-a", "1.08600", "300000"), ask("lp-b", "1.08500", "200000")), ABC);
      assertThat(allocs(r)).containsExactly("lp-b 200000@1.08500", "lp-a 300000@1.08600");
      assertThat(routed(r).unfilled()).isEqualByComparingTo("500000");
      assertThat(routed(r).allocated()).isEqualByComparingTo("500000");
      assertThat(routed(r).reason()).contains("500000 unfilled");
    }

    @Test
    void skipsAnUnhealthyLpEvenWhenItIsCheapest() {
      RouteResult r = router.decide(market(BUY, "100000", BEST),
        List.of(ask("lp-a", "1.08600", "1000000"), ask("lp-d", "1.08000", "1000000")), ABC);
      assertThat(allocs(r)).containsExactly("lp-a 100000@1.08600");
      assertThat(routed(r).quotesSeen()).filteredOn(q -> q.lpId().equals("lp-d"))
        .extracting(QuoteSeen::status).containsExactly(QuoteSeen.Status.UNHEALTHY);
    }

    @Test
    void buyNeverTakesAnAskAboveTheLimit() {
      RouteResult r = router.decide(limit(BUY, "1000000", "1.08550", BEST),
        List.of(ask("lp-a", "1.08600", "5000000"), ask("lp-b", "1.08500", "200000"), ask("lp-c", "1.08550", "300000")), ABC);
      assertThat(allocs(r)).containsExactly("lp-b 200000@1.08500", "lp-c 300000@1.08550");
      assertThat(routed(r).unfilled()).isEqualByComparingTo("500000");
    }

    @Test
    void sellNeverTakesABidBelowTheLimit() {
      RouteResult r = router.decide(limit(SELL, "1000000", "1.08400", BEST),
        List.of(bid("lp-a", "1.08390", "5000000"), bid("lp-b", "1.08400", "200000")), ABC);
      assertThat(allocs(r)).containsExactly("lp-b 200000@1.08400");
      assertThat(routed(r).unfilled()).isEqualByComparingTo("800000");
    }

    @Test
    void equalPricesGoByLpIdWhateverTheInputOrder() {
      List<Quote> quotes = new ArrayList<>(List.of(ask("lp-c", "1.08500", "100000"), ask("lp-a", "1.08500", "100000"),
        ask("lp-b", "1.08500", "100000")));
      RouteResult first = router.decide(market(BUY, "150000", BEST), quotes, ABC);
      assertThat(allocs(first)).containsExactly("lp-a 100000@1.08500", "lp-b 50000@1.08500");
      Random rnd = new Random(7);
      for (int i = 0; i < 20; i++) {
        Collections.shuffle(quotes, rnd);
        assertThat(router.decide(market(BUY, "150000", BEST), quotes, ABC)).isEqualTo(first);
      }
    }

    @Test
    void sizesAreRoundedDownToWholeLots() {
      RouteResult r = router.decide(market(BUY, "5000", BEST),
        List.of(ask("lp-a", "1.08500", "1500"), ask("lp-b", "1.08600", "999"), ask("lp-c", "1.08700", "10000")), ABC);
      // lp-a offers one whole lot, lp-b none
      assertThat(allocs(r)).containsExactly("lp-a 1000@1.08500", "lp-c 4000@1.08700");
      assertThat(routed(r).quotesSeen()).filteredOn(q -> q.lpId().equals("lp-b"))
        .extracting(QuoteSeen::status).containsExactly(QuoteSeen.Status.NO_SIZE);
    }

    @Test
    void aQuoteWithoutThePriceOnTheOrdersSideIsSkipped() {
      RouteResult r = router.decide(market(BUY, "1000", BEST),
        List.of(bid("lp-a", "1.08500", "100000"), ask("lp-b", "1.08600", "100000")), ABC);
      assertThat(allocs(r)).containsExactly("lp-b 1000@1.08600");
      assertThat(routed(r).quotesSeen()).extracting(QuoteSeen::status)
        .containsExactly(QuoteSeen.Status.NO_PRICE, QuoteSeen.Status.ELIGIBLE);
    }

    @Test
    void quotesOfOtherInstrumentsOrUndatedAreIgnoredAndADuplicateLpCountsOnce() {
      Quote other = new Quote("lp-a", "GBPUSD", null, null, d("0.5"), d("9000000"), NOW);
      Quote undated = new Quote("lp-a", EURUSD, null, null, d("0.5"), d("9000000"), null); // freshness unknown
      Quote older = quote("lp-b", null, null, "1.08000", "1000000", 300);
      Quote newer = quote("lp-b", null, null, "1.08500", "100000", 50);
      RouteResult r = router.decide(market(BUY, "300000", BEST),
        List.of(other, undated, older, newer, ask("lp-c", "1.08600", "1000000")), ABC);
      assertThat(allocs(r)).containsExactly("lp-b 100000@1.08500", "lp-c 200000@1.08600");
      assertThat(routed(r).quotesSeen()).extracting(QuoteSeen::lpId).containsExactly("lp-b", "lp-c");
    }
  }

  @Nested
  class Split {
    @Test
    void twoEqualLpsShareEqually() {
      RouteResult r = router.decide(market(BUY, "1000000", SPLIT),
        List.of(ask("lp-a", "1.08600", "500000"), ask("lp-b", "1.08500", "500000")), ABC);
      assertThat(allocs(r)).containsExactly("lp-b 500000@1.08500", "lp-a 500000@1.08600");
      assertThat(routed(r).unfilled()).isZero();
    }

    @Test
    void sharesAreProportionalToSize() {
      RouteResult r = router.decide(market(SELL, "1000000", SPLIT),
        List.of(bid("lp-a", "1.08400", "1000000"), bid("lp-b", "1.08300", "3000000")), ABC);
      assertThat(allocs(r)).containsExactly("lp-a 250000@1.08400", "lp-b 750000@1.08300");
    }

    @Test
    void roundingRemainderGoesToTheBestPricedLp() {
      RouteResult r = router.decide(market(BUY, "1000000", SPLIT),
        List.of(ask("lp-a", "1.08520", "1000000"), ask("lp-b", "1.08500", "1000000"), ask("lp-c", "1.08510", "1000000")), ABC);
      // 333 lots each, the 1 lot lost to rounding goes to the cheapest
      assertThat(allocs(r)).containsExactly("lp-b 334000@1.08500", "lp-c 333000@1.08510", "lp-a 333000@1.08520");
    }

    @Test
    void remainderWalksDownThePricesWhenTheBestHasNoSizeLeft() {
      // lots: b 2 (best), c 1, a 2; order 4 lots of 5: floor shares b 1, c 0, a 1; remainder 2 -> b +1 (full), c +1
      RouteResult r = router.decide(market(BUY, "4000", SPLIT),
        List.of(ask("lp-a", "1.08700", "2000"), ask("lp-b", "1.08500", "2000"), ask("lp-c", "1.08600", "1000")), ABC);
      assertThat(allocs(r)).containsExactly("lp-b 2000@1.08500", "lp-c 1000@1.08600", "lp-a 1000@1.08700");
    }

    @Test
    void notEnoughSizeTakesEveryQuoteWholeAndLeavesTheRestUnfilled() {
      RouteResult r = router.decide(market(BUY, "1000000", SPLIT),
        List.of(ask("lp-a", "1.08600", "300000"), ask("lp-b", "1.08500", "200500")), ABC);
      assertThat(allocs(r)).containsExactly("lp-b 200000@1.08500", "lp-a 300000@1.08600");
      assertThat(routed(r).unfilled()).isEqualByComparingTo("500000");
    }

    @Test
    void leavesOutUnhealthyLpsAndQuotesThroughTheLimit() {
      RouteResult r = router.decide(limit(BUY, "600000", "1.08550", SPLIT),
        List.of(ask("lp-a", "1.08500", "1000000"), ask("lp-b", "1.08560", "1000000"), ask("lp-c", "1.08550", "2000000"),
          ask("lp-d", "1.08400", "9000000")), ABC);
      assertThat(allocs(r)).containsExactly("lp-a 200000@1.08500", "lp-c 400000@1.08550");
      assertThat(routed(r).quotesSeen()).extracting(QuoteSeen::status).containsExactly(QuoteSeen.Status.ELIGIBLE,
        QuoteSeen.Status.THROUGH_LIMIT, QuoteSeen.Status.ELIGIBLE, QuoteSeen.Status.UNHEALTHY);
    }

    @Test
    void fractionalLotsStayExact() {
      RouteRequest req = new RouteRequest("BTC-USD", BUY, OrderType.MARKET, d("1.0000"), null, SPLIT, null, List.of(),
        d("0.0001"));
      List<Quote> quotes = List.of(new Quote("lp-a", "BTC-USD", null, null, d("65000.00"), d("0.70005"), NOW),
        new Quote("lp-b", "BTC-USD", null, null, d("65001.00"), d("0.3"), NOW),
        new Quote("lp-c", "BTC-USD", null, null, d("65002.00"), d("0.1"), NOW));
      RoutingDecision r = routed(router.decide(req, quotes, ABC));
      // 7000, 3000 and 1000 lots of 0.0001 for 10000 wanted: floors 6363, 2727, 909 = 9999, +1 to lp-a
      assertThat(allocs(r)).containsExactly("lp-a 0.6364@65000.00", "lp-b 0.2727@65001.00", "lp-c 0.0909@65002.00");
      assertThat(r.allocated()).isEqualByComparingTo("1");
    }
  }

  @Nested
  class Sequential {
    final List<Quote> quotes = List.of(ask("lp-a", "1.08600", "100000"), ask("lp-b", "1.08500", "100000"),
      ask("lp-c", "1.08700", "100000"), ask("lp-d", "1.08000", "100000"));

    @Test
    void firstHealthyPreferredLpWithAQuoteTakesTheWholeQuantity() {
      RouteResult r = router.decide(sequential(BUY, OrderType.MARKET, "1000000", null, List.of("lp-d", "lp-x", "lp-c", "lp-a")),
        quotes, ABC);
      // lp-d unhealthy, lp-x has no quote; lp-c works the whole million although it quotes 100,000
      assertThat(allocs(r)).containsExactly("lp-c 1000000@1.08700");
      assertThat(routed(r).unfilled()).isZero();
      assertThat(routed(r).reason()).contains("Preferred LP lp-c", "beyond its quoted 100000");
    }

    @Test
    void aPreferredLpPricedThroughTheLimitIsPassedOver() {
      RouteResult r = router.decide(sequential(BUY, OrderType.LIMIT, "50000", "1.08650", List.of("lp-c", "lp-a")), quotes, ABC);
      assertThat(allocs(r)).containsExactly("lp-a 50000@1.08600");
    }

    @Test
    void withoutAUsablePreferredLpTheBestPricedHealthyOneIsUsed() {
      RouteResult r = router.decide(sequential(BUY, OrderType.MARKET, "50000", null, List.of("lp-d")), quotes, ABC);
      assertThat(allocs(r)).containsExactly("lp-b 50000@1.08500");
      r = router.decide(sequential(BUY, OrderType.MARKET, "50000", null, List.of()), quotes, ABC);
      assertThat(allocs(r)).containsExactly("lp-b 50000@1.08500");
    }

    @Test
    void aLimitOrderWithNothingWithinTheLimitRestsAtTheFirstHealthyPreferredLp() {
      RouteResult r = router.decide(sequential(BUY, OrderType.LIMIT, "50000", "1.07000", List.of("lp-d", "lp-c")), quotes, ABC);
      assertThat(allocs(r)).containsExactly("lp-c 50000@1.07000");
    }

    @Test
    void aMarketOrderWithNothingUsableIsNoLiquidity() {
      RouteResult r = router.decide(sequential(SELL, OrderType.MARKET, "50000", null, List.of("lp-a")), quotes, ABC);
      assertThat(rejected(r).code()).isEqualTo(RouteRejection.NO_LIQUIDITY);
    }
  }

  @Nested
  class Manual {
    final List<Quote> quotes = List.of(ask("lp-a", "1.08600", "100000"), ask("lp-b", "1.08500", "100000"),
      quote("lp-c", "1.08300", "100000", null, null));

    @Test
    void theNamedLpTakesTheWholeQuantityEvenWhenNotTheCheapest() {
      RouteResult r = router.decide(manual(BUY, OrderType.MARKET, "300000", null, "lp-a"), quotes, ABC);
      assertThat(allocs(r)).containsExactly("lp-a 300000@1.08600");
    }

    @Test
    void anUnknownLpIsRejectedEvenWhenNoneIsHealthy() {
      RouteRejection r = rejected(router.decide(manual(BUY, OrderType.MARKET, "1000", null, "lp-zz"), quotes, ABC));
      assertThat(r.code()).isEqualTo(RouteRejection.UNKNOWN_LP);
      assertThat(r.reason()).contains("lp-zz");
      assertThat(rejected(router.decide(manual(BUY, OrderType.MARKET, "1000", null, "lp-zz"), quotes, Set.of())).code())
        .isEqualTo(RouteRejection.UNKNOWN_LP);
    }

    @Test
    void anUnhealthyLpIsRejected() {
      RouteRejection r = rejected(router.decide(manual(BUY, OrderType.LIMIT, "1000", "1.09", "lp-d"), quotes, ABC));
      assertThat(r.code()).isEqualTo(RouteRejection.LP_UNHEALTHY);
      assertThat(r.reason()).contains("lp-d");
    }

    @Test
    void aMarketOrderNeedsAUsableQuoteFromTheNamedLp() {
      RouteRejection r = rejected(router.decide(manual(BUY, OrderType.MARKET, "1000", null, "lp-c"), quotes, ABC));
      assertThat(r.code()).isEqualTo(RouteRejection.NO_LIQUIDITY);
      assertThat(r.reason()).contains("lp-c", "no fresh ask");
    }

    @Test
    void aLimitOrderRestsAtTheNamedLpAtItsLimit() {
      RouteResult r = router.decide(manual(BUY, OrderType.LIMIT, "1000", "1.08000", "lp-a"), quotes, ABC);
      assertThat(allocs(r)).containsExactly("lp-a 1000@1.08000");
      assertThat(routed(r).reason()).contains("through the limit");
      r = router.decide(manual(BUY, OrderType.LIMIT, "1000", "1.08000", "lp-c"), quotes, ABC);
      assertThat(allocs(r)).containsExactly("lp-c 1000@1.08000");
    }

    @Test
    void aLimitOrderWithinTheQuoteExpectsTheQuotedPrice() {
      RouteResult r = router.decide(manual(SELL, OrderType.LIMIT, "1000", "1.08000", "lp-c"), quotes, ABC);
      assertThat(allocs(r)).containsExactly("lp-c 1000@1.08300");
    }
  }

  @Nested
  class NoHealthyOrNoUsableQuote {
    @ParameterizedTest
    @EnumSource(RoutingStrategy.class)
    void noHealthyLpRejectsEveryStrategy(RoutingStrategy s) {
      RouteRequest req = new RouteRequest(EURUSD, BUY, OrderType.MARKET, d("1000"), null, s,
        s == RoutingStrategy.MANUAL ? "lp-a" : null, List.of("lp-a"), LOT);
      RouteRejection r = rejected(router.decide(req, List.of(ask("lp-a", "1.08500", "100000")), Set.of()));
      assertThat(r.code()).isEqualTo("NO_HEALTHY_LP");
      assertThat(r.reason()).isEqualTo("No healthy LPs available");
      assertThat(r.quotesSeen()).extracting(QuoteSeen::status).containsExactly(QuoteSeen.Status.UNHEALTHY);
    }

    @ParameterizedTest
    @EnumSource(value = RoutingStrategy.class, names = {"BEST", "SPLIT", "SEQUENTIAL"})
    void aMarketOrderWithoutAFreshQuoteIsNoLiquidity(RoutingStrategy s) {
      RouteRejection r = rejected(router.decide(market(BUY, "1000", s), List.of(), ABC));
      assertThat(r.code()).isEqualTo(RouteRejection.NO_LIQUIDITY);
      assertThat(r.reason()).isEqualTo("No healthy LP has a fresh ask");
      // quotes exist but only on the other side, from an unhealthy LP, or below one lot
      r = rejected(router.decide(market(BUY, "1000", s),
        List.of(bid("lp-a", "1.08", "100000"), ask("lp-d", "1.08", "100000"), ask("lp-b", "1.09", "999")), ABC));
      assertThat(r.code()).isEqualTo(RouteRejection.NO_LIQUIDITY);
    }

    @ParameterizedTest
    @EnumSource(value = RoutingStrategy.class, names = {"BEST", "SPLIT", "SEQUENTIAL"})
    void aLimitOrderWithNothingWithinTheLimitRestsAtTheBestPricedHealthyLp(RoutingStrategy s) {
      RouteResult r = router.decide(limit(BUY, "2000000", "1.08000", s),
        List.of(ask("lp-a", "1.08600", "1000000"), ask("lp-b", "1.08500", "1000000"), ask("lp-d", "1.08100", "1000000")), ABC);
      assertThat(allocs(r)).containsExactly("lp-b 2000000@1.08000");
      assertThat(routed(r).unfilled()).isZero();
      assertThat(routed(r).reason()).contains("rests at", "lp-b");
    }

    @Test
    void aLimitOrderWithNoFreshQuoteAtAllRestsAtTheFirstHealthyLpById() {
      RouteResult r = router.decide(limit(SELL, "1000", "1.09000", BEST), List.of(), Set.of("lp-c", "lp-b"));
      assertThat(allocs(r)).containsExactly("lp-b 1000@1.09000");
    }
  }

  @Nested
  class Audit {
    @Test
    void theDecisionJsonCarriesEverythingWithDecimalsAsStrings() {
      RouteResult r = router.decide(limit(BUY, "1200000", "1.08550", BEST),
        List.of(quote("lp-a", "1.08480", "700000", "1.08500", "1000000", 250), ask("lp-b", "1.08600", "1000000")), ABC);
      JsonObject j = r.toJson();
      assertThat(j.getString("outcome")).isEqualTo("routed");
      assertThat(j.getString("strategy")).isEqualTo("best");
      assertThat(j.getJsonObject("request").getString("limitPrice")).isEqualTo("1.08550");
      assertThat(j.getJsonObject("request").getString("quantity")).isEqualTo("1200000");
      JsonObject alloc = j.getJsonArray("allocations").getJsonObject(0);
      assertThat(alloc.getValue("quantity")).isEqualTo("1000000");
      assertThat(alloc.getValue("expectedPrice")).isEqualTo("1.08500");
      assertThat(j.getValue("unfilled")).isEqualTo("200000");
      assertThat(j.getString("reason")).isNotBlank();
      JsonObject seen = j.getJsonArray("quotesSeen").getJsonObject(0);
      assertThat(seen.getValue("bid")).isEqualTo("1.08480");
      assertThat(seen.getValue("bidSize")).isEqualTo("700000");
      assertThat(seen.getValue("ask")).isEqualTo("1.08500");
      assertThat(seen.getLong("ageMs")).isEqualTo(250);
      assertThat(seen.getString("status")).isEqualTo("eligible");
      assertThat(j.getJsonArray("quotesSeen").getJsonObject(1).getString("status")).isEqualTo("through_limit");
      // survives the database's JSON round trip unchanged
      assertThat(new JsonObject(j.encode())).isEqualTo(j);
    }

    @Test
    void aRejectionJsonCarriesItsCodeAndReason() {
      JsonObject j = router.decide(market(SELL, "1000", SPLIT), List.of(), Set.of()).toJson();
      assertThat(j.getString("outcome")).isEqualTo("rejected");
      assertThat(j.getString("code")).isEqualTo("NO_HEALTHY_LP");
      assertThat(j.getString("reason")).isEqualTo("No healthy LPs available");
      assertThat(j.getString("strategy")).isEqualTo("split");
    }
  }

  @Nested
  class Requests {
    @Test
    void onlyWellFormedRequestsAreAccepted() {
      assertThatThrownBy(() -> new RouteRequest(EURUSD, BUY, OrderType.STOP, d("1000"), null, BEST, null, null, LOT))
        .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> new RouteRequest(EURUSD, BUY, OrderType.LIMIT, d("1000"), null, BEST, null, null, LOT))
        .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> new RouteRequest(EURUSD, BUY, OrderType.MARKET, d("1000"), d("1.1"), BEST, null, null, LOT))
        .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> new RouteRequest(EURUSD, BUY, OrderType.MARKET, d("1500"), null, BEST, null, null, LOT))
        .hasMessageContaining("multiple of lot size");
      assertThatThrownBy(() -> new RouteRequest(EURUSD, BUY, OrderType.MARKET, d("0"), null, BEST, null, null, LOT))
        .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> new RouteRequest(EURUSD, BUY, OrderType.MARKET, d("1000"), null, RoutingStrategy.MANUAL,
        null, null, LOT)).isInstanceOf(IllegalArgumentException.class);
      assertThat(new RouteRequest(EURUSD, BUY, OrderType.MARKET, d("1000"), null, BEST, null, null, LOT).preferredLps())
        .isEmpty();
    }

    @Test
    void anOrderRoutesWhatRemainsOfItWithItsLimitLotAndPreferences() {
      // through the bus form, which outlives additions to the Order record
      io.orion.oms.order.Order order = io.orion.oms.order.Order.fromBusJson(new JsonObject()
        .put("id", java.util.UUID.randomUUID().toString()).put("orderRef", "ORD-1").put("tenantId", "demo")
        .put("accountId", java.util.UUID.randomUUID().toString()).put("submittedBy", "trader")
        .put("clientOrderId", "c-1").put("instrumentId", EURUSD).put("side", "sell").put("orderType", "limit")
        .put("timeInForce", "gtc").put("quantity", "1000000").put("filledQuantity", "400000").put("price", "1.08500")
        .put("routingStrategy", "sequential").put("status", "partial_fill").put("reservedAmount", "0")
        .put("metadata", new JsonObject().put("preferredLps", new io.vertx.core.json.JsonArray().add("lp-c").add("lp-a")))
        .put("version", 3).put("createdAt", NOW.toString()).put("updatedAt", NOW.toString()));
      io.orion.oms.instrument.Instrument eurusd = new io.orion.oms.instrument.Instrument(EURUSD, "fx", "EUR", "USD",
        d("0.00001"), d("1000"), d("1000"), d("1.085"), true);
      RouteRequest req = RouteRequest.of(order, eurusd);
      assertThat(req.quantity()).isEqualByComparingTo("600000");
      assertThat(req.limitPrice()).isEqualByComparingTo("1.08500");
      assertThat(req.lotSize()).isEqualByComparingTo("1000");
      assertThat(req.preferredLps()).containsExactly("lp-c", "lp-a");
      assertThat(req.side()).isEqualTo(SELL);
      assertThat(req.strategy()).isEqualTo(RoutingStrategy.SEQUENTIAL);
    }

    @Test
    void preferredLpsAreReadFromMetadataKeepingOnlyStrings() {
      JsonObject meta = new JsonObject().put("preferredLps", new io.vertx.core.json.JsonArray().add("lp-b").add(3)
        .add("lp-a").add(""));
      assertThat(RouteRequest.preferredLps(meta)).containsExactly("lp-b", "lp-a");
      assertThat(RouteRequest.preferredLps(new JsonObject().put("preferredLps", "lp-a"))).isEmpty();
      assertThat(RouteRequest.preferredLps(null)).isEmpty();
    }

    @Test
    void lotArithmeticIsExactBeyondLongProducts() {
      long a = 900_000_000_000_000L, b = 800_000_000_000_000L, c = 1_000_000_000_000_000L;
      assertThat(Router.Lots.mulDiv(a, b, c))
        .isEqualTo(BigDecimal.valueOf(a).multiply(BigDecimal.valueOf(b)).divideToIntegralValue(BigDecimal.valueOf(c)).longValueExact());
      assertThat(Router.Lots.mulDiv(7, 3, 4)).isEqualTo(5);
      assertThat(Router.Lots.floor(d("1e30"), LOT)).isEqualTo(RouteRequest.MAX_LOTS);
      assertThat(Router.Lots.floor(d("-5"), LOT)).isZero();
      assertThat(Router.Lots.floor(null, LOT)).isZero();
    }
  }
}
