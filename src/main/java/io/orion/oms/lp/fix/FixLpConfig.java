package io.orion.oms.lp.fix;

import io.orion.oms.config.ConfigException;
import io.orion.oms.config.Conf;
import io.vertx.core.json.JsonObject;
import quickfix.SessionSettings;

import java.nio.file.Path;

/**
 * How to reach one LP over FIX 4.4. {@code reconnectInterval} uses QuickFIX/J's syntax: seconds separated by
 * {@code ;}, {@code NxS} meaning N attempts S seconds apart, the last value repeating
 * ({@code "3x1;5x5;30"}: three after 1 s, five after 5 s, then every 30 s). {@code storeDir} keeps the
 * session's sequence numbers and sent messages; {@code dataDictionary} is a file or classpath resource, one per
 * LP when an LP uses its own enum values.
 */
public record FixLpConfig(String id, String host, int port, String senderCompId, String targetCompId,
                          int heartbeatSeconds, String reconnectInterval, Path storeDir, String dataDictionary) {

  public static final String DEFAULT_RECONNECT = "3x1;5x5;30";

  public FixLpConfig {
    require(id != null && id.matches("[A-Za-z0-9_.-]{1,64}"), "id", "must be 1-64 of letters, digits, '_', '.', '-', got '" + id + "'");
    require(host != null && !host.isBlank(), "host", "is required");
    require(port >= 1 && port <= 65535, "port", "must be between 1 and 65535, got " + port);
    require(senderCompId != null && !senderCompId.isBlank(), "senderCompId", "is required");
    require(targetCompId != null && !targetCompId.isBlank(), "targetCompId", "is required");
    require(heartbeatSeconds >= 1 && heartbeatSeconds <= 300, "heartbeatSeconds", "must be between 1 and 300, got " + heartbeatSeconds);
    require(validReconnect(reconnectInterval), "reconnectInterval", "must look like '3x1;5x5;30' (seconds; NxS = N tries S seconds apart), got '" + reconnectInterval + "'");
    require(storeDir != null, "storeDir", "is required");
    if (dataDictionary == null || dataDictionary.isBlank()) dataDictionary = "FIX44.xml";
  }

  private static void require(boolean ok, String key, String problem) {
    if (!ok) throw new ConfigException(key, problem);
  }

  static boolean validReconnect(String s) {
    if (s == null || !s.trim().matches("\\d+(x\\d+)?(\\s*;\\s*\\d+(x\\d+)?)*")) return false;
    try {
      int[] v = SessionSettings.parseSettingReconnectInterval(s.trim().replace(" ", ""));
      if (v == null || v.length == 0) return false;
      for (int i : v) if (i < 1) return false;
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  public static FixLpConfig fromJson(JsonObject json) {
    return fromJson(json, "");
  }

  /** {@code keyPrefix} (e.g. {@code lps[1]}) makes errors name the full key; {@code storeDir} defaults to {@code ./data/fix/<id>}. */
  public static FixLpConfig fromJson(JsonObject json, String keyPrefix) {
    Conf c = new Conf(json, keyPrefix);
    String id = c.requiredString("id");
    if (!id.matches("[A-Za-z0-9_.-]{1,64}")) throw new ConfigException(c.key("id"), "must be 1-64 of letters, digits, '_', '.', '-', got '" + id + "'");
    String reconnect = c.string("reconnectInterval", DEFAULT_RECONNECT);
    if (!validReconnect(reconnect)) {
      throw new ConfigException(c.key("reconnectInterval"), "must look like '3x1;5x5;30' (seconds; NxS = N tries S seconds apart), got '" + reconnect + "'");
    }
    String sender = c.string("senderCompId", "ORION");
    String target = c.requiredString("targetCompId");
    if (sender.equals(target)) throw new ConfigException(c.key("targetCompId"), "must differ from senderCompId '" + sender + "'");
    if (json == null || json.getValue("port") == null) throw new ConfigException(c.key("port"), "is required");
    String store = c.string("storeDir", null);
    return new FixLpConfig(id, c.string("host", "127.0.0.1"), (int) c.longValue("port", 0, 1, 65535), sender, target,
      (int) c.longValue("heartbeatSeconds", 5, 1, 300), reconnect.replace(" ", ""),
      store == null ? Path.of("data", "fix", id).toAbsolutePath().normalize() : Path.of(store).toAbsolutePath().normalize(),
      c.string("dataDictionary", "FIX44.xml"));
  }

  public FixLpConfig withStoreDir(Path dir) {
    return new FixLpConfig(id, host, port, senderCompId, targetCompId, heartbeatSeconds, reconnectInterval, dir, dataDictionary);
  }
}
