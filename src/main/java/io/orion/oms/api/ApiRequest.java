package io.orion.oms.api;

import io.orion.oms.auth.Caller;
import io.orion.oms.common.DecimalJson;
import io.orion.oms.common.ErrorCode;
import io.orion.oms.common.FieldError;
import io.orion.oms.common.Problem;
import io.orion.oms.common.ProblemException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;

import java.util.ArrayList;
import java.util.List;
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
      List<FieldError> nul = new ArrayList<>();
      findNul(body, "", nul);
      if (!nul.isEmpty()) {
        throw new ProblemException(Problem.invalid(ErrorCode.VALIDATION_FAILED, "Text may not contain NUL characters", nul));
      }
    }
    return body;
  }

  /** NUL cannot be stored in PostgreSQL text or jsonb: refuse it up front, naming the field. */
  static void findNul(Object value, String path, List<FieldError> out) {
    if (value instanceof String s && s.indexOf('\0') >= 0) {
      out.add(new FieldError(path.isEmpty() ? "body" : path, "INVALID_CHARACTER", "must not contain NUL characters"));
    } else if (value instanceof JsonObject o) {
      o.forEach(e -> {
        if (e.getKey().indexOf('\0') >= 0) out.add(new FieldError(path.isEmpty() ? "body" : path, "INVALID_CHARACTER",
          "property names must not contain NUL characters"));
        findNul(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey(), out);
      });
    } else if (value instanceof io.vertx.core.json.JsonArray a) {
      for (int i = 0; i < a.size(); i++) findNul(a.getValue(i), path + "[" + i + "]", out);
    }
  }

  /** The same check for query and path values. */
  List<FieldError> nulInParameters() {
    List<FieldError> out = new ArrayList<>();
    ctx.queryParams().forEach(e -> findNul(e.getValue(), e.getKey(), out));
    ctx.pathParams().forEach((k, v) -> findNul(v, k, out));
    return out;
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
