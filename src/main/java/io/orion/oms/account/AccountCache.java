package io.orion.oms.account;

import io.orion.oms.auth.Caller;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The accounts a submission needs, kept after their first read so that an order costs no read of its account.
 * What a submission decides on is fixed when an account is created: its tenant, owner, currency and risk limits (no
 * API changes them). Its balance is not, so a balance from here is never the last word: funds are taken under the
 * account's row lock when the order is written, and a risk rejection is decided again on a fresh read
 * ({@link #refresh}). Each node keeps its own; nothing needs invalidating across a cluster, since what it is
 * trusted for does not change. Bounded (least recently used out first); confined to one event loop.
 */
public final class AccountCache {
  private final AccountRepository accounts;
  private final SqlClient client;
  private final Map<UUID, Account> byId;

  public AccountCache(AccountRepository accounts, SqlClient client, int maxEntries) {
    this.accounts = accounts;
    this.client = client;
    this.byId = new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<UUID, Account> eldest) {
        return size() > maxEntries;
      }
    };
  }

  /** The account if the caller may see it, null otherwise: the rule of {@link AccountRepository#findVisible}. */
  public Future<Account> findVisible(Caller caller, UUID id) {
    Account known = byId.get(id);
    if (known != null) return Future.succeededFuture(visible(known, caller));
    return refresh(id).map(fresh -> fresh == null ? null : visible(fresh, caller));
  }

  /** The account as the database has it now (null: none), kept for the next submission. */
  public Future<Account> refresh(UUID id) {
    return accounts.byId(client, id).onSuccess(fresh -> {
      if (fresh != null) byId.put(id, fresh);
    });
  }

  /** Same tenant, and owned by the caller unless the caller sees the whole tenant. */
  private static Account visible(Account a, Caller caller) {
    boolean sees = a.tenantId().equals(caller.tenant())
      && (caller.seesWholeTenant() || a.ownerId().equals(caller.userId()));
    return sees ? a : null;
  }
}
