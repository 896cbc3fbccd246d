package io.orion.oms.api;

import io.orion.oms.auth.Caller;
import io.orion.oms.common.DecimalJson;
import io.orion.oms.common.ErrorCode;
import io.orion.oms.common.Problem;
import io.orion.oms.common.ProblemException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;

import java.util.UUID;

import static io.vertx.ext.web.openapi.router.RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST;

/** One request as an operation sees it: the verified caller, the validated parameters and the body. */
public final class ApiRequest {
  private final RoutingContext ctx;
  private final Caller caller;
  private JsonObject body;

  ApiRequest(RoutingContext ctx, Caller caller) {
    this.ctx = ctx;
    this.caller = caller;
  }

  public Caller caller() {
    return caller;
  }

  public RoutingContext context() {
    return ctx;
  }

  /** The JSON body with decimals kept exact; an empty object when there is none. */
  public JsonObject body() {
    if (body == null) {
      boolean none = ctx.body() == null || ctx.body().buffer() == null || ctx.body().buffer().length() == 0;
      body = none ? new JsonObject() : DecimalJson.parseObject(ctx.body().buffer());
    }
    return body;
  }

  public UUID pathUuid(String name) {
    return UUID.fromString(ctx.pathParam(name));
  }

  public String path(String name) {
    return ctx.pathParam(name);
  }

  /** A query parameter as the contract validated and typed it (Integer, String...), or null. */
  public Object query(String name) {
    ValidatedRequest v = ctx.get(KEY_META_DATA_VALIDATED_REQUEST);
    if (v == null) return ctx.queryParams().get(name);
    RequestParameter p = v.getQuery().get(name);
    return p == null || p.isNull() ? null : p.get();
  }

  public String queryString(String name) {
    Object v = query(name);
    return v == null ? null : v.toString();
  }

  public int queryInt(String name, int def) {
    Object v = query(name);
    return v instanceof Number n ? n.intValue() : v == null ? def : Integer.parseInt(v.toString());
  }

  public String header(String name) {
    return ctx.request().getHeader(name);
  }

  public static ProblemException problem(ErrorCode code, String detail) {
    return new ProblemException(Problem.of(code, detail));
  }
}
