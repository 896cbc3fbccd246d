package io.orion.oms.validation;

import io.orion.oms.account.Account;
import io.orion.oms.common.Decimals;
import io.orion.oms.common.ErrorCode;
import io.orion.oms.common.FieldError;
import io.orion.oms.common.Problem;
import io.orion.oms.instrument.Instrument;
import io.orion.oms.instrument.InstrumentCatalog;
import io.orion.oms.order.NewOrder;
import io.orion.oms.order.OrderType;
import io.orion.oms.order.RoutingStrategy;
import io.orion.oms.order.Side;
import io.orion.oms.order.TimeInForce;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The checks an order passes before it is accepted, as pure functions returning a {@link Problem} or
 * null. Field rules first (all bad fields reported together), then risk: funds, then account limits.
 */
public final class OrderValidator {

  /** What risk needs besides the order and the account: current position and open same-side quantity. */
  public record Exposure(BigDecimal position, BigDecimal openSameSide) {}

  /** The risk outcome: accepted, or rejected with a problem. */
  public sealed interface RiskResult permits Accepted, Rejected {}

  /** Accepted: the estimated notional and the funds to hold, both in account currency. */
  public record Accepted(BigDecimal notional, BigDecimal reserveAmount) implements RiskResult {}

  public record Rejected(Problem problem) implements RiskResult {}

  /** Where the market is now: the best fresh ask for a buy, the best fresh bid for a sell; null if unknown. */
  public interface MarketPrices {
    BigDecimal touch(String instrumentId, Side side);
  }

  private final InstrumentCatalog catalog;
  private final MarketPrices market;

  public OrderValidator(InstrumentCatalog catalog) {
    this(catalog, (i, s) -> null);
  }

  public OrderValidator(InstrumentCatalog catalog, MarketPrices market) {
    this.catalog = catalog;
    this.market = market;
  }

  /** Field and instrument rules. */
  public Problem checkFields(NewOrder o, Instant now) {
    List<FieldError> errors = new ArrayList<>();
    Instrument inst = catalog.get(o.instrumentId());
    if (inst == null || !inst.enabled()) {
      errors.add(new FieldError("instrumentId", "UNKNOWN_INSTRUMENT", "Unknown or disabled instrument '" + o.instrumentId() + "'"));
    }
    requirePerType(o, errors);
    if (inst != null) checkInstrumentRules(o, inst, errors);
    if (o.timeInForce() == TimeInForce.GTD) {
      if (o.expiryDate() == null) errors.add(required("expiryDate", "a gtd order"));
      else if (!o.expiryDate().isAfter(now)) {
        errors.add(new FieldError("expiryDate", "MUST_BE_FUTURE", "expiryDate must be in the future"));
      }
    } else if (o.expiryDate() != null) {
      errors.add(notAllowed("expiryDate", "timeInForce " + o.timeInForce().wire()));
    }
    if (o.routingStrategy() == RoutingStrategy.MANUAL && o.lpId() == null) errors.add(required("lpId", "manual routing"));
    if (o.routingStrategy() != RoutingStrategy.MANUAL && o.lpId() != null) {
      errors.add(notAllowed("lpId", "routingStrategy " + o.routingStrategy().wire() + " (only manual takes an lpId)"));
    }
    return errors.isEmpty() ? null : Problem.invalid(ErrorCode.VALIDATION_FAILED,
      "The order has " + errors.size() + " invalid field" + (errors.size() > 1 ? "s" : ""), errors);
  }

  private static void requirePerType(NewOrder o, List<FieldError> errors) {
    OrderType t = o.orderType();
    boolean needsPrice = t == OrderType.LIMIT || t == OrderType.STOP_LIMIT;
    boolean mayHavePrice = needsPrice || t == OrderType.PEGGED; // a pegged order's price is its limit
    boolean needsStop = t == OrderType.STOP || t == OrderType.STOP_LIMIT;
    presence(o.price(), "price", needsPrice, mayHavePrice, t, errors);
    presence(o.stopPrice(), "stopPrice", needsStop, needsStop, t, errors);
    presence(o.pegOffset(), "pegOffset", t == OrderType.PEGGED, t == OrderType.PEGGED, t, errors);
    presence(o.trailAmount(), "trailAmount", t == OrderType.TRAILING_STOP, t == OrderType.TRAILING_STOP, t, errors);
  }

  private static void presence(BigDecimal v, String field, boolean required, boolean allowed, OrderType t,
                               List<FieldError> errors) {
    if (v == null && required) errors.add(required(field, "a " + t.wire() + " order"));
    if (v != null && !allowed) errors.add(notAllowed(field, "a " + t.wire() + " order"));
  }

  private static void checkInstrumentRules(NewOrder o, Instrument inst, List<FieldError> errors) {
    if (o.quantity().signum() <= 0) {
      errors.add(new FieldError("quantity", "MUST_BE_POSITIVE", "quantity must be greater than 0"));
    } else {
      if (o.quantity().compareTo(inst.minQuantity()) < 0) {
        errors.add(new FieldError("quantity", "BELOW_MIN_QUANTITY",
          "quantity must be at least " + inst.minQuantity().toPlainString() + " for " + inst.id()));
      }
      if (!Decimals.isMultipleOf(o.quantity(), inst.lotSize())) {
        errors.add(new FieldError("quantity", "NOT_LOT_MULTIPLE",
          "quantity must be a multiple of the lot size " + inst.lotSize().toPlainString() + " for " + inst.id()));
      }
    }
    onTick(o.price(), "price", inst, errors);
    onTick(o.stopPrice(), "stopPrice", inst, errors);
    onTick(o.pegOffset(), "pegOffset", inst, errors);
    onTick(o.trailAmount(), "trailAmount", inst, errors);
  }

  private static void onTick(BigDecimal v, String field, Instrument inst, List<FieldError> errors) {
    if (v == null) return;
    if (!field.equals("pegOffset") && v.signum() <= 0) {
      errors.add(new FieldError(field, "MUST_BE_POSITIVE", field + " must be greater than 0"));
    } else if (!Decimals.isMultipleOf(v, inst.tickSize())) {
      errors.add(new FieldError(field, "NOT_ON_TICK",
        field + " must be a multiple of the tick size " + inst.tickSize().toPlainString() + " for " + inst.id()));
    }
  }

  /**
   * The price the order is expected to trade at: its limit, its stop, or for market-like types the live
   * touch (best fresh quote on the side it takes), falling back to the instrument's reference price.
   */
  public BigDecimal estimatedPrice(NewOrder o, Instrument inst) {
    BigDecimal live = market.touch(inst.id(), o.side());
    BigDecimal ref = live != null ? live : inst.referencePrice();
    boolean buy = o.side() == Side.BUY;
    return switch (o.orderType()) {
      case LIMIT, STOP_LIMIT -> o.price();
      case STOP -> buy ? o.stopPrice().max(ref) : o.stopPrice().min(ref);
      case TRAILING_STOP -> buy ? ref.add(o.trailAmount()) : ref.subtract(o.trailAmount()).max(inst.tickSize());
      case PEGGED -> {
        BigDecimal pegged = ref.add(o.pegOffset());
        if (o.price() != null) pegged = buy ? pegged.min(o.price()) : pegged.max(o.price());
        yield pegged.max(inst.tickSize());
      }
      case MARKET -> ref;
    };
  }

  /** Funds, then account limits. Assumes {@link #checkFields} passed. */
  public RiskResult checkRisk(NewOrder o, Account account, Exposure exposure) {
    Instrument inst = catalog.get(o.instrumentId());
    BigDecimal quoteNotional = o.quantity().multiply(estimatedPrice(o, inst));
    BigDecimal notional = catalog.convert(quoteNotional, inst.quoteCurrency(), account.currency());
    if (notional == null) {
      return new Rejected(Problem.of(ErrorCode.UNSUPPORTED_CURRENCY, "No rate from " + inst.quoteCurrency() + " to the account currency "
        + account.currency() + " for " + inst.id()));
    }
    notional = notional.setScale(Decimals.minorUnits(account.currency()), RoundingMode.UP);
    BigDecimal reserve = o.side() == Side.BUY ? notional : BigDecimal.ZERO;
    if (reserve.compareTo(account.available()) > 0) {
      return new Rejected(insufficientFunds(account.currency(), reserve, account.available()));
    }
    if (account.maxOrderNotional() != null && notional.compareTo(account.maxOrderNotional()) > 0) {
      return new Rejected(Problem.of(ErrorCode.RISK_LIMIT_EXCEEDED, "Order notional " + symbol(account.currency())
          + Decimals.money(notional) + " exceeds the account's maxOrderNotional of " + symbol(account.currency())
          + Decimals.money(account.maxOrderNotional()))
        .with("limit", "maxOrderNotional").with("limitValue", account.maxOrderNotional()).with("requested", notional));
    }
    if (account.maxPositionQuantity() != null) {
      BigDecimal signed = o.side() == Side.BUY ? o.quantity().add(exposure.openSameSide())
        : o.quantity().add(exposure.openSameSide()).negate();
      BigDecimal projected = exposure.position().add(signed).abs();
      if (projected.compareTo(account.maxPositionQuantity()) > 0) {
        return new Rejected(positionLimit(inst.id(), projected, account.maxPositionQuantity()));
      }
    }
    return new Accepted(notional, reserve);
  }

  public static Problem positionLimit(String instrumentId, BigDecimal projected, BigDecimal limit) {
    return Problem.of(ErrorCode.RISK_LIMIT_EXCEEDED, "Resulting position of " + projected.toPlainString() + " "
        + instrumentId + " (with open orders) exceeds the account's maxPositionQuantity of " + limit.toPlainString())
      .with("limit", "maxPositionQuantity").with("limitValue", limit).with("requested", projected);
  }

  /** Projected absolute position: current position plus every open order on the same side, this one included. */
  public static BigDecimal projectedPosition(Side side, BigDecimal position, BigDecimal openSameSide) {
    return position.add(side == Side.BUY ? openSameSide : openSameSide.negate()).abs();
  }

  public static Problem insufficientFunds(String currency, BigDecimal required, BigDecimal available) {
    String s = symbol(currency);
    return Problem.of(ErrorCode.INSUFFICIENT_FUNDS, "Insufficient funds for " + s + Decimals.money(required)
        + " order; available: " + s + Decimals.money(available))
      .with("required", required).with("available", available).with("currency", currency);
  }

  static String symbol(String currency) {
    return switch (currency) {
      case "USD" -> "$";
      case "EUR" -> "€";
      case "GBP" -> "£";
      case "JPY" -> "¥";
      default -> currency + " ";
    };
  }

  private static FieldError required(String field, String what) {
    return new FieldError(field, "REQUIRED", field + " is required for " + what);
  }

  private static FieldError notAllowed(String field, String what) {
    return new FieldError(field, "NOT_ALLOWED", field + " is not allowed for " + what);
  }
}
