package io.orion.oms.infra;

import io.orion.oms.support.TestServices;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JSON payload columns keep no planner statistics (V13): ANALYZE, which autovacuum runs as the order path's
 * tables grow, skips them, while the columns queries filter on keep theirs.
 */
class PayloadStatisticsTest {

  @Test
  void analyzeSkipsThePayloadColumnsAndKeepsTheOthers() throws Exception {
    String url = TestServices.get().freshDatabase();
    Database.migrate(url);
    try (Connection c = TestServices.jdbc(url); Statement s = c.createStatement()) {
      s.execute("INSERT INTO events (tenant_id, account_id, seq, event_type, payload, created_at)"
        + " SELECT 't', gen_random_uuid(), 1, 'order.created', jsonb_build_object('id', g, 'side', 'BUY'), now()"
        + " FROM generate_series(1, 200) g");
      s.execute("ANALYZE events");
      List<String> analyzed = new ArrayList<>();
      try (ResultSet r = s.executeQuery("SELECT attname FROM pg_stats WHERE tablename = 'events' ORDER BY attname")) {
        while (r.next()) analyzed.add(r.getString(1));
      }
      assertThat(analyzed).contains("account_id", "event_type", "tenant_id").doesNotContain("payload");

      List<String> withStatistics = new ArrayList<>();
      try (ResultSet r = s.executeQuery("""
          SELECT c.relname || '.' || a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = current_schema() AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
            AND a.atttypid = 'jsonb'::regtype AND coalesce(a.attstattarget, -1) <> 0""")) {
        while (r.next()) withStatistics.add(r.getString(1));
      }
      // every JSON column of the schema, but for the one small settings table
      assertThat(withStatistics).containsExactly("system_settings.value");
    }
  }
}
