package io.orion.oms.trigger;

import io.orion.oms.order.Order;
import io.orion.oms.order.OrderType;
import io.orion.oms.order.Side;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import static io.orion.oms.trigger.TriggerRulesTest.TICK;
import static io.orion.oms.trigger.TriggerRulesTest.d;
import static io.orion.oms.trigger.TriggerRulesTest.order;
import static org.assertj.core.api.Assertions.assertThat;

class HeldOrdersTest {

  @Test
  void aQuoteGetsOnlyTheStopsItWentThroughAndEveryMovingOrder() {
    HeldOrders book = new HeldOrders();
    Order buyBelow = order(OrderType.STOP, Side.BUY, null, "1.08600", null, null);
    Order buyAtAsk = order(OrderType.STOP_LIMIT, Side.BUY, "1.08700", "1.08650", null, null);
    Order buyAbove = order(OrderType.STOP, Side.BUY, null, "1.08700", null, null);
    Order sellAbove = order(OrderType.STOP, Side.SELL, null, "1.08700", null, null);
    Order sellAtBid = order(OrderType.STOP, Side.SELL, null, "1.08640", null, null);
    Order sellBelow = order(OrderType.STOP_LIMIT, Side.SELL, "1.08500", "1.08550", null, null);
    Order trailing = order(OrderType.TRAILING_STOP, Side.SELL, null, null, null, "0.00100");
    Order pegged = order(OrderType.PEGGED, Side.BUY, null, null, "0.00000", null);
    List.of(buyBelow, buyAtAsk, buyAbove, sellAbove, sellAtBid, sellBelow, trailing, pegged).forEach(book::add);

    assertThat(book.candidates(d("1.08640"), d("1.08650")))
      .containsExactlyInAnyOrder(buyBelow, buyAtAsk, sellAbove, sellAtBid, trailing, pegged);
    assertThat(book.candidates(null, d("1.08650"))).as("no bid: no sell stop")
      .containsExactlyInAnyOrder(buyBelow, buyAtAsk, trailing, pegged);
    assertThat(book.candidates(null, null)).containsExactlyInAnyOrder(trailing, pegged);
  }

  @Test
  void removingAnOrderTakesItOutOfItsPriceLevelOnly() {
    HeldOrders book = new HeldOrders();
    Order a = order(OrderType.STOP, Side.SELL, null, "1.08700", null, null);
    Order b = order(OrderType.STOP, Side.SELL, null, "1.087", null, null); // the same level, another scale
    book.add(a);
    book.add(b);
    assertThat(book.remove(a.id())).isEqualTo(a);
    assertThat(book.remove(a.id())).isNull();
    assertThat(book.candidates(d("1.08000"), null)).containsExactly(b);
    book.remove(b.id());
    assertThat(book.isEmpty()).isTrue();
    assertThat(book.candidates(d("1.08000"), d("1.09000"))).isEmpty();
  }

  @Test
  void addingAnOrderAgainReplacesItWhereverItWas() {
    HeldOrders book = new HeldOrders();
    Order stop = order(OrderType.STOP, Side.BUY, null, "1.08600", null, null);
    book.add(stop);
    Order moved = TriggerRulesTest.triggered(stop, stop.status(), null);
    Order raised = new Order(stop.id(), stop.orderRef(), stop.tenantId(), stop.accountId(), stop.submittedBy(),
      stop.clientOrderId(), stop.instrumentId(), stop.side(), stop.orderType(), stop.timeInForce(), stop.quantity(),
      stop.filledQuantity(), stop.price(), d("1.09000"), null, null, null, null, stop.routingStrategy(), null,
      stop.status(), null, null, stop.reservedAmount(), stop.metadata(), 2, stop.createdAt(), stop.updatedAt(), null,
      null);
    book.add(moved);
    book.add(raised);
    assertThat(book.candidates(null, d("1.08700"))).as("no longer at its old level").isEmpty();
    assertThat(book.candidates(null, d("1.09000"))).containsExactly(raised);
    assertThat(book.remove(stop.id())).isEqualTo(raised);
    assertThat(book.isEmpty()).as("held once, whatever the re-adds").isTrue();
  }

  /** Whatever the rules would act on at a quote is among the candidates, and no stop they would leave alone. */
  @Test
  void theCandidatesAreExactlyTheStopsTheRulesWouldFirePlusTheMovingOrders() {
    Random random = new Random(7);
    HeldOrders book = new HeldOrders();
    List<Order> all = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      Side side = random.nextBoolean() ? Side.BUY : Side.SELL;
      String px = new BigDecimal(108_000 + random.nextInt(1_000)).movePointLeft(5).toPlainString();
      Order o = switch (random.nextInt(10)) {
        case 0 -> order(OrderType.TRAILING_STOP, side, null, random.nextBoolean() ? px : null, null, "0.00100");
        case 1 -> order(OrderType.PEGGED, side, null, null, "0.00000", null);
        case 2 -> order(OrderType.STOP_LIMIT, side, px, px, null, null);
        default -> order(OrderType.STOP, side, null, px, null, null);
      };
      all.add(o);
      book.add(o);
    }
    for (int q = 0; q < 200; q++) {
      BigDecimal bid = new BigDecimal(107_900 + random.nextInt(1_200)).movePointLeft(5);
      BigDecimal ask = bid.add(new BigDecimal(random.nextInt(20)).movePointLeft(5));
      Set<Order> candidates = Set.copyOf(book.candidates(bid, ask));
      Set<Order> acted = all.stream().filter(o -> !(TriggerRules.decide(o, bid, ask, TICK) instanceof TriggerRules.Wait))
        .collect(Collectors.toSet());
      assertThat(candidates).containsAll(acted);
      Set<Order> stopsNotActed = candidates.stream()
        .filter(o -> o.orderType() == OrderType.STOP || o.orderType() == OrderType.STOP_LIMIT)
        .filter(o -> !acted.contains(o)).collect(Collectors.toSet());
      assertThat(stopsNotActed).as("stops the quote did not reach").isEmpty();
    }
  }
}
