package io.orion.oms.api;

import io.orion.oms.account.AccountRepository;
import io.orion.oms.account.Position;
import io.orion.oms.account.PositionRepository;
import io.orion.oms.common.BusResult;
import io.orion.oms.routing.RoutingVerticle;
import io.orion.oms.auth.Role;
import io.orion.oms.common.Decimals;
import io.orion.oms.common.ErrorCode;
import io.orion.oms.common.Problem;
import io.orion.oms.common.ProblemException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.time.Clock;
import java.util.Map;

/** Account operations. Creating an account is an admin's act and touches no order, so it is written here directly. */
final class AccountHandlers {
  private final AccountRepository accounts;
  private final PositionRepository positions = new PositionRepository();
  private final io.vertx.sqlclient.Pool pool;
  private final io.vertx.core.eventbus.EventBus bus;
  private final Clock clock;

  AccountHandlers(AccountRepository accounts, io.vertx.sqlclient.Pool pool, io.vertx.core.eventbus.EventBus bus,
                  Clock clock) {
    this.accounts = accounts;
    this.pool = pool;
    this.bus = bus;
    this.clock = clock;
  }

  Future<Reply> create(ApiRequest req) {
    if (!req.caller().has(Role.ADMIN)) {
      return Future.failedFuture(new ProblemException(Problem.of(ErrorCode.FORBIDDEN, "Only an admin may create accounts")));
    }
    JsonObject b = req.body();
    JsonObject limits = b.getJsonObject("riskLimits", new JsonObject());
    BigDecimal balance = b.getValue("balance") == null ? BigDecimal.ZERO : Decimals.parse(b.getValue("balance"));
    return accounts.create(req.caller().tenant(), b.getString("ownerId"), b.getString("name"), b.getString("currency"),
        balance, Decimals.parse(limits.getValue("maxOrderNotional")), Decimals.parse(limits.getValue("maxPositionQuantity")),
        clock.instant())
      .map(a -> Reply.of(201, a.toApiJson(), Map.of("Location", "/api/v1/accounts/" + a.id())));
  }

  Future<Reply> list(ApiRequest req) {
    return accounts.listVisible(req.caller()).map(list -> {
      JsonArray data = new JsonArray();
      list.forEach(a -> data.add(a.toApiJson()));
      return Reply.ok(new JsonObject().put("data", data));
    });
  }

  /**
   * The account's positions, marked to the mid of the best fresh quotes: unrealized P&L is
   * (mark − average price) × quantity in the instrument's quote currency; null without a live mark.
   */
  Future<Reply> positions(ApiRequest req) {
    return accounts.findVisible(req.caller(), req.pathUuid("id")).compose(a -> a == null
      ? Future.failedFuture(new ProblemException(Problem.of(ErrorCode.ACCOUNT_NOT_FOUND, "No account " + req.path("id"))))
      : positions.byAccount(pool, a.id())).compose(list -> {
        JsonArray ids = new JsonArray();
        list.forEach(p -> ids.add(p.instrumentId()));
        return bus.<JsonObject>request(RoutingVerticle.MARKS, new JsonObject().put("instruments", ids))
          .compose(m -> BusResult.unwrap(m.body()))
          .map(v -> {
            JsonObject marks = v.getJsonObject("marks");
            JsonArray data = new JsonArray();
            for (Position p : list) {
              JsonObject j = p.toApiJson();
              String mark = marks.getString(p.instrumentId());
              BigDecimal markPrice = mark == null ? null : new BigDecimal(mark);
              j.put("markPrice", markPrice).put("unrealizedPnl", markPrice == null || p.averagePrice() == null ? null
                : markPrice.subtract(p.averagePrice()).multiply(p.quantity()));
              data.add(j);
            }
            return Reply.ok(new JsonObject().put("data", data));
          });
      });
  }

  Future<Reply> get(ApiRequest req) {
    return accounts.findVisible(req.caller(), req.pathUuid("id")).compose(a -> a == null
      ? Future.failedFuture(new ProblemException(Problem.of(ErrorCode.ACCOUNT_NOT_FOUND, "No account " + req.path("id"))))
      : Future.succeededFuture(Reply.ok(a.toApiJson())));
  }
}
