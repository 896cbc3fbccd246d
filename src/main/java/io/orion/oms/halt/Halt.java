package io.orion.oms.halt;

import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * Trading halted for a tenant: by an admin ({@code source} "admin", stored), or for every tenant by
 * {@code orders.executionEnabled: false} ({@code source} "config", {@code tenant} null).
 */
public record Halt(String tenant, String reason, String haltedBy, Instant haltedAt, String source) {

  public JsonObject toApiJson(String askedTenant) {
    return new JsonObject().put("tenant", askedTenant).put("halted", true).put("source", source).put("reason", reason)
      .put("haltedBy", haltedBy).put("haltedAt", haltedAt == null ? null : haltedAt.toString());
  }

  public static JsonObject notHalted(String tenant) {
    return new JsonObject().put("tenant", tenant).put("halted", false).putNull("source").putNull("reason")
      .putNull("haltedBy").putNull("haltedAt");
  }
}
