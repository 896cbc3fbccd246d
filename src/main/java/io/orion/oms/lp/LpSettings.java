package io.orion.oms.lp;

import io.orion.oms.config.Conf;
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
    Conf c = new Conf(j, key);
    String id = c.requiredString("id");
    if (!id.matches("[a-zA-Z0-9_-]{1,32}")) {
      throw new ConfigException(c.key("id"), "must be 1-32 letters, digits, '-' or '_', got '" + id + "'");
    }
    Conf circuit = new Conf(j.getJsonObject("circuit"), c.key("circuit"));
    return new LpSettings(id, c.string("name", id), c.string("type", "fix"),
      c.integer("callTimeoutMs", 2000, 1, 600_000), circuit.integer("maxFailures", 5, 1, 1000),
      circuit.integer("resetTimeoutMs", 30_000, 1, 3_600_000), j.getJsonObject("fix", new JsonObject()));
  }
}
