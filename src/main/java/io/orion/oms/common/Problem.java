package io.orion.oms.common;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * A failure as a value: what checks return instead of throwing, what crosses the event bus, and what
 * the API renders as RFC 9457 problem+json. {@code extensions} carries extra members (e.g. the
 * required and available amounts of INSUFFICIENT_FUNDS).
 */
public record Problem(ErrorCode code, String detail, List<FieldError> errors, JsonObject extensions) {

  public Problem {
    errors = errors == null ? List.of() : List.copyOf(errors);
    extensions = extensions == null ? new JsonObject() : extensions;
  }

  public static Problem of(ErrorCode code, String detail) {
    return new Problem(code, detail, List.of(), null);
  }

  public static Problem invalid(ErrorCode code, String detail, List<FieldError> errors) {
    return new Problem(code, detail, errors, null);
  }

  public Problem with(String member, Object value) {
    return new Problem(code, detail, errors, extensions.copy().put(member, value));
  }

  public int status() {
    return code.httpStatus();
  }

  /** The event-bus form (also the basis of the HTTP body). */
  public JsonObject toJson() {
    JsonArray errs = new JsonArray();
    errors.forEach(e -> errs.add(e.toJson()));
    return new JsonObject().put("code", code.name()).put("detail", detail).put("errors", errs)
      .put("extensions", extensions);
  }

  public static Problem fromJson(JsonObject json) {
    JsonArray errs = json.getJsonArray("errors", new JsonArray());
    List<FieldError> list = errs.stream().map(o -> FieldError.fromJson((JsonObject) o)).toList();
    return new Problem(ErrorCode.valueOf(json.getString("code")), json.getString("detail"), list,
      json.getJsonObject("extensions"));
  }
}
