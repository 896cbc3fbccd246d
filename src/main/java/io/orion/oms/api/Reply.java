package io.orion.oms.api;

import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * What an operation answers: status, JSON body and extra headers. Stored as-is for idempotent replays.
 * {@code text} replaces the JSON body for the few answers that are not JSON (CSV exports).
 */
public record Reply(int status, JsonObject body, Map<String, String> headers, String text, String textType) {

  public Reply(int status, JsonObject body, Map<String, String> headers) {
    this(status, body, headers, null, null);
  }

  public static Reply text(String text, String contentType) {
    return new Reply(200, null, Map.of(), text, contentType);
  }

  public static Reply ok(JsonObject body) {
    return new Reply(200, body, Map.of());
  }

  public static Reply of(int status, JsonObject body, Map<String, String> headers) {
    return new Reply(status, body, headers);
  }
}
