package io.orion.oms.api;

import io.orion.oms.auth.Caller;
import io.orion.oms.auth.Role;
import io.orion.oms.common.ErrorCode;
import io.orion.oms.common.Problem;
import io.orion.oms.common.ProblemException;
import io.orion.oms.halt.Halt;
import io.orion.oms.halt.TradingHalts;
import io.vertx.core.Future;

/** The kill switch of the caller's tenant: read, halt, resume. Admins only. */
final class AdminHandlers {
  private final TradingHalts halts;

  AdminHandlers(TradingHalts halts) {
    this.halts = halts;
  }

  Future<Reply> status(ApiRequest req) {
    Caller caller = admin(req);
    Halt h = halts.haltOf(caller.tenant());
    return Future.succeededFuture(Reply.ok(h == null ? Halt.notHalted(caller.tenant()) : h.toApiJson(caller.tenant())));
  }

  /** Halts the tenant's trading; halting a halted tenant changes nothing and answers the halt in force. */
  Future<Reply> halt(ApiRequest req) {
    Caller caller = admin(req);
    String reason = req.body().getString("reason", "Halted by " + caller.userId());
    return halts.halt(caller.tenant(), reason, caller.userId()).map(h -> {
      Halt inForce = halts.haltOf(caller.tenant());
      return Reply.ok((inForce == null ? h : inForce).toApiJson(caller.tenant()));
    });
  }

  /**
   * Lifts the admin's halt. With {@code orders.executionEnabled: false} the tenant stays halted by the
   * configuration, and the answer says so.
   */
  Future<Reply> resume(ApiRequest req) {
    Caller caller = admin(req);
    return halts.resume(caller.tenant(), caller.userId()).map(was -> {
      Halt h = halts.haltOf(caller.tenant());
      return Reply.ok(h == null ? Halt.notHalted(caller.tenant()) : h.toApiJson(caller.tenant()));
    });
  }

  private static Caller admin(ApiRequest req) {
    if (!req.caller().has(Role.ADMIN)) {
      throw new ProblemException(Problem.of(ErrorCode.FORBIDDEN, "Only an admin may halt or resume trading"));
    }
    return req.caller();
  }
}
