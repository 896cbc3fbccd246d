package io.orion.oms.api;

import io.orion.oms.common.BusResult;
import io.orion.oms.common.Decimals;
import io.orion.oms.common.ErrorCode;
import io.orion.oms.common.FieldError;
import io.orion.oms.common.Problem;
import io.orion.oms.common.ProblemException;
import io.orion.oms.halt.Halt;
import io.orion.oms.halt.TradingHalts;
import io.orion.oms.order.NewOrder;
import io.orion.oms.order.Order;
import io.orion.oms.order.OrderCommands;
import io.orion.oms.order.OrderQuery;
import io.orion.oms.order.OrderRepository;
import io.orion.oms.order.OrderStatus;
import io.orion.oms.order.OrderVerticle;
import io.orion.oms.order.Side;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The order operations: writes go to the OrderVerticle over the bus, reads straight to the repository. */
final class OrderHandlers {
  private final EventBus bus;
  private final OrderRepository orders;
  private final TradingHalts halts;

  OrderHandlers(EventBus bus, OrderRepository orders, TradingHalts halts) {
    this.bus = bus;
    this.orders = orders;
    this.halts = halts;
  }

  /** New orders stop while the tenant's trading is halted; what is already in flight carries on. */
  Future<Reply> submit(ApiRequest req) {
    NewOrder order = NewOrder.fromApi(req.body());
    Halt halt = halts.haltOf(req.caller().tenant());
    if (halt != null) return Future.failedFuture(halted(halt, "no new orders are accepted; cancels still work"));
    JsonObject cmd = new JsonObject().put("caller", req.caller().toJson()).put("order", order.toBusJson());
    return request(OrderVerticle.SUBMIT, cmd).map(v -> {
      Order o = Order.fromBusJson(v.getJsonObject("order"));
      boolean created = v.getBoolean("created");
      return Reply.of(created ? 201 : 200, o.toApiJson(),
        Map.of("Location", "/api/v1/orders/" + o.id(), "ETag", etag(o)));
    });
  }

  Future<Reply> list(ApiRequest req) {
    String clientId = req.queryString("clientId");
    OrderQuery q = new OrderQuery(clientId == null ? null : UUID.fromString(clientId), req.queryString("instrumentId"),
      statuses(req.queryString("statuses")), side(req.queryString("side")), time(req.queryString("fromDate")),
      time(req.queryString("toDate")), req.queryInt("page", 1), req.queryInt("limit", 50));
    return orders.list(req.caller(), q).map(page -> {
      JsonArray data = new JsonArray();
      page.orders().forEach(o -> data.add(o.toApiJson()));
      long totalPages = (page.total() + q.limit() - 1) / q.limit();
      return Reply.ok(new JsonObject().put("data", data).put("total", page.total()).put("page", q.page())
        .put("limit", q.limit()).put("totalPages", totalPages));
    });
  }

  Future<Reply> get(ApiRequest req) {
    return visible(req).map(o -> Reply.of(200, o.toApiJson(), Map.of("ETag", etag(o))));
  }

  Future<Reply> getByRef(ApiRequest req) {
    String ref = req.path("orderRef");
    return orders.findVisibleByRef(req.caller(), ref)
      .compose(o -> o == null ? notFound(ref) : Future.succeededFuture(Reply.of(200, o.toApiJson(), Map.of("ETag", etag(o)))));
  }

  Future<Reply> fills(ApiRequest req) {
    return visible(req).compose(o -> orders.fills(o.id())).map(a -> Reply.ok(new JsonObject().put("data", a)));
  }

  Future<Reply> history(ApiRequest req) {
    return visible(req).compose(o -> orders.modifications(o.id())).map(a -> Reply.ok(new JsonObject().put("data", a)));
  }

  Future<Reply> audit(ApiRequest req) {
    return visible(req).compose(o -> orders.audit(o.id()))
      .map(a -> Reply.ok(new JsonObject().put("data", a).put("total", a.size())));
  }

  /** {@code If-Match} carries the order's version as its ETag ("3"); a stale one answers 412. */
  Future<Reply> modify(ApiRequest req) {
    JsonObject b = req.body();
    String expiry = b.getString("expiryDate");
    OrderCommands.Modification change = new OrderCommands.Modification(Decimals.parse(b.getValue("quantity")),
      Decimals.parse(b.getValue("price")), Decimals.parse(b.getValue("stopPrice")), Decimals.parse(b.getValue("pegOffset")),
      Decimals.parse(b.getValue("trailAmount")), expiry == null ? null : OffsetDateTime.parse(expiry).toInstant());
    JsonObject cmd = new JsonObject().put("caller", req.caller().toJson()).put("orderId", req.path("id"))
      .put("changes", change.toJson()).put("expectedVersion", ifMatch(req.header("If-Match")));
    return allowedWhileHalted(req, change).compose(x -> request(OrderVerticle.MODIFY, cmd)).map(v -> {
      Order o = Order.fromBusJson(v.getJsonObject("order"));
      return Reply.of(200, o.toApiJson(), Map.of("ETag", etag(o)));
    });
  }

  /**
   * While trading is halted an order may only shrink: a modification that changes nothing but lowers
   * the quantity goes through (it reduces exposure, like a cancel); any other change is refused.
   */
  private Future<Void> allowedWhileHalted(ApiRequest req, OrderCommands.Modification change) {
    Halt halt = halts.haltOf(req.caller().tenant());
    if (halt == null) return Future.succeededFuture();
    boolean onlyQuantity = change.price() == null && change.stopPrice() == null && change.pegOffset() == null
      && change.trailAmount() == null && change.expiryDate() == null && change.quantity() != null;
    String why = "only a lower quantity may be set on an order; cancels still work";
    if (!onlyQuantity) return Future.failedFuture(halted(halt, why));
    return orders.findVisible(req.caller(), UUID.fromString(req.path("id"))).compose(o ->
      o == null || change.quantity().compareTo(o.quantity()) <= 0 ? Future.<Void>succeededFuture() // unknown: the command says 404
        : Future.failedFuture(halted(halt, why)));
  }

  private static ProblemException halted(Halt halt, String what) {
    String why = "config".equals(halt.source()) ? halt.reason() : "an admin halted this tenant's trading: " + halt.reason();
    return new ProblemException(Problem.of(ErrorCode.TRADING_HALTED, "Trading is halted (" + why + "); " + what)
      .with("haltSource", halt.source()));
  }

  private static Long ifMatch(String header) {
    if (header == null || header.isBlank() || header.trim().equals("*")) return null;
    String v = header.trim();
    if (v.startsWith("W/")) v = v.substring(2);
    v = v.replace("\"", "");
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new ProblemException(Problem.invalid(ErrorCode.VALIDATION_FAILED, "If-Match must be the order's ETag",
        List.of(new FieldError("If-Match", "INVALID_FORMAT", "If-Match must be an ETag such as \"3\""))));
    }
  }

  /** The tenant's audit trail for compliance: JSON pages, or CSV when asked with {@code Accept: text/csv}. */
  Future<Reply> tenantAudit(ApiRequest req) {
    if (!req.caller().seesWholeTenant()) {
      return Future.failedFuture(new ProblemException(Problem.of(ErrorCode.FORBIDDEN,
        "Only the compliance and admin roles may read the tenant's audit trail")));
    }
    int page = req.queryInt("page", 1);
    int limit = req.queryInt("limit", 100);
    return orders.tenantAudit(req.caller().tenant(), time(req.queryString("fromDate")), time(req.queryString("toDate")),
      page, limit).map(result -> {
        String accept = req.header("Accept");
        if (accept != null && accept.contains("text/csv")) return Reply.text(csv(result.getJsonArray("data")), "text/csv");
        return Reply.ok(result.put("page", page).put("limit", limit));
      });
  }

  private static String csv(JsonArray entries) {
    StringBuilder b = new StringBuilder("id,createdAt,orderId,accountId,eventType,fromStatus,toStatus,actor,details\r\n");
    for (Object o : entries) {
      JsonObject e = (JsonObject) o;
      b.append(e.getLong("id")).append(',').append(e.getString("createdAt")).append(',').append(e.getString("orderId"))
        .append(',').append(e.getString("accountId")).append(',').append(cell(e.getString("eventType"))).append(',')
        .append(cell(e.getString("fromStatus"))).append(',').append(cell(e.getString("toStatus"))).append(',')
        .append(cell(e.getString("actor"))).append(',').append(cell(e.getJsonObject("details").encode())).append("\r\n");
    }
    return b.toString();
  }

  /** RFC 4180: quote a field holding a comma, quote or line break, doubling its quotes. */
  private static String cell(String v) {
    if (v == null) return "";
    return v.matches("(?s).*[\",\r\n].*") ? "\"" + v.replace("\"", "\"\"") + "\"" : v;
  }

  Future<Reply> cancel(ApiRequest req) {
    return cancelOne(req, req.pathUuid("id"), req.queryString("reason"))
      .map(o -> Reply.of(200, o.toApiJson(), Map.of("ETag", etag(o))));
  }

  Future<Reply> cancelPost(ApiRequest req) {
    return cancelOne(req, req.pathUuid("id"), req.body().getString("reason"))
      .map(o -> Reply.of(200, o.toApiJson(), Map.of("ETag", etag(o))));
  }

  /** One result per id, in the order given; one order's failure does not stop the others. */
  Future<Reply> bulkCancel(ApiRequest req) {
    String reason = req.queryString("reason");
    List<String> ids = List.of(req.queryString("ids").split(","));
    List<Future<JsonObject>> results = new ArrayList<>();
    for (String raw : ids) {
      String id = raw.trim();
      results.add(cancelOne(req, UUID.fromString(id), reason).transform(ar -> {
        JsonObject r = new JsonObject().put("orderId", id);
        if (ar.succeeded()) return Future.succeededFuture(r.put("ok", true).put("status", ar.result().status().wire()));
        if (ar.cause() instanceof ProblemException pe) {
          return Future.succeededFuture(r.put("ok", false).put("code", pe.problem().code().name())
            .put("detail", pe.problem().detail()));
        }
        return Future.failedFuture(ar.cause());
      }));
    }
    return Future.all(results).map(all -> {
      JsonArray out = new JsonArray();
      JsonArray cancelled = new JsonArray();
      JsonArray failed = new JsonArray();
      results.forEach(f -> {
        JsonObject r = f.result();
        out.add(r);
        if (r.getBoolean("ok")) cancelled.add(r.getString("orderId"));
        else failed.add(new JsonObject().put("orderId", r.getString("orderId")).put("code", r.getString("code"))
          .put("reason", r.getString("detail")));
      });
      return Reply.ok(new JsonObject().put("cancelled", cancelled).put("failed", failed).put("results", out));
    });
  }

  private Future<Order> cancelOne(ApiRequest req, UUID id, String reason) {
    JsonObject cmd = new JsonObject().put("caller", req.caller().toJson()).put("orderId", id.toString())
      .put("reason", reason);
    return request(OrderVerticle.CANCEL, cmd).map(v -> Order.fromBusJson(v.getJsonObject("order")));
  }

  private Future<Order> visible(ApiRequest req) {
    UUID id = req.pathUuid("id");
    return orders.findVisible(req.caller(), id).compose(o -> o == null ? notFound(id.toString()) : Future.succeededFuture(o));
  }

  private Future<JsonObject> request(String address, JsonObject cmd) {
    return bus.<JsonObject>request(address, cmd).compose(m -> BusResult.unwrap(m.body()));
  }

  static String etag(Order o) {
    return "\"" + o.version() + "\"";
  }

  private static <T> Future<T> notFound(String id) {
    return Future.failedFuture(new ProblemException(Problem.of(ErrorCode.ORDER_NOT_FOUND, "No order " + id)));
  }

  private static List<OrderStatus> statuses(String csv) {
    if (csv == null) return null;
    List<OrderStatus> list = new ArrayList<>();
    for (String s : csv.split(",")) {
      try {
        list.add(OrderStatus.fromWire(s.trim()));
      } catch (IllegalArgumentException e) {
        throw new ProblemException(Problem.invalid(ErrorCode.VALIDATION_FAILED, "Unknown status '" + s + "'",
          List.of(new FieldError("statuses", "NOT_ONE_OF", "'" + s + "' is not an order status"))));
      }
    }
    return list;
  }

  private static Side side(String s) {
    return s == null ? null : Side.fromWire(s);
  }

  private static Instant time(String s) {
    return s == null ? null : OffsetDateTime.parse(s).toInstant();
  }
}
