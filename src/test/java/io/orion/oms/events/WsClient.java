package io.orion.oms.events;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A blocking test client of {@code /ws/orders/events} over a real Vert.x WebSocket. */
final class WsClient implements AutoCloseable {
  final ClientWebSocket ws;
  private final WebSocketClient client;
  private final BlockingQueue<JsonObject> inbox = new LinkedBlockingQueue<>();
  volatile boolean closed;
  volatile Short closeStatus;
  volatile String closeReason;

  private WsClient(WebSocketClient client, ClientWebSocket ws) {
    this.client = client;
    this.ws = ws;
    // handlers before the connect: the first message can come with the upgrade response
    ws.textMessageHandler(t -> inbox.add(new JsonObject(t)));
    ws.closeHandler(v -> {
      closeStatus = ws.closeStatusCode();
      closeReason = ws.closeReason();
      closed = true;
    });
  }

  static WsClient connect(Vertx vertx, int port, String query) throws Exception {
    WebSocketClient client = vertx.createWebSocketClient();
    WsClient c = new WsClient(client, client.webSocket());
    c.ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws/orders/events?" + query))
      .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return c;
  }

  void send(JsonObject msg) {
    ws.writeTextMessage(msg.encode());
  }

  /** The next message, or fails after {@code seconds}. */
  JsonObject next(int seconds) throws InterruptedException {
    JsonObject m = inbox.poll(seconds, TimeUnit.SECONDS);
    if (m == null) throw new AssertionError("no message within " + seconds + " s");
    return m;
  }

  /** Messages up to and including the first that matches {@code last}. */
  List<JsonObject> until(Predicate<JsonObject> last, int seconds) throws InterruptedException {
    List<JsonObject> out = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (true) {
      long left = deadline - System.nanoTime();
      JsonObject m = left <= 0 ? null : inbox.poll(left, TimeUnit.NANOSECONDS);
      if (m == null) throw new AssertionError("condition not met within " + seconds + " s; got " + out);
      out.add(m);
      if (last.test(m)) return out;
    }
  }

  /** Nothing arrives for {@code ms}: returns what did, which the caller expects to be empty. */
  List<JsonObject> quietFor(long ms) throws InterruptedException {
    Thread.sleep(ms);
    List<JsonObject> out = new ArrayList<>();
    inbox.drainTo(out);
    return out;
  }

  @Override
  public void close() {
    if (!closed) ws.close();
    client.close();
  }
}
