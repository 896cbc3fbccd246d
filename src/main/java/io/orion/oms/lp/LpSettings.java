package io.orion.oms.lp;

import io.orion.oms.config.ConfigException;
import io.vertx.core.json.JsonObject;

/**
 * One configured LP as the connector sees it: identity, which adapter speaks to it ({@code type}: "fix",
 * or the class name of another {@link LpAdapter}), and its circuit breaker. {@code adapter} is handed
 * to the adapter untouched.
 */
public record LpSettings(String id, String name, String type, int callTimeoutMs, int maxFailures, int resetTimeoutMs,
                         JsonObject adapter) {

  public static LpSettings fromJson(JsonObject j, String key) {
    String id = j.getString("id");
    if (id == null || !id.matches("[a-zA-Z0-9_-]{1,32}")) {
      throw new ConfigException(key + ".id", "must be 1-32 letters, digits, '-' or '_', got '" + id + "'");
    }
    JsonObject circuit = j.getJsonObject("circuit", new JsonObject());
    return new LpSettings(id, j.getString("name", id), j.getString("type", "fix"),
      positive(j, "callTimeoutMs", 2000, key), positive(circuit, "maxFailures", 5, key + ".circuit"),
      positive(circuit, "resetTimeoutMs", 30000, key + ".circuit"), j.getJsonObject("fix", new JsonObject()));
  }

  private static int positive(JsonObject j, String name, int def, String key) {
    Object v = j.getValue(name);
    if (v == null) return def;
    if (v instanceof Number n && n.intValue() > 0 && n.doubleValue() == n.intValue()) return n.intValue();
    throw new ConfigException(key + "." + name, "must be a positive integer, got '" + v + "'");
  }
}
