package io.orion.oms.lp.sim;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;

/** An order as the simulated LP keeps it. Touched only on the LP's engine thread. */
final class SimOrder {
  final String orderId;
  final String symbol;
  final char side;
  /** Every ClOrdID the order has carried (the original, then each replace), all answer status requests. */
  final List<String> clOrdIds = new ArrayList<>();
  String clOrdId;
  String origClOrdId;
  char ordType;
  char tif;
  BigDecimal qty;
  BigDecimal price;
  BigDecimal cumQty = BigDecimal.ZERO;
  BigDecimal notional = BigDecimal.ZERO;
  char status = '0';
  boolean splitFills;

  SimOrder(String orderId, String clOrdId, String symbol, char side, char ordType, char tif, BigDecimal qty,
           BigDecimal price) {
    this.orderId = orderId;
    this.clOrdId = clOrdId;
    this.clOrdIds.add(clOrdId);
    this.symbol = symbol;
    this.side = side;
    this.ordType = ordType;
    this.tif = tif;
    this.qty = qty;
    this.price = price;
  }

  boolean isFinal() {
    return status == '2' || status == '4' || status == '8' || status == 'C';
  }

  BigDecimal leaves() {
    return isFinal() ? BigDecimal.ZERO : qty.subtract(cumQty);
  }

  BigDecimal avgPx(int scale) {
    if (cumQty.signum() == 0) return BigDecimal.ZERO;
    return SimulatedLp.plain(notional.divide(cumQty, scale, RoundingMode.HALF_EVEN));
  }

  JsonObject toJson() {
    return new JsonObject().put("orderId", orderId).put("symbol", symbol).put("side", String.valueOf(side))
      .put("clOrdIds", new JsonArray(new ArrayList<>(clOrdIds))).put("clOrdId", clOrdId).put("origClOrdId", origClOrdId)
      .put("ordType", String.valueOf(ordType)).put("tif", String.valueOf(tif)).put("qty", qty.toPlainString())
      .put("price", price == null ? null : price.toPlainString()).put("cumQty", cumQty.toPlainString())
      .put("notional", notional.toPlainString()).put("status", String.valueOf(status)).put("splitFills", splitFills);
  }

  static SimOrder fromJson(JsonObject j) {
    SimOrder o = new SimOrder(j.getString("orderId"), j.getString("clOrdId"), j.getString("symbol"),
      j.getString("side").charAt(0), j.getString("ordType").charAt(0), j.getString("tif").charAt(0),
      new BigDecimal(j.getString("qty")), j.getString("price") == null ? null : new BigDecimal(j.getString("price")));
    o.clOrdIds.clear();
    j.getJsonArray("clOrdIds").forEach(c -> o.clOrdIds.add((String) c));
    o.origClOrdId = j.getString("origClOrdId");
    o.cumQty = new BigDecimal(j.getString("cumQty"));
    o.notional = new BigDecimal(j.getString("notional"));
    o.status = j.getString("status").charAt(0);
    o.splitFills = j.getBoolean("splitFills", false);
    return o;
  }
}
