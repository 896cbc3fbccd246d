package io.orion.oms.bench;

import io.orion.oms.OrionApp;
import io.orion.oms.config.ConfigLoader;
import io.orion.oms.config.OrionConfig;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/** The whole service the smoke tests run a generator against: embedded PostgreSQL without fsync, rate limits off. */
final class SmokeService {
  private SmokeService() {}

  /** Started on a free port with its data (and its embedded PostgreSQL) in a fresh temporary directory. */
  static OrionApp start() throws Exception {
    Path dataDir = Files.createTempDirectory("orion-bench-smoke");
    JsonObject json = ConfigLoader.loadJson(Map.of())
      .put("dataDir", dataDir.toString())
      .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 0).put("instances", 1))
      .put("database", new JsonObject().put("poolSize", 8).put("embeddedDurable", false))
      .put("rateLimits", new JsonObject().put("enabled", false));
    return new OrionApp(OrionConfig.fromJson(json), Clock.systemUTC()).start();
  }
}
