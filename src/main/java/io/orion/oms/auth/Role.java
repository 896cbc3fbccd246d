package io.orion.oms.auth;

/** The roles a token may carry. Traders trade the accounts they own; viewers read them; admins and
 * compliance read the whole tenant; admins also manage accounts. */
public enum Role {
  TRADER, VIEWER, ADMIN, COMPLIANCE;

  public String claim() {
    return name().toLowerCase();
  }

  public static Role fromClaim(String s) {
    for (Role r : values()) if (r.claim().equals(s)) return r;
    return null;
  }
}
