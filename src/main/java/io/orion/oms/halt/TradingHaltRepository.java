package io.orion.oms.halt;

import io.orion.oms.infra.Database;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

/** All SQL on {@code trading_halts} and {@code trading_halt_log}. */
public final class TradingHaltRepository {
  private final Pool pool;

  public TradingHaltRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<Map<String, Halt>> all() {
    return pool.query("SELECT tenant_id, reason, halted_by, halted_at FROM trading_halts").execute().map(rows -> {
      Map<String, Halt> out = new HashMap<>();
      rows.forEach(r -> out.put(r.getString("tenant_id"), halt(r)));
      return out;
    });
  }

  /** Halts the tenant; a tenant already halted keeps its first halt (the answer is that one). */
  public Future<Halt> halt(String tenant, String reason, String actor, Instant now) {
    return Database.transaction(pool, tx -> tx.preparedQuery(
        "INSERT INTO trading_halts (tenant_id, reason, halted_by, halted_at) VALUES ($1, $2, $3, $4) "
          + "ON CONFLICT (tenant_id) DO NOTHING RETURNING tenant_id")
      .execute(Tuple.of(tenant, reason, actor, at(now)))
      .compose(inserted -> inserted.rowCount() == 0 ? Future.succeededFuture()
        : log(tx, tenant, "halt", reason, actor, now))
      .compose(v -> tx.preparedQuery("SELECT tenant_id, reason, halted_by, halted_at FROM trading_halts WHERE tenant_id = $1")
        .execute(Tuple.of(tenant)))
      .map(rows -> halt(rows.iterator().next())));
  }

  /** Resumes the tenant's trading; false when it was not halted. */
  public Future<Boolean> resume(String tenant, String actor, Instant now) {
    return Database.transaction(pool, tx -> tx.preparedQuery("DELETE FROM trading_halts WHERE tenant_id = $1")
      .execute(Tuple.of(tenant))
      .compose(deleted -> deleted.rowCount() == 0 ? Future.succeededFuture(false)
        : log(tx, tenant, "resume", null, actor, now).map(true)));
  }

  private static Future<Void> log(SqlConnection tx, String tenant, String action, String reason, String actor,
                                  Instant now) {
    return tx.preparedQuery("INSERT INTO trading_halt_log (tenant_id, action, reason, actor, created_at) "
        + "VALUES ($1, $2, $3, $4, $5)")
      .execute(Tuple.of(tenant, action, reason, actor, at(now))).mapEmpty();
  }

  private static Halt halt(Row r) {
    return new Halt(r.getString("tenant_id"), r.getString("reason"), r.getString("halted_by"),
      r.getOffsetDateTime("halted_at").toInstant(), "admin");
  }

  private static OffsetDateTime at(Instant t) {
    return t.atOffset(ZoneOffset.UTC);
  }
}
