package io.orion.oms.infra;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.util.List;

/**
 * Parameters of a multi-row insert written as {@code INSERT ... SELECT FROM unnest($1::uuid[], $2::text[], ...)}:
 * one array per column. Such a statement costs the server one execution however many rows it carries, where a
 * batch of single-row inserts costs one per row.
 */
public final class UnnestColumns {
  private UnnestColumns() {
  }

  /**
   * The first {@code kinds.length} columns of {@code rows}, column {@code c} as an array of {@code kinds[c]}.
   * Values of a {@code String} column are sent as text (numbers in plain notation, JSON encoded), for a
   * {@code ::numeric} or {@code ::jsonb} cast in the statement; other kinds ({@code UUID}, {@code Long},
   * {@code OffsetDateTime}) are passed as they are.
   */
  public static Object[] of(List<Tuple> rows, Class<?>... kinds) {
    int n = rows.size();
    Object[] columns = new Object[kinds.length]; // a plain Object[]: callers append scalar parameters to a copy
    for (int c = 0; c < kinds.length; c++) {
      Object[] column = (Object[]) Array.newInstance(kinds[c], n);
      for (int i = 0; i < n; i++) {
        Object v = rows.get(i).getValue(c);
        column[i] = kinds[c] == String.class ? text(v) : v;
      }
      columns[c] = column;
    }
    return columns;
  }

  private static String text(Object v) {
    if (v == null || v instanceof String) return (String) v;
    if (v instanceof BigDecimal d) return d.toPlainString();
    if (v instanceof JsonObject j) return j.encode();
    if (v instanceof JsonArray a) return a.encode();
    return v.toString();
  }
}
