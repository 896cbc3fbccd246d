package io.orion.oms.lp;

import io.orion.oms.common.Decimals;
import io.orion.oms.order.Side;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.time.Instant;

/** Event-bus forms of the connector types (decimals as strings, so they cross a cluster exactly). */
public final class LpMessages {
  private LpMessages() {}

  public static JsonObject toJson(LpOrder o) {
    return new JsonObject().put("clOrdId", o.clOrdId()).put("instrumentId", o.instrumentId())
      .put("side", o.side().wire()).put("type", o.type().name()).put("quantity", dec(o.quantity()))
      .put("price", dec(o.price())).put("timeInForce", o.timeInForce().name());
  }

  public static LpOrder order(JsonObject j) {
    if (j == null) return null;
    return new LpOrder(j.getString("clOrdId"), j.getString("instrumentId"), Side.fromWire(j.getString("side")),
      LpOrder.Type.valueOf(j.getString("type")), Decimals.parse(j.getValue("quantity")),
      Decimals.parse(j.getValue("price")), LpOrder.TimeInForce.valueOf(j.getString("timeInForce")));
  }

  public static JsonObject toJson(ExecutionReport r) {
    return new JsonObject().put("lpId", r.lpId()).put("execId", r.execId()).put("clOrdId", r.clOrdId())
      .put("origClOrdId", r.origClOrdId()).put("lpOrderId", r.lpOrderId()).put("kind", r.kind().name())
      .put("status", r.status().name()).put("instrumentId", r.instrumentId())
      .put("side", r.side() == null ? null : r.side().wire()).put("lastQty", dec(r.lastQty()))
      .put("lastPx", dec(r.lastPx())).put("cumQty", dec(r.cumQty())).put("leavesQty", dec(r.leavesQty()))
      .put("avgPx", dec(r.avgPx())).put("text", r.text())
      .put("transactTime", r.transactTime() == null ? null : r.transactTime().toString()).put("possDup", r.possDup());
  }

  public static ExecutionReport report(JsonObject j) {
    String side = j.getString("side");
    String time = j.getString("transactTime");
    return new ExecutionReport(j.getString("lpId"), j.getString("execId"), j.getString("clOrdId"),
      j.getString("origClOrdId"), j.getString("lpOrderId"), ExecutionReport.Kind.valueOf(j.getString("kind")),
      ExecutionReport.LpOrderStatus.valueOf(j.getString("status")), j.getString("instrumentId"),
      side == null ? null : Side.fromWire(side), Decimals.parse(j.getValue("lastQty")),
      Decimals.parse(j.getValue("lastPx")), Decimals.parse(j.getValue("cumQty")),
      Decimals.parse(j.getValue("leavesQty")), Decimals.parse(j.getValue("avgPx")), j.getString("text"),
      time == null ? null : Instant.parse(time), j.getBoolean("possDup", false));
  }

  public static JsonObject toJson(Quote q) {
    return new JsonObject().put("lpId", q.lpId()).put("instrumentId", q.instrumentId()).put("bid", dec(q.bid()))
      .put("bidSize", dec(q.bidSize())).put("ask", dec(q.ask())).put("askSize", dec(q.askSize()))
      .put("time", q.time().toEpochMilli());
  }

  public static Quote quote(JsonObject j) {
    return new Quote(j.getString("lpId"), j.getString("instrumentId"), Decimals.parse(j.getValue("bid")),
      Decimals.parse(j.getValue("bidSize")), Decimals.parse(j.getValue("ask")), Decimals.parse(j.getValue("askSize")),
      Instant.ofEpochMilli(j.getLong("time")));
  }

  private static String dec(BigDecimal d) {
    return d == null ? null : d.toPlainString();
  }
}
