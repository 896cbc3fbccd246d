package io.orion.oms.api;

import io.orion.oms.common.ErrorCode;
import io.orion.oms.common.FieldError;
import io.orion.oms.common.Problem;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Renders a {@link Problem} as an RFC 9457 {@code application/problem+json} body. */
public final class Problems {
  public static final String MEDIA_TYPE = "application/problem+json";

  private Problems() {}

  public static JsonObject body(Problem p, String instance, String errorId) {
    ErrorCode code = p.code();
    JsonObject json = new JsonObject()
      .put("type", "urn:orion-oms:problem:" + code.name().toLowerCase().replace('_', '-'))
      .put("title", code.title())
      .put("status", code.httpStatus())
      .put("detail", p.detail())
      .put("instance", instance)
      .put("code", code.name());
    if (!p.errors().isEmpty()) {
      JsonArray errs = new JsonArray();
      for (FieldError e : p.errors()) errs.add(e.toJson());
      json.put("errors", errs);
    }
    p.extensions().forEach(e -> {
      if (!json.containsKey(e.getKey())) json.put(e.getKey(), e.getValue());
    });
    if (errorId != null) json.put("errorId", errorId);
    return json;
  }
}
