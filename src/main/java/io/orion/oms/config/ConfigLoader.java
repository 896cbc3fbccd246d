package io.orion.oms.config;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Loads {@code orion.json} from the configuration directory ({@code ORION_CONF_DIR}, default {@code ./conf},
 * falling back to the copy packed in the jar) and applies the {@code ORION_*} environment overrides.
 */
public final class ConfigLoader {

  /** Environment variable → JSON path. The one place that says which variables exist. */
  public static final Map<String, String> ENV_KEYS = envKeys();

  private static Map<String, String> envKeys() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("ORION_DATA_DIR", "dataDir");
    m.put("ORION_HTTP_HOST", "http.host");
    m.put("ORION_HTTP_PORT", "http.port");
    m.put("ORION_HTTP_INSTANCES", "http.instances");
    m.put("ORION_PUBLIC_URL", "http.publicUrl");
    m.put("ORION_PG_URL", "database.url");
    m.put("ORION_PG_POOL_SIZE", "database.poolSize");
    m.put("ORION_PG_EMBEDDED_DURABLE", "database.embeddedDurable");
    m.put("ORION_REDIS_URL", "redis.url");
    m.put("ORION_REDIS_KEY_PREFIX", "redis.keyPrefix");
    m.put("ORION_JWT_ALGORITHM", "jwt.algorithm");
    m.put("ORION_JWT_ISSUER", "jwt.issuer");
    m.put("ORION_JWT_AUDIENCE", "jwt.audience");
    m.put("ORION_JWT_SECRET", "jwt.secret");
    m.put("ORION_JWT_PUBLIC_KEY_PEM", "jwt.publicKeyPem");
    m.put("ORION_JWT_LEEWAY_SECONDS", "jwt.leewaySeconds");
    m.put("ORION_DEMO_ENABLED", "demo.enabled");
    m.put("ORION_ORDER_EXECUTION_ENABLED", "orders.executionEnabled");
    m.put("ORION_RATE_LIMITS_ENABLED", "rateLimits.enabled");
    m.put("ORION_RATE_LIMIT_WINDOW_MS", "rateLimits.windowMs");
    m.put("ORION_METRICS_SAMPLE_INTERVAL_MS", "metrics.sampleIntervalMs");
    m.put("ORION_SHUTDOWN_DRAIN_TIMEOUT_MS", "shutdown.drainTimeoutMs");
    m.put("ORION_EVENT_LOOPS", "threads.eventLoops");
    m.put("ORION_STREAM_TICKET_TTL_MS", "streaming.ticketTtlMs");
    m.put("ORION_STREAM_MAX_CONNECTIONS_PER_USER", "streaming.maxConnectionsPerUser");
    m.put("ORION_STREAM_SEND_QUEUE_MAX_MESSAGES", "streaming.sendQueueMaxMessages");
    m.put("ORION_STREAM_HEARTBEAT_INTERVAL_MS", "streaming.heartbeatIntervalMs");
    m.put("ORION_STREAM_RETENTION_HOURS", "streaming.retentionHours");
    m.put("ORION_STREAM_REPLAY_MAX_EVENTS", "streaming.replayMaxEvents");
    m.put("ORION_STREAM_PUBLISH_INTERVAL_MS", "streaming.publishIntervalMs");
    m.put("ORION_STREAM_DRAIN_SPACING_MS", "streaming.drainSpacingMs");
    m.put("ORION_STREAM_ALLOWED_ORIGINS", "streaming.allowedOrigins");
    return Map.copyOf(m);
  }

  private ConfigLoader() {}

  public static OrionConfig load(Map<String, String> env) {
    return OrionConfig.fromJson(loadJson(env));
  }

  /** The merged JSON (file, then environment); exposed for tests that tweak single keys. */
  public static JsonObject loadJson(Map<String, String> env) {
    JsonObject json = readJson(confDir(env), "orion.json");
    applyEnv(json, env);
    return json;
  }

  public static Path confDir(Map<String, String> env) {
    return Path.of(env.getOrDefault("ORION_CONF_DIR", "conf"));
  }

  /** Reads {@code dir/name}, or the copy of {@code conf/name} packed in the jar when the file is absent. */
  public static JsonObject readJson(Path dir, String name) {
    Path file = dir.resolve(name);
    try {
      String text;
      if (Files.isRegularFile(file)) {
        text = Files.readString(file);
      } else {
        try (InputStream in = ConfigLoader.class.getResourceAsStream("/conf/" + name)) {
          if (in == null) throw new ConfigException(name, "not found in " + dir.toAbsolutePath() + " nor in the jar");
          text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
      }
      return new JsonObject(text);
    } catch (IOException e) {
      throw new ConfigException(name, "cannot be read: " + e.getMessage());
    } catch (DecodeException e) {
      throw new ConfigException(name, "is not valid JSON: " + e.getMessage());
    }
  }

  static void applyEnv(JsonObject json, Map<String, String> env) {
    ENV_KEYS.forEach((var, path) -> {
      String value = env.get(var);
      if (value != null) set(json, path, value);
    });
  }

  private static void set(JsonObject json, String path, String value) {
    String[] parts = path.split("\\.");
    JsonObject node = json;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonObject child = node.getJsonObject(parts[i]);
      if (child == null) {
        child = new JsonObject();
        node.put(parts[i], child);
      }
      node = child;
    }
    node.put(parts[parts.length - 1], value);
  }
}
