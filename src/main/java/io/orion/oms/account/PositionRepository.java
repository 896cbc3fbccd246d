package io.orion.oms.account;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/** All SQL on {@code positions}. Written only inside the transaction that applies a fill. */
public final class PositionRepository {
  private static final String LOCK = """
    SELECT * FROM positions WHERE account_id = $1 AND instrument_id = $2 FOR NO KEY UPDATE""";
  private static final String UPSERT = """
    INSERT INTO positions (account_id, instrument_id, tenant_id, quantity, average_price, realized_pnl, version, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, 0, $7)
    ON CONFLICT (account_id, instrument_id) DO UPDATE SET quantity = EXCLUDED.quantity,
      average_price = EXCLUDED.average_price, realized_pnl = EXCLUDED.realized_pnl,
      version = positions.version + 1, updated_at = EXCLUDED.updated_at""";

  private static final String BY_ACCOUNT = "SELECT * FROM positions WHERE account_id = $1 ORDER BY instrument_id";

  public Future<java.util.List<Position>> byAccount(SqlClient client, UUID accountId) {
    return client.preparedQuery(BY_ACCOUNT).execute(Tuple.of(accountId)).map(rs -> {
      java.util.List<Position> out = new java.util.ArrayList<>();
      rs.forEach(r -> out.add(fromRow(r)));
      return out;
    });
  }

  public Future<Position> lock(SqlClient tx, UUID accountId, String instrumentId) {
    return tx.preparedQuery(LOCK).execute(Tuple.of(accountId, instrumentId)).map(rs -> rs.size() == 0
      ? Position.flat(accountId, instrumentId) : fromRow(rs.iterator().next()));
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
