package io.orion.oms.infra;

import redis.embedded.RedisServer;

import java.io.IOException;

/** Redis run by the service itself when none is configured. It keeps nothing on disk: Redis holds only disposable state. */
public final class EmbeddedRedisServer implements AutoCloseable {
  private final RedisServer server;
  private final int port;

  private EmbeddedRedisServer(RedisServer server, int port) {
    this.server = server;
    this.port = port;
  }

  public static EmbeddedRedisServer start(int port) throws IOException {
    int p = port == 0 ? FreePort.find() : port;
    RedisServer server = RedisServer.newRedisServer()
      .port(p)
      .bind("127.0.0.1")
      .setting("save \"\"")
      .setting("appendonly no")
      .build();
    server.start();
    return new EmbeddedRedisServer(server, p);
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  @Override
  public void close() throws IOException {
    server.stop();
  }
}
