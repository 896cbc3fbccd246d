package io.orion.oms.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.EnumSet;
import java.util.Set;

/** Who is asking: taken from a verified token, carried with every command on the event bus. */
public record Caller(String tenant, String userId, Set<Role> roles) {

  public Caller {
    roles = roles.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(roles));
  }

  public boolean has(Role role) {
    return roles.contains(role);
  }

  /** Admins and compliance officers see every account of their tenant. */
  public boolean seesWholeTenant() {
    return has(Role.ADMIN) || has(Role.COMPLIANCE);
  }

  public JsonObject toJson() {
    JsonArray r = new JsonArray();
    roles.forEach(x -> r.add(x.claim()));
    return new JsonObject().put("tenant", tenant).put("userId", userId).put("roles", r);
  }

  public static Caller fromJson(JsonObject json) {
    EnumSet<Role> roles = EnumSet.noneOf(Role.class);
    json.getJsonArray("roles", new JsonArray()).forEach(o -> {
      Role r = Role.fromClaim(String.valueOf(o));
      if (r != null) roles.add(r);
    });
    return new Caller(json.getString("tenant"), json.getString("userId"), roles);
  }

  /**
   * Reads a verified token's claims; null when a required claim is missing (the token is then refused
   * as a whole: a token without tenant or expiry must never act as "everyone").
   */
  public static Caller fromClaims(JsonObject claims) {
    String sub = claims.getString("sub");
    Object tenant = claims.getValue("tenant");
    if (sub == null || sub.isBlank() || !(tenant instanceof String t) || t.isBlank() || claims.getValue("exp") == null) {
      return null;
    }
    EnumSet<Role> roles = EnumSet.noneOf(Role.class);
    Object raw = claims.getValue("roles");
    if (raw instanceof JsonArray arr) {
      arr.forEach(o -> {
        Role r = Role.fromClaim(String.valueOf(o));
        if (r != null) roles.add(r);
      });
    } else if (raw instanceof String s) {
      for (String part : s.split("[ ,]+")) {
        Role r = Role.fromClaim(part);
        if (r != null) roles.add(r);
      }
    }
    return new Caller(t, sub, roles);
  }
}
