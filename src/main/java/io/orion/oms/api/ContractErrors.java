package io.orion.oms.api;

import io.orion.oms.common.ErrorCode;
import io.orion.oms.common.FieldError;
import io.orion.oms.common.Problem;
import io.vertx.json.schema.OutputUnit;
import io.vertx.ext.web.RoutingContext;
import io.vertx.json.schema.common.dsl.SchemaType;
import io.vertx.openapi.contract.Location;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatorErrorType;
import io.vertx.openapi.validation.ValidatorException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the contract validator's rejection into a problem naming every bad field. The exception's own
 * message names one; its output unit lists them all.
 */
final class ContractErrors {
  private static final Pattern PARAM = Pattern.compile("(?:query|path|header|cookie) parameter ([\\w-]+)");
  private static final Pattern QUOTED = Pattern.compile("['\"]([^'\"]+)['\"]");

  private ContractErrors() {}

  static Problem toProblem(ValidatorException e, OpenAPIContract contract, RoutingContext ctx) {
    Object op = ctx.currentRoute() == null ? null : ctx.currentRoute().getMetadata(
      io.vertx.ext.web.openapi.router.RouterBuilder.KEY_META_DATA_OPERATION);
    if (first(PARAM, e.getMessage()) != null && contract != null && op instanceof Operation operation) {
      List<FieldError> all = allParameterErrors(contract, operation, ctx);
      if (!all.isEmpty()) {
        return Problem.invalid(ErrorCode.VALIDATION_FAILED, "The request has " + all.size() + " invalid parameter"
          + (all.size() > 1 ? "s" : "") + ": " + String.join(", ", all.stream().map(FieldError::field).toList()), all);
      }
    }
    return toProblem(e);
  }

  static Problem toProblem(ValidatorException e) {
    if (e.type() == ValidatorErrorType.UNSUPPORTED_VALUE_FORMAT && String.valueOf(e.getMessage()).contains("body")) {
      return Problem.of(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Send the request body as application/json");
    }
    if (e.type() == ValidatorErrorType.ILLEGAL_VALUE && !(e instanceof SchemaValidationException)
      && first(PARAM, e.getMessage()) == null) {
      return Problem.of(ErrorCode.MALFORMED_REQUEST, "The request body is not valid JSON: " + e.getMessage());
    }
    Map<String, FieldError> byField = new LinkedHashMap<>();
    Map<String, Integer> rank = new java.util.HashMap<>();
    String param = first(PARAM, e.getMessage());
    if (e instanceof SchemaValidationException sve && sve.getOutputUnit() != null) {
      List<OutputUnit> errors = sve.getOutputUnit().getErrors();
      if (errors != null) {
        for (OutputUnit u : errors) {
          String field = param != null ? param : field(u);
          // keep the most specific error per field: a pattern or enum says more than "additional properties"
          int r = rank(u);
          if (r >= rank.getOrDefault(field, -1)) {
            rank.put(field, r);
            byField.put(field, new FieldError(field, keyword(u), u.getError()));
          }
        }
      }
    }
    if (byField.isEmpty()) {
      String field = param != null ? param : "body";
      byField.put(field, new FieldError(field, "INVALID", e.getMessage()));
    }
    List<FieldError> list = List.copyOf(byField.values());
    return Problem.invalid(ErrorCode.VALIDATION_FAILED, "The request has " + list.size() + " invalid field"
      + (list.size() > 1 ? "s" : "") + ": " + String.join(", ", byField.keySet()), list);
  }

  /**
   * The validator stops at the first bad parameter; to name every bad one, each query and path
   * parameter of the operation is checked again on its own against its schema.
   */
  static List<FieldError> allParameterErrors(OpenAPIContract contract, Operation op, RoutingContext ctx) {
    List<FieldError> out = new java.util.ArrayList<>();
    for (Parameter p : op.getParameters()) {
      String raw = switch (p.getIn()) {
        case QUERY -> ctx.queryParams().get(p.getName());
        case PATH -> ctx.pathParam(p.getName());
        default -> null;
      };
      if (p.getIn() != Location.QUERY && p.getIn() != Location.PATH) continue;
      if (raw == null) {
        if (p.isRequired()) out.add(new FieldError(p.getName(), "REQUIRED", p.getName() + " is required"));
        continue;
      }
      OutputUnit result = contract.getSchemaRepository().validator(p.getSchema()).validate(coerce(raw, p.getSchemaType()));
      if (!Boolean.TRUE.equals(result.getValid())) {
        List<OutputUnit> errs = result.getErrors();
        OutputUnit worst = errs == null || errs.isEmpty() ? result : errs.get(errs.size() - 1);
        out.add(new FieldError(p.getName(), keyword(worst), worst.getError()));
      }
    }
    return out;
  }

  private static Object coerce(String raw, SchemaType type) {
    try {
      return switch (type) {
        case INTEGER -> Long.parseLong(raw);
        case NUMBER -> Double.parseDouble(raw);
        case BOOLEAN -> raw.equals("true") || raw.equals("false") ? Boolean.parseBoolean(raw) : raw;
        default -> raw;
      };
    } catch (NumberFormatException e) {
      return raw; // the schema then says what type it wanted
    }
  }

  /** JSON pointer of the instance ("/riskLimits/maxOrderNotional") as a dotted field name. */
  private static String field(OutputUnit u) {
    String loc = u.getInstanceLocation() == null ? "" : u.getInstanceLocation();
    loc = loc.replaceFirst("^#", "").replaceFirst("^/", "").replace('/', '.');
    String keyword = u.getKeywordLocation() == null ? "" : u.getKeywordLocation();
    if (keyword.endsWith("/required") || keyword.endsWith("/additionalProperties")
      || keyword.endsWith("/unevaluatedProperties")) {
      String name = first(QUOTED, u.getError());
      if (name != null && !loc.equals(name) && !loc.endsWith("." + name)) return loc.isEmpty() ? name : loc + "." + name;
    }
    return loc.isEmpty() ? "body" : loc;
  }

  private static int rank(OutputUnit u) {
    String k = u.getKeywordLocation() == null ? "" : u.getKeywordLocation();
    String last = k.substring(k.lastIndexOf('/') + 1);
    return switch (last) {
      case "additionalProperties", "unevaluatedProperties" -> 0;
      case "anyOf", "oneOf", "allOf", "properties", "$ref", "items", "" -> 1;
      default -> 2;
    };
  }

  private static String keyword(OutputUnit u) {
    String k = u.getKeywordLocation() == null ? "" : u.getKeywordLocation();
    int i = k.lastIndexOf('/');
    String last = i >= 0 ? k.substring(i + 1) : k;
    return switch (last) {
      case "required" -> "REQUIRED";
      case "additionalProperties", "unevaluatedProperties" -> "NOT_ALLOWED";
      case "enum", "const" -> "NOT_ONE_OF";
      case "type" -> "WRONG_TYPE";
      case "format" -> "INVALID_FORMAT";
      case "pattern" -> "INVALID_FORMAT";
      case "minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum" -> "OUT_OF_RANGE";
      case "minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties" -> "INVALID_LENGTH";
      default -> "INVALID";
    };
  }

  private static String first(Pattern p, String text) {
    if (text == null) return null;
    Matcher m = p.matcher(text);
    return m.find() ? m.group(1) : null;
  }
}
