package io.orion.oms.events;

import io.orion.oms.auth.Caller;

import java.time.Instant;

/** Who holds a stream connection, and when the token behind it expires (the connection is closed then). */
public record StreamPrincipal(Caller caller, Instant expiresAt) {

  /** tenant + user: the unit of the per-user connection limit. */
  public String userKey() {
    return caller.tenant() + "\u0000" + caller.userId();
  }
}
