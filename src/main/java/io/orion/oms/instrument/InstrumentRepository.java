package io.orion.oms.instrument;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/** All SQL on {@code instruments}. */
public final class InstrumentRepository {
  private static final String UPSERT = """
    INSERT INTO instruments (id, asset_class, base_currency, quote_currency, tick_size, lot_size, min_quantity,
                             reference_price, enabled, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
    ON CONFLICT (id) DO UPDATE SET asset_class = EXCLUDED.asset_class, base_currency = EXCLUDED.base_currency,
      quote_currency = EXCLUDED.quote_currency, tick_size = EXCLUDED.tick_size, lot_size = EXCLUDED.lot_size,
      min_quantity = EXCLUDED.min_quantity, reference_price = EXCLUDED.reference_price, enabled = EXCLUDED.enabled,
      updated_at = now()""";
  private static final String ALL = "SELECT * FROM instruments ORDER BY id";

  private final Pool pool;

  public InstrumentRepository(Pool pool) {
    this.pool = pool;
  }

  /** Loads the configured instruments; ones no longer configured are kept (orders refer to them) as they were. */
  public Future<Void> upsertAll(List<Instrument> instruments) {
    List<Tuple> rows = new ArrayList<>();
    for (Instrument i : instruments) {
      rows.add(Tuple.of(i.id(), i.assetClass(), i.baseCurrency(), i.quoteCurrency(), i.tickSize(), i.lotSize(),
        i.minQuantity(), i.referencePrice(), i.enabled()));
    }
    return pool.preparedQuery(UPSERT).executeBatch(rows).mapEmpty();
  }

  public Future<List<Instrument>> all() {
    return pool.query(ALL).execute().map(rs -> {
      List<Instrument> list = new ArrayList<>();
      rs.forEach(r -> list.add(fromRow(r)));
      return list;
    });
  }

  static Instrument fromRow(Row r) {
    return new Instrument(r.getString("id"), r.getString("asset_class"), r.getString("base_currency"),
      r.getString("quote_currency"), r.getBigDecimal("tick_size"), r.getBigDecimal("lot_size"),
      r.getBigDecimal("min_quantity"), r.getBigDecimal("reference_price"), r.getBoolean("enabled"));
  }
}
