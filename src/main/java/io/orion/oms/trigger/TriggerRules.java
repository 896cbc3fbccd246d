package io.orion.oms.trigger;

import io.orion.oms.order.Order;
import io.orion.oms.order.OrderStatus;
import io.orion.oms.order.OrderType;
import io.orion.oms.order.Side;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * What a held order should do at a best bid and ask: pure rules, no state.
 * <ul>
 *   <li><b>stop</b> and <b>stop_limit</b>: a buy fires when the ask reaches {@code stopPrice}, a sell when the
 *       bid falls to it;</li>
 *   <li><b>trailing_stop</b>: a sell's stop is the bid less {@code trailAmount}, raised as the bid rises and
 *       never lowered; it fires when the bid falls to it (a buy mirrors this on the ask);</li>
 *   <li><b>pegged</b>: its working price is the same-side best (bid for a buy, ask for a sell) plus
 *       {@code pegOffset}, on the tick grid, never through the order's {@code price} when one is given; it is
 *       released at the first quote and re-priced when that price moves by a tick or more.</li>
 * </ul>
 * A stop already through the market when submitted fires at the next quote.
 */
public final class TriggerRules {
  private TriggerRules() {}

  /** The decision for one order at one quote. */
  public sealed interface Action permits Fire, MoveStop, Reprice, Wait {}

  /** Release the order to routing ({@code pegPrice}: a pegged order's first working price). */
  public record Fire(BigDecimal pegPrice) implements Action {}

  /** A trailing stop's new level. */
  public record MoveStop(BigDecimal stopPrice) implements Action {}

  /** A working pegged order's new price. */
  public record Reprice(BigDecimal pegPrice) implements Action {}

  public record Wait() implements Action {}

  private static final Wait WAIT = new Wait();

  public static Action decide(Order o, BigDecimal bid, BigDecimal ask, BigDecimal tick) {
    boolean buy = o.side() == Side.BUY;
    boolean untriggered = o.triggeredAt() == null && o.status() == OrderStatus.PENDING;
    switch (o.orderType()) {
      case STOP:
      case STOP_LIMIT: {
        if (!untriggered) return WAIT;
        BigDecimal px = buy ? ask : bid;
        if (px == null) return WAIT;
        return through(buy, px, o.stopPrice()) ? new Fire(null) : WAIT;
      }
      case TRAILING_STOP: {
        if (!untriggered) return WAIT;
        BigDecimal px = buy ? ask : bid;
        if (px == null) return WAIT;
        BigDecimal stop = o.stopPrice();
        if (stop != null && through(buy, px, stop)) return new Fire(null);
        BigDecimal level = buy ? onTick(px.add(o.trailAmount()), tick, RoundingMode.CEILING)
          : onTick(px.subtract(o.trailAmount()), tick, RoundingMode.FLOOR);
        if (level.signum() <= 0) return WAIT;
        boolean better = stop == null || (buy ? level.compareTo(stop) < 0 : level.compareTo(stop) > 0);
        return better ? new MoveStop(level) : WAIT;
      }
      case PEGGED: {
        BigDecimal peg = pegPrice(o, bid, ask, tick);
        if (peg == null) return WAIT;
        if (untriggered) return new Fire(peg);
        boolean working = o.status() == OrderStatus.WORKING || o.status() == OrderStatus.PARTIAL_FILL;
        if (!working || o.triggeredAt() == null || o.pegPrice() == null) return WAIT;
        return o.pegPrice().subtract(peg).abs().compareTo(tick) >= 0 ? new Reprice(peg) : WAIT;
      }
      default:
        return WAIT;
    }
  }

  /** A buy's stop is reached when the price rises to it, a sell's when it falls to it. */
  static boolean through(boolean buy, BigDecimal px, BigDecimal stop) {
    return buy ? px.compareTo(stop) >= 0 : px.compareTo(stop) <= 0;
  }

  /** Same-side best plus the offset, on the tick grid (a buy rounds down, a sell up), within the limit. */
  static BigDecimal pegPrice(Order o, BigDecimal bid, BigDecimal ask, BigDecimal tick) {
    boolean buy = o.side() == Side.BUY;
    BigDecimal ref = buy ? bid : ask;
    if (ref == null) return null;
    BigDecimal peg = onTick(ref.add(o.pegOffset()), tick, buy ? RoundingMode.FLOOR : RoundingMode.CEILING);
    if (o.price() != null) peg = buy ? peg.min(o.price()) : peg.max(o.price());
    return peg.signum() > 0 ? peg : null;
  }

  static BigDecimal onTick(BigDecimal px, BigDecimal tick, RoundingMode mode) {
    return px.divide(tick, 0, mode).multiply(tick).setScale(Math.max(0, tick.scale()), RoundingMode.UNNECESSARY);
  }
}
