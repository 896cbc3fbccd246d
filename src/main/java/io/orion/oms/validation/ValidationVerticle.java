package io.orion.oms.validation;

import io.orion.oms.account.Account;
import io.orion.oms.account.AccountRepository;
import io.orion.oms.common.BusResult;
import io.orion.oms.common.Decimals;
import io.orion.oms.common.Problem;
import io.orion.oms.instrument.InstrumentCatalog;
import io.orion.oms.instrument.InstrumentRepository;
import io.orion.oms.order.NewOrder;
import io.orion.oms.order.OrderRepository;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;

import io.orion.oms.lp.LpConnectorVerticle;
import io.orion.oms.lp.LpMessages;
import io.orion.oms.order.Side;
import io.orion.oms.routing.QuoteBook;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.time.Clock;

/**
 * Answers {@code oms.validation.check}: syntax-level rules of each order type, instrument rules, buying
 * power and account risk limits. Replies with a {@link BusResult}; a rejected order is a normal reply.
 */
public final class ValidationVerticle extends VerticleBase {
  public static final String CHECK = "oms.validation.check";

  private final InstrumentRepository instruments;
  private final AccountRepository accounts;
  private final OrderRepository orders;
  private final Clock clock;
  private final long quoteMaxAgeMs;
  private final QuoteBook book = new QuoteBook();
  private OrderValidator validator;

  public ValidationVerticle(InstrumentRepository instruments, AccountRepository accounts, OrderRepository orders,
                            Clock clock) {
    this(instruments, accounts, orders, clock, 5000);
  }

  public ValidationVerticle(InstrumentRepository instruments, AccountRepository accounts, OrderRepository orders,
                            Clock clock, long quoteMaxAgeMs) {
    this.quoteMaxAgeMs = quoteMaxAgeMs;
    this.instruments = instruments;
    this.accounts = accounts;
    this.orders = orders;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    return instruments.all().compose(list -> {
      validator = new OrderValidator(new InstrumentCatalog(list), this::touch);
      List<Future<?>> ready = new ArrayList<>();
      for (var i : list) {
        ready.add(vertx.eventBus().<JsonObject>consumer(LpConnectorVerticle.QUOTES_PREFIX + i.id(),
          m -> book.update(LpMessages.quote(m.body()))).completion());
      }
      ready.add(vertx.eventBus().<JsonObject>consumer(CHECK, this::check).completion());
      return Future.all(ready);
    });
  }

  /** The best fresh price on the side an order takes: the lowest ask for a buy, the highest bid for a sell. */
  private BigDecimal touch(String instrumentId, Side side) {
    return book.best(instrumentId, side == Side.SELL, clock.instant(), quoteMaxAgeMs);
  }

  /**
   * Body: {@code {order, account, replacesQuantity?}} (bus forms). For a modification, the account comes
   * without the order's own held funds and {@code replacesQuantity} is the order's open quantity, so the
   * order is not counted twice. Value on success: {@code {notional, reserveAmount}}.
   */
  private void check(Message<JsonObject> msg) {
    NewOrder order = NewOrder.fromBusJson(msg.body().getJsonObject("order"));
    Account account = Account.fromBusJson(msg.body().getJsonObject("account"));
    Problem fieldProblem = validator.checkFields(order, clock.instant());
    if (fieldProblem != null) {
      msg.reply(BusResult.fail(fieldProblem));
      return;
    }
    BigDecimal replaces = Decimals.parse(msg.body().getValue("replacesQuantity"));
    exposure(order, account, replaces == null ? BigDecimal.ZERO : replaces).onComplete(ar -> {
      if (ar.failed()) {
        msg.fail(500, ar.cause().getMessage());
        return;
      }
      OrderValidator.RiskResult outcome = validator.checkRisk(order, account, ar.result());
      if (outcome instanceof OrderValidator.Rejected r) {
        msg.reply(BusResult.fail(r.problem()));
      } else if (outcome instanceof OrderValidator.Accepted a) {
        msg.reply(BusResult.ok(new JsonObject().put("notional", a.notional().toPlainString())
          .put("reserveAmount", a.reserveAmount().toPlainString())));
      }
    });
  }

  /** Position and open orders matter only to a position limit: without one, no database read. */
  private Future<OrderValidator.Exposure> exposure(NewOrder o, Account account, BigDecimal replaces) {
    if (account.maxPositionQuantity() == null) {
      return Future.succeededFuture(new OrderValidator.Exposure(BigDecimal.ZERO, BigDecimal.ZERO));
    }
    return accounts.positionQuantity(o.accountId(), o.instrumentId())
      .compose(pos -> orders.openQuantity(o.accountId(), o.instrumentId(), o.side())
        .map(open -> new OrderValidator.Exposure(pos, open.subtract(replaces).max(BigDecimal.ZERO))));
  }
}
