package io.orion.oms.events;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.orion.oms.auth.Caller;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.BridgeEvent;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSHandlerOptions;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The SockJS event-bus bridge at {@code /eventbus}: stock sockjs-client and the Vert.x event-bus client work
 * unchanged. The bridge parses the protocol and keeps the consumers; this class decides who may do what:
 * a socket opens only with a valid ticket or token (and within the user's connection limit), registers only
 * for the addresses of accounts its user can see (the tenant's address for admins and compliance), and never
 * sends or publishes. Outbound messages are written here rather than by the bridge so that a register with
 * a {@code sinceSeq} header replays the outbox first, seqs are delivered once, and a slow socket is closed.
 */
final class EventBusBridge implements Handler<BridgeEvent> {
  private final Vertx vertx;
  private final StreamServices services;
  private final Map<SockJSSocket, Client> clients = new HashMap<>();

  EventBusBridge(Vertx vertx, StreamServices services) {
    this.vertx = vertx;
    this.services = services;
  }

  Router router() {
    SockJSHandlerOptions options = new SockJSHandlerOptions()
      .setHeartbeatInterval(services.config().heartbeatIntervalMs()).setInsertJSESSIONID(false);
    // every event address may go out; who may register for which is decided per socket in handle()
    SockJSBridgeOptions bridge = new SockJSBridgeOptions()
      .addOutboundPermitted(new PermittedOptions().setAddressRegex("oms\\.events\\..+"))
      .setPingTimeout(Math.max(10_000L, 2L * services.config().heartbeatIntervalMs()));
    return SockJSHandler.create(vertx, options).bridge(bridge, this);
  }

  /** One open socket: its user and what it listens to. */
  private final class Client {
    final SockJSSocket socket;
    final StreamPrincipal principal;
    final Map<String, EventFeed> feeds = new HashMap<>();
    final Map<String, long[]> replays = new HashMap<>(); // address -> {account msb, lsb, sinceSeq}
    final long expiryTimer;
    int pending;
    boolean closed;

    Client(SockJSSocket socket, StreamPrincipal principal) {
      this.socket = socket;
      this.principal = principal;
      long untilExpiry = Math.max(1, principal.expiresAt().toEpochMilli() - System.currentTimeMillis());
      this.expiryTimer = vertx.setTimer(untilExpiry, id -> close("token expired"));
    }

    EventFeed.Sink sink(String address) {
      String prefix = "{\"type\":\"rec\",\"address\":" + Json.encode(address) + ",\"body\":";
      return new EventFeed.Sink() {
        @Override
        public Future<Void> send(StreamEvent e) {
          return write(prefix + e.text() + "}");
        }

        @Override
        public void resyncRequired(UUID accountId, long afterSeq, long headSeq) {
          write(prefix + new JsonObject().put("type", "resync_required").put("clientId", accountId.toString())
            .put("sinceSeq", afterSeq).put("headSeq", headSeq).encode() + "}");
        }
      };
    }

    Future<Void> write(String frame) {
      if (closed) return Future.failedFuture("closed");
      if (pending >= services.config().sendQueueMaxMessages()) {
        close("slow consumer: " + pending + " events waiting");
        return Future.failedFuture("slow consumer");
      }
      pending++;
      return socket.write(frame).andThen(ar -> pending--);
    }

    /** SockJS close frames carry no reason of ours: an error message says why, where the socket still takes it. */
    void close(String reason) {
      if (closed) return;
      socket.write(new JsonObject().put("type", "err").put("body", reason).encode());
      socket.close();
      closedDown();
    }

    void closedDown() {
      if (closed) return;
      closed = true;
      vertx.cancelTimer(expiryTimer);
      services.limiter().release(principal.userKey());
    }
  }

  @Override
  public void handle(BridgeEvent event) {
    SockJSSocket socket = event.socket();
    switch (event.type()) {
      case SOCKET_CREATED -> open(event, socket);
      case SOCKET_CLOSED -> {
        Client c = clients.remove(socket);
        if (c != null) c.closedDown();
        event.complete(true);
      }
      case REGISTER -> register(event, clients.get(socket));
      case REGISTERED -> {
        registered(event, clients.get(socket));
        event.complete(true);
      }
      case UNREGISTER -> {
        Client c = clients.get(socket);
        if (c != null) c.feeds.remove(event.getRawMessage().getString("address"));
        event.complete(true);
      }
      case RECEIVE -> {
        receive(event, clients.get(socket));
        event.complete(false); // written by receive() itself
      }
      case SEND, PUBLISH -> event.complete(false);
      default -> event.complete(true);
    }
  }

  /**
   * Authenticates the socket from its URL. The bridge installs its data handler only after this event
   * completes, and frames arriving before would be dropped, so the socket is paused until then.
   */
  private void open(BridgeEvent event, SockJSSocket socket) {
    socket.pause();
    MultiMap query = MultiMap.caseInsensitiveMultiMap();
    new QueryStringDecoder(socket.uri() == null ? "" : socket.uri()).parameters().forEach(query::add);
    services.auth().authenticate(query).onComplete(ar -> {
      StreamPrincipal p = ar.succeeded() ? ar.result() : null;
      if (p == null) {
        refuse(event, socket, "unauthorized: a valid ticket or token is required");
        return;
      }
      services.withinQuota(p.caller(), io.orion.oms.ratelimit.OperationClass.STREAM_CONNECT).onComplete(q -> {
        if (q.succeeded() && !q.result()) refuse(event, socket, "rate limited: too many stream connections opened in this window");
        else admit(event, socket, p);
      });
    });
  }

  private void admit(BridgeEvent event, SockJSSocket socket, StreamPrincipal p) {
    if (!services.limiter().tryAcquire(p.userKey())) {
      refuse(event, socket, "too many connections: at most " + services.config().maxConnectionsPerUser() + " per user");
    } else {
      clients.put(socket, new Client(socket, p));
      event.complete(true);
      vertx.runOnContext(v -> socket.resume());
    }
  }

  private static void refuse(BridgeEvent event, SockJSSocket socket, String reason) {
    socket.write(new JsonObject().put("type", "err").put("body", reason).encode());
    event.complete(false);
  }

  private void register(BridgeEvent event, Client client) {
    JsonObject raw = event.getRawMessage();
    String address = raw.getString("address");
    if (client == null || address == null || client.feeds.containsKey(address)) {
      event.complete(false);
      return;
    }
    Long since = sinceSeq(raw.getJsonObject("headers"));
    if (since != null && since < 0) {
      event.complete(false);
      return;
    }
    services.withinQuota(client.principal.caller(), io.orion.oms.ratelimit.OperationClass.STREAM_SUBSCRIBE)
      .compose(ok -> ok ? allowed(client.principal.caller(), address) : Future.<UUID>succeededFuture())
      .onComplete(ar -> {
      UUID account = ar.succeeded() ? ar.result() : null;
      boolean tenantWide = ar.succeeded() && account == null && address.equals(
        StreamEvent.tenantAddress(client.principal.caller().tenant())) && client.principal.caller().seesWholeTenant()
        && since == null;
      if (client.closed || (account == null && !tenantWide)) {
        event.complete(false);
        return;
      }
      EventFeed feed = new EventFeed(services.events(), client.sink(address), services.replayPageSize(),
        services.config().replayMaxEvents());
      if (since != null) {
        feed.hold(); // live events wait until the replay, which starts once the bridge's consumer is registered
        client.replays.put(address, new long[]{account.getMostSignificantBits(), account.getLeastSignificantBits(), since});
      }
      client.feeds.put(address, feed);
      event.complete(true);
    });
  }

  private void registered(BridgeEvent event, Client client) {
    if (client == null) return;
    String address = event.getRawMessage().getString("address");
    long[] replay = client.replays.remove(address);
    EventFeed feed = client.feeds.get(address);
    if (replay != null && feed != null) feed.replay(new UUID(replay[0], replay[1]), replay[2]);
  }

  private static Long sinceSeq(JsonObject headers) {
    if (headers == null || headers.getValue("sinceSeq") == null) return null;
    try {
      return Long.parseLong(String.valueOf(headers.getValue("sinceSeq")).trim());
    } catch (NumberFormatException e) {
      return -1L;
    }
  }

  /** The account behind an account address the caller can see; null for any other address. */
  private Future<UUID> allowed(Caller caller, String address) {
    String prefix = StreamEvent.tenantAddress(caller.tenant()) + ".";
    if (!address.startsWith(prefix)) return Future.succeededFuture(null);
    UUID id;
    try {
      String rest = address.substring(prefix.length());
      if (rest.length() != 36) return Future.succeededFuture(null);
      id = UUID.fromString(rest);
    } catch (IllegalArgumentException e) {
      return Future.succeededFuture(null);
    }
    return services.accounts().findVisible(caller, id).map(a -> a == null ? null : a.id());
  }

  private void receive(BridgeEvent event, Client client) {
    if (client == null) return;
    JsonObject raw = event.getRawMessage();
    EventFeed feed = client.feeds.get(raw.getString("address"));
    JsonObject headers = raw.getJsonObject("headers");
    if (feed == null || headers == null || !(raw.getValue("body") instanceof String text)) return;
    String account = headers.getString(StreamEvent.H_ACCOUNT);
    String seq = headers.getString(StreamEvent.H_SEQ);
    if (account == null || seq == null) return;
    feed.live(new StreamEvent(headers.getString(StreamEvent.H_TENANT), UUID.fromString(account), Long.parseLong(seq),
      headers.getString(StreamEvent.H_TYPE), headers.getString(StreamEvent.H_ORDER),
      headers.getString(StreamEvent.H_INSTRUMENT), text));
  }
}
