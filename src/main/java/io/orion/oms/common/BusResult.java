package io.orion.oms.common;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * The reply envelope of every request on the event bus: either {@code {"ok":true,"value":...}} or
 * {@code {"ok":false,"problem":...}}. Business failures travel as values so that a rejected order is a
 * normal reply, not a bus failure; bus failures are left for real faults (timeouts, no handler).
 */
public final class BusResult {
  private BusResult() {}

  public static JsonObject ok(JsonObject value) {
    return new JsonObject().put("ok", true).put("value", value);
  }

  public static JsonObject fail(Problem problem) {
    return new JsonObject().put("ok", false).put("problem", problem.toJson());
  }

  /** Unwraps a reply: the value, or a failed future with a {@link ProblemException}. */
  public static Future<JsonObject> unwrap(JsonObject reply) {
    if (reply.getBoolean("ok", false)) {
      return Future.succeededFuture(reply.getJsonObject("value"));
    }
    return Future.failedFuture(new ProblemException(Problem.fromJson(reply.getJsonObject("problem"))));
  }
}
