package io.orion.oms.api;

import io.vertx.core.json.JsonObject;

import java.util.Map;

/** What an operation answers: status, JSON body and extra headers. Stored as-is for idempotent replays. */
public record Reply(int status, JsonObject body, Map<String, String> headers) {

  public static Reply ok(JsonObject body) {
    return new Reply(200, body, Map.of());
  }

  public static Reply of(int status, JsonObject body, Map<String, String> headers) {
    return new Reply(status, body, headers);
  }
}
