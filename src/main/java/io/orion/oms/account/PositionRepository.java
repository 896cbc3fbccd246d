package io.orion.oms.account;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** All SQL on {@code positions}. Written only inside the transaction that applies a fill. */
public final class PositionRepository {
  private static final String LOCK = """
    SELECT * FROM positions WHERE account_id = $1 AND instrument_id = $2 FOR NO KEY UPDATE""";
  /** A flat row to lock where there is none yet, so that two first fills of a position cannot both start from flat. */
  private static final String CREATE_FLAT = """
    INSERT INTO positions (account_id, instrument_id, tenant_id, quantity, realized_pnl, version, updated_at)
    VALUES ($1, $2, $3, 0, 0, 0, $4) ON CONFLICT (account_id, instrument_id) DO NOTHING""";
  /** {@link #CREATE_FLAT} for many positions, in key order (the order {@link #LOCK_ALL} takes them in). */
  private static final String CREATE_FLAT_ALL = """
    INSERT INTO positions (account_id, instrument_id, tenant_id, quantity, realized_pnl, version, updated_at)
    SELECT a, i, t, 0, 0, 0, $4 FROM unnest($1::uuid[], $2::text[], $3::text[]) AS u(a, i, t) ORDER BY a, i
    ON CONFLICT (account_id, instrument_id) DO NOTHING""";
  private static final String LOCK_ALL = """
    SELECT p.* FROM positions p JOIN unnest($1::uuid[], $2::text[]) AS u(a, i)
      ON p.account_id = u.a AND p.instrument_id = u.i
    ORDER BY p.account_id, p.instrument_id FOR NO KEY UPDATE OF p""";
  private static final String UPSERT = """
    INSERT INTO positions (account_id, instrument_id, tenant_id, quantity, average_price, realized_pnl, version, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, 0, $7)
    ON CONFLICT (account_id, instrument_id) DO UPDATE SET quantity = EXCLUDED.quantity,
      average_price = EXCLUDED.average_price, realized_pnl = EXCLUDED.realized_pnl,
      version = positions.version + 1, updated_at = EXCLUDED.updated_at""";

  private static final String BY_ACCOUNT = "SELECT * FROM positions WHERE account_id = $1 ORDER BY instrument_id";

  public Future<List<Position>> byAccount(SqlClient client, UUID accountId) {
    return client.preparedQuery(BY_ACCOUNT).execute(Tuple.of(accountId)).map(rs -> {
      List<Position> out = new java.util.ArrayList<>();
      rs.forEach(r -> out.add(fromRow(r)));
      return out;
    });
  }

  /** The position, locked (created flat first if it has no row yet). */
  public Future<Position> lock(SqlClient tx, String tenant, UUID accountId, String instrumentId, Instant now) {
    // both sent at once; the connection runs them in order, and the insert waits for a concurrent one's commit
    Future<Object> created = tx.preparedQuery(CREATE_FLAT).execute(Tuple.of(accountId, instrumentId, tenant,
      OffsetDateTime.ofInstant(now, ZoneOffset.UTC))).map(rs -> null);
    Future<Position> locked = tx.preparedQuery(LOCK).execute(Tuple.of(accountId, instrumentId)).map(rs -> rs.size() == 0
      ? Position.flat(accountId, instrumentId) : fromRow(rs.iterator().next()));
    return Future.join(created, locked).map(x -> locked.result());
  }

  /**
   * Locks the positions of {@code accountIds[k]} in {@code instrumentIds[k]} in key order, creating flat rows where
   * there are none yet (a batch of fills locks all its positions before any account); answers them as locked.
   */
  public Future<List<Position>> lockAll(SqlClient tx, List<UUID> accountIds, List<String> instrumentIds, List<String> tenants,
                              Instant now) {
    UUID[] a = accountIds.toArray(new UUID[0]);
    String[] i = instrumentIds.toArray(new String[0]);
    Future<?> created = tx.preparedQuery(CREATE_FLAT_ALL).execute(Tuple.of(a, i, tenants.toArray(new String[0]),
      OffsetDateTime.ofInstant(now, ZoneOffset.UTC)));
    Future<RowSet<Row>> locked = tx.preparedQuery(LOCK_ALL).execute(Tuple.tuple().addValue(a).addValue(i)); // not Tuple.of(Object, Object...)
    return Future.join(created, locked).map(x -> {
      List<Position> out = new ArrayList<>(locked.result().size());
      for (Row r : locked.result()) out.add(fromRow(r));
      return out;
    });
  }

  public Future<Void> save(SqlClient tx, String tenant, Position p, Instant now) {
    return tx.preparedQuery(UPSERT).execute(Tuple.from(new Object[]{p.accountId(), p.instrumentId(), tenant,
      p.quantity(), p.averagePrice(), p.realizedPnl(), OffsetDateTime.ofInstant(now, ZoneOffset.UTC)})).mapEmpty();
  }

  static Position fromRow(Row r) {
    return new Position(r.getUUID("account_id"), r.getString("instrument_id"), r.getBigDecimal("quantity"),
      r.getBigDecimal("average_price"), r.getBigDecimal("realized_pnl"));
  }
}
