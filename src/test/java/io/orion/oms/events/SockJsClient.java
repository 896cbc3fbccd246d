package io.orion.oms.events;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * What sockjs-client and the Vert.x event-bus client put on the wire, in Java: the SockJS websocket
 * transport ({@code /eventbus/<server>/<session>/websocket}, frames {@code o}, {@code h}, {@code a[...]},
 * {@code c[...]}; each client message a JSON array of strings) carrying the event-bus bridge protocol
 * ({@code register}, {@code unregister}, {@code send}, {@code publish}, {@code ping}).
 */
final class SockJsClient implements AutoCloseable {
  private final WebSocketClient client;
  private final ClientWebSocket ws;
  private final BlockingQueue<JsonObject> inbox = new LinkedBlockingQueue<>();
  volatile boolean opened;
  volatile boolean closed;
  volatile String closeFrame;

  private SockJsClient(WebSocketClient client, ClientWebSocket ws) {
    this.client = client;
    this.ws = ws;
    // handlers before the connect: the server's open frame can come with the upgrade response
    ws.textMessageHandler(this::frame);
    ws.closeHandler(v -> closed = true);
  }

  /** Opens a session the way sockjs-client does: a random server id and session id under the base URL. */
  static SockJsClient connect(Vertx vertx, int port, String query) throws Exception {
    String server = String.format("%03d", ThreadLocalRandom.current().nextInt(1000));
    String session = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    WebSocketClient client = vertx.createWebSocketClient();
    SockJsClient c = new SockJsClient(client, client.webSocket());
    c.ws.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
        .setURI("/eventbus/" + server + "/" + session + "/websocket" + (query == null ? "" : "?" + query)))
      .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return c;
  }

  private void frame(String f) {
    if (f.isEmpty()) return;
    switch (f.charAt(0)) {
      case 'o' -> opened = true;
      case 'h' -> { } // heartbeat
      case 'a' -> new JsonArray(f.substring(1)).forEach(m -> inbox.add(new JsonObject((String) m)));
      case 'c' -> {
        closeFrame = f.substring(1);
        closed = true;
      }
      default -> throw new IllegalStateException("unknown SockJS frame " + f);
    }
  }

  /** One event-bus bridge message, as {@code EventBus.send/publish/registerHandler} write it. */
  void sendBridge(JsonObject msg) {
    ws.writeTextMessage(new JsonArray().add(msg.encode()).encode());
  }

  void register(String address, JsonObject headers) {
    JsonObject m = new JsonObject().put("type", "register").put("address", address);
    if (headers != null) m.put("headers", headers);
    sendBridge(m);
  }

  void unregister(String address) {
    sendBridge(new JsonObject().put("type", "unregister").put("address", address));
  }

  void ping() {
    sendBridge(new JsonObject().put("type", "ping"));
  }

  JsonObject next(int seconds) throws InterruptedException {
    JsonObject m = inbox.poll(seconds, TimeUnit.SECONDS);
    if (m == null) throw new AssertionError("no bridge message within " + seconds + " s");
    return m;
  }

  JsonObject poll(long ms) throws InterruptedException {
    return inbox.poll(ms, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    if (!closed) ws.close();
    client.close();
  }
}
