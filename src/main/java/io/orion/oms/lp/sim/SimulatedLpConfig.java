package io.orion.oms.lp.sim;

import io.orion.oms.config.ConfigException;
import io.orion.oms.config.Conf;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;

/**
 * One simulated liquidity provider. Sizes scale per instrument: a book level holds
 * {@code lotSize * sizePerLevelLots} (whole lots, so every fill is a multiple of the lot size). Rates are
 * probabilities per order (0..1). {@code port} 0 picks a free port at first start and keeps it across
 * {@link SimulatedLp#stop()}/{@link SimulatedLp#start()}; {@code seed} makes prices and dice repeatable.
 */
public record SimulatedLpConfig(String id, String name, String host, int port, String lpCompId, String omsCompId,
                                BigDecimal spreadBps, int depthLevels, long sizePerLevelLots, long latencyMs,
                                double rejectRate, double timeoutRate, double partialFillRate, long quoteIntervalMs,
                                Long seed) {

  public SimulatedLpConfig {
    require(id != null && id.matches("[A-Za-z0-9_.-]{1,64}"), "id", "must be 1-64 of letters, digits, '_', '.', '-', got '" + id + "'");
    require(host != null && !host.isBlank(), "host", "is required");
    require(port >= 0 && port <= 65535, "port", "must be between 0 and 65535, got " + port);
    require(lpCompId != null && !lpCompId.isBlank(), "lpCompId", "is required");
    require(omsCompId != null && !omsCompId.isBlank(), "omsCompId", "is required");
    require(!lpCompId.equals(omsCompId), "lpCompId", "must differ from omsCompId");
    require(spreadBps != null && spreadBps.signum() >= 0, "spreadBps", "must be 0 or more");
    require(depthLevels >= 1 && depthLevels <= 50, "depthLevels", "must be between 1 and 50, got " + depthLevels);
    require(sizePerLevelLots >= 1, "sizePerLevelLots", "must be a whole number of lots, 1 or more, got " + sizePerLevelLots);
    require(latencyMs >= 0, "latencyMs", "must be 0 or more");
    require(quoteIntervalMs >= 10, "quoteIntervalMs", "must be at least 10");
    for (var r : new Object[][] {{"rejectRate", rejectRate}, {"timeoutRate", timeoutRate}, {"partialFillRate", partialFillRate}}) {
      double d = (Double) r[1];
      require(d >= 0 && d <= 1, (String) r[0], "must be between 0 and 1, got " + d);
    }
    if (name == null || name.isBlank()) name = id;
  }

  private static void require(boolean ok, String key, String problem) {
    if (!ok) throw new ConfigException(key, problem);
  }

  /** Defaults: a liquid, quick LP that never misbehaves; tests and configs turn the knobs they need. */
  public static SimulatedLpConfig defaults(String id, String lpCompId) {
    return new SimulatedLpConfig(id, id, "127.0.0.1", 0, lpCompId, "ORION", new BigDecimal("2"), 5,
      100, 1, 0, 0, 0, 250, null);
  }

  public static SimulatedLpConfig fromJson(JsonObject json) {
    return fromJson(json, "");
  }

  /** {@code keyPrefix} (e.g. {@code simulator.lps[0]}) makes errors name the full key. */
  public static SimulatedLpConfig fromJson(JsonObject json, String keyPrefix) {
    Conf c = new Conf(json, keyPrefix);
    String id = c.requiredString("id");
    if (!id.matches("[A-Za-z0-9_.-]{1,64}")) throw new ConfigException(c.key("id"), "must be 1-64 of letters, digits, '_', '.', '-', got '" + id + "'");
    String lpCompId = c.string("lpCompId", id.replaceAll("[^A-Za-z0-9]", "").toUpperCase());
    String omsCompId = c.string("omsCompId", "ORION");
    if (lpCompId.equals(omsCompId)) throw new ConfigException(c.key("lpCompId"), "must differ from omsCompId '" + omsCompId + "'");
    return new SimulatedLpConfig(id, c.string("name", id), c.string("host", "127.0.0.1"),
      (int) c.longValue("port", 0, 0, 65535), lpCompId, omsCompId,
      c.decimal("spreadBps", new BigDecimal("2"), BigDecimal.ZERO),
      (int) c.longValue("depthLevels", 5, 1, 50),
      c.longValue("sizePerLevelLots", 100, 1, 1_000_000_000),
      c.longValue("latencyMs", 1, 0, 600_000), c.rate("rejectRate", 0), c.rate("timeoutRate", 0),
      c.rate("partialFillRate", 0), c.longValue("quoteIntervalMs", 250, 10, 3_600_000), c.optionalLong("seed"));
  }

  public SimulatedLpConfig withPort(int newPort) {
    return new SimulatedLpConfig(id, name, host, newPort, lpCompId, omsCompId, spreadBps, depthLevels, sizePerLevelLots,
      latencyMs, rejectRate, timeoutRate, partialFillRate, quoteIntervalMs, seed);
  }

  public SimulatedLpConfig withQuoteIntervalMs(long ms) {
    return new SimulatedLpConfig(id, name, host, port, lpCompId, omsCompId, spreadBps, depthLevels, sizePerLevelLots,
      latencyMs, rejectRate, timeoutRate, partialFillRate, ms, seed);
  }

  public JsonObject toJson() {
    JsonObject j = new JsonObject().put("id", id).put("name", name).put("host", host).put("port", port)
      .put("lpCompId", lpCompId).put("omsCompId", omsCompId).put("spreadBps", spreadBps.toPlainString())
      .put("depthLevels", depthLevels).put("sizePerLevelLots", sizePerLevelLots)
      .put("latencyMs", latencyMs).put("rejectRate", rejectRate).put("timeoutRate", timeoutRate)
      .put("partialFillRate", partialFillRate).put("quoteIntervalMs", quoteIntervalMs);
    if (seed != null) j.put("seed", seed);
    return j;
  }
}
