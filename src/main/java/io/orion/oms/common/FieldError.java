package io.orion.oms.common;

import io.vertx.core.json.JsonObject;

/** One bad field of a request: {@code field} is the JSON property name (dotted for nested ones). */
public record FieldError(String field, String code, String message) {

  public JsonObject toJson() {
    return new JsonObject().put("field", field).put("code", code).put("message", message);
  }

  public static FieldError fromJson(JsonObject json) {
    return new FieldError(json.getString("field"), json.getString("code"), json.getString("message"));
  }
}
