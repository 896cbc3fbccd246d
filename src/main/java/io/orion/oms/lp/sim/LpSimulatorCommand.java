package io.orion.oms.lp.sim;

import io.orion.oms.config.ConfigException;
import io.orion.oms.config.ConfigLoader;
import io.orion.oms.instrument.Instrument;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar orion-oms.jar lp-sim}: runs the simulated LPs of {@code simulator.lps} (orion.json) for the
 * enabled instruments of instruments.json, prints where they listen, and blocks until the process is killed.
 * Reads the raw JSON, so it needs none of the service's other settings.
 */
public final class LpSimulatorCommand {
  /** Used when the configuration has no {@code simulator.lps}: three LPs with different prices and manners. */
  public static final String DEFAULT_LPS = """
    [
      { "id": "lp-alpha", "name": "Alpha Liquidity", "port": 9871, "lpCompId": "LPALPHA", "spreadBps": 1.0,
        "depthLevels": 5, "sizePerLevelLots": 100, "latencyMs": 2, "partialFillRate": 0.0, "quoteIntervalMs": 250 },
      { "id": "lp-beta", "name": "Beta Markets", "port": 9872, "lpCompId": "LPBETA", "spreadBps": 2.5,
        "depthLevels": 5, "sizePerLevelLots": 250, "latencyMs": 15, "partialFillRate": 0.3, "quoteIntervalMs": 400 },
      { "id": "lp-gamma", "name": "Gamma Prime", "port": 9873, "lpCompId": "LPGAMMA", "spreadBps": 4.0,
        "depthLevels": 3, "sizePerLevelLots": 50, "latencyMs": 60, "rejectRate": 0.02, "partialFillRate": 0.1,
        "quoteIntervalMs": 1000 }
    ]""";

  private LpSimulatorCommand() {}

  /** Loads the configuration as the service does (ORION_CONF_DIR, ORION_* overrides), starts, prints, blocks. */
  public static void run(Map<String, String> env) {
    JsonObject root = ConfigLoader.loadJson(env);
    List<Instrument> instruments = instruments(ConfigLoader.readJson(ConfigLoader.confDir(env), "instruments.json"));
    LpSimulator sim = start(root, instruments);
    CountDownLatch forever = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(sim::close, "lp-sim-shutdown"));
    System.out.println(describe(sim, storeDir(root)));
    try {
      forever.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Starts the LPs of {@code simulator.lps} of a whole orion.json, stores under {@link #storeDir}. */
  public static LpSimulator start(JsonObject root, List<Instrument> instruments) {
    return LpSimulator.start(lpConfigs(root), instruments, storeDir(root));
  }

  public static List<SimulatedLpConfig> lpConfigs(JsonObject root) {
    Object section = root.getValue("simulator");
    if (section != null && !(section instanceof JsonObject)) throw new ConfigException("simulator", "must be an object");
    Object lps = section == null ? null : ((JsonObject) section).getValue("lps");
    if (lps == null) lps = new JsonArray(DEFAULT_LPS);
    if (!(lps instanceof JsonArray arr)) throw new ConfigException("simulator.lps", "must be an array of LP objects");
    if (arr.isEmpty()) throw new ConfigException("simulator.lps", "must name at least one LP");
    List<SimulatedLpConfig> out = new ArrayList<>();
    for (int i = 0; i < arr.size(); i++) {
      String key = "simulator.lps[" + i + "]";
      if (!(arr.getValue(i) instanceof JsonObject o)) throw new ConfigException(key, "must be an object");
      SimulatedLpConfig c = SimulatedLpConfig.fromJson(o, key);
      if (out.stream().anyMatch(x -> x.id().equals(c.id()))) throw new ConfigException(key + ".id", "'" + c.id() + "' is used twice");
      if (c.port() != 0 && out.stream().anyMatch(x -> x.port() == c.port())) throw new ConfigException(key + ".port", c.port() + " is used twice");
      if (out.stream().anyMatch(x -> x.lpCompId().equals(c.lpCompId()))) throw new ConfigException(key + ".lpCompId", "'" + c.lpCompId() + "' is used twice");
      out.add(c);
    }
    return out;
  }

  /** {@code simulator.storeDir}, else {@code <dataDir>/lp-sim}: FIX sequence numbers and the LPs' order journals. */
  public static Path storeDir(JsonObject root) {
    JsonObject section = root.getValue("simulator") instanceof JsonObject s ? s : new JsonObject();
    String dir = section.getString("storeDir");
    if (dir != null && !dir.isBlank()) return Path.of(dir).toAbsolutePath().normalize();
    Object dataDir = root.getValue("dataDir");
    return Path.of(dataDir instanceof String s && !s.isBlank() ? s : "./data").resolve("lp-sim").toAbsolutePath().normalize();
  }

  public static List<Instrument> instruments(JsonObject instrumentsJson) {
    JsonArray arr = instrumentsJson.getJsonArray("instruments");
    if (arr == null) throw new ConfigException("instruments", "is required in instruments.json");
    List<Instrument> out = new ArrayList<>();
    for (int i = 0; i < arr.size(); i++) {
      Instrument ins = Instrument.fromConfig(arr.getJsonObject(i));
      if (ins.enabled()) out.add(ins);
    }
    return out;
  }

  public static String describe(LpSimulator sim, Path storeDir) {
    StringBuilder b = new StringBuilder("\nOrion LP simulator (FIX 4.4), store ").append(storeDir).append('\n');
    for (SimulatedLp lp : sim.lps()) {
      SimulatedLpConfig c = lp.config();
      b.append(String.format("  %-10s %-18s %s:%d  SenderCompID=%s TargetCompID=%s  spread %s bp, latency %d ms%n",
        c.id(), c.name(), c.host(), lp.port(), c.lpCompId(), c.omsCompId(), c.spreadBps().toPlainString(), c.latencyMs()));
    }
    return b.append("Stop with Ctrl-C.").toString();
  }
}
