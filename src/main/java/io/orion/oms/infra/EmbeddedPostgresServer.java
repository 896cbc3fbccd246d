package io.orion.oms.infra;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * PostgreSQL run by the service itself when no server is configured. Its data directory is kept, so a
 * restart keeps every order; durable settings are switched back on because the library's defaults
 * (fsync and synchronous_commit off) are made for tests.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {
  private final EmbeddedPostgres pg;

  private EmbeddedPostgresServer(EmbeddedPostgres pg) {
    this.pg = pg;
  }

  /** Starts (blocking) with data in {@code dataDir}; {@code port} 0 picks a free one. */
  public static EmbeddedPostgresServer start(Path dataDir, int port, boolean durable) throws IOException {
    Files.createDirectories(dataDir);
    EmbeddedPostgres.Builder b = EmbeddedPostgres.builder()
      .setDataDirectory(dataDir)
      .setCleanDataDirectory(false)
      .setPort(port == 0 ? FreePort.find() : port)
      .setServerConfig("fsync", durable ? "on" : "off")
      .setServerConfig("synchronous_commit", durable ? "on" : "off")
      .setServerConfig("full_page_writes", durable ? "on" : "off")
      .setServerConfig("max_connections", "200");
    return new EmbeddedPostgresServer(b.start());
  }

  public int port() {
    return pg.getPort();
  }

  /** A URL for the {@code postgres} superuser on the given database. */
  public String url(String database) {
    return "postgresql://postgres@127.0.0.1:" + pg.getPort() + "/" + database;
  }

  @Override
  public void close() throws IOException {
    pg.close();
  }
}
