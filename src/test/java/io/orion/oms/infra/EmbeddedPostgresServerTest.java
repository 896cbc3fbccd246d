package io.orion.oms.infra;

import io.orion.oms.support.TestServices;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/** The service's embedded default is durable (the library's own defaults are not) and keeps its data. */
class EmbeddedPostgresServerTest {

  private static String show(Connection c, String setting) throws Exception {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW " + setting)) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void durableServerKeepsRowsAcrossRestart() throws Exception {
    Path dir = Files.createTempDirectory("orion-embedded-pg");
    try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir, 0, true);
         Connection c = TestServices.jdbc(pg.url("postgres")); Statement s = c.createStatement()) {
      assertThat(show(c, "fsync")).isEqualTo("on");
      assertThat(show(c, "synchronous_commit")).isEqualTo("on");
      s.execute("CREATE TABLE kept (v text)");
      s.execute("INSERT INTO kept VALUES ('still here')");
    }
    try (EmbeddedPostgresServer pg = EmbeddedPostgresServer.start(dir, 0, true);
         Connection c = TestServices.jdbc(pg.url("postgres")); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT v FROM kept")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("still here");
    }
  }
}
