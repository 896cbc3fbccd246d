package io.orion.oms.events;

import io.orion.oms.auth.Caller;
import io.orion.oms.common.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One plain WebSocket client of {@code /ws/orders/events}: its subscriptions, each a set of event-bus
 * consumers with its own replay and dedupe ({@link EventFeed}), a bound on events not yet written (a slow
 * consumer is closed), ping frames, and closing when the token behind it expires.
 */
final class OrderEventsConnection {
  static final short CLOSE_POLICY = 1008;
  private static final int MAX_SUBSCRIPTIONS = 50;
  private static final List<String> CHANNELS = List.of("orders", "fills", "order", "account");

  private final Vertx vertx;
  private final ServerWebSocket ws;
  private final StreamPrincipal principal;
  private final StreamServices services;
  private final Runnable onClosed;
  private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
  private int pending;
  private boolean closed;
  private long lastPongMs;
  private long heartbeatTimer = -1;
  private long expiryTimer = -1;

  OrderEventsConnection(Vertx vertx, ServerWebSocket ws, StreamPrincipal principal, StreamServices services,
                        Runnable onClosed) {
    this.vertx = vertx;
    this.ws = ws;
    this.principal = principal;
    this.services = services;
    this.onClosed = onClosed;
  }

  void start() {
    ws.textMessageHandler(this::onText);
    ws.binaryMessageHandler(b -> error(ErrorCode.MALFORMED_REQUEST, "Send JSON text messages", null));
    ws.closeHandler(v -> cleanUp());
    ws.exceptionHandler(t -> cleanUp());
    lastPongMs = System.currentTimeMillis();
    ws.pongHandler(b -> lastPongMs = System.currentTimeMillis());
    long beat = services.config().heartbeatIntervalMs();
    heartbeatTimer = vertx.setPeriodic(beat, beat, id -> heartbeat(beat));
    long untilExpiry = Math.max(1, principal.expiresAt().toEpochMilli() - System.currentTimeMillis());
    expiryTimer = vertx.setTimer(untilExpiry, id -> close("token expired"));
    write(new JsonObject().put("type", "connection_acknowledged").encode());
  }

  private void heartbeat(long beatMs) {
    if (System.currentTimeMillis() - lastPongMs > 3 * beatMs) close("no pong within three heartbeats");
    else ws.writePing(Buffer.buffer());
  }

  private void onText(String text) {
    JsonObject msg;
    try {
      msg = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      error(ErrorCode.MALFORMED_REQUEST, "A message must be a JSON object", null);
      return;
    }
    Object type = msg.getValue("type");
    if ("subscribe".equals(type)) subscribe(msg);
    else if ("unsubscribe".equals(type)) unsubscribe(msg);
    else error(ErrorCode.VALIDATION_FAILED, "type must be 'subscribe' or 'unsubscribe'", msg);
  }

  /** A subscribe or unsubscribe request, checked field by field. */
  private record Request(String channel, UUID clientId, UUID orderId, String instrumentId, Long sinceSeq) {
    String key() {
      return channel + "|" + clientId + "|" + orderId + "|" + instrumentId;
    }

    JsonObject toJson() {
      return new JsonObject().put("channel", channel).put("clientId", clientId == null ? null : clientId.toString())
        .put("orderId", orderId == null ? null : orderId.toString()).put("instrumentId", instrumentId);
    }
  }

  private Request parse(JsonObject msg) {
    List<String> bad = new ArrayList<>();
    Object channel = msg.getValue("channel");
    if (!(channel instanceof String c) || !CHANNELS.contains(c)) bad.add("channel must be one of " + CHANNELS);
    UUID clientId = uuid(msg, "clientId", bad);
    UUID orderId = uuid(msg, "orderId", bad);
    Object instrument = msg.getValue("instrumentId");
    if (instrument != null && !(instrument instanceof String s && !s.isBlank() && s.length() <= 64)) {
      bad.add("instrumentId must be a non-blank string");
    }
    Object since = msg.getValue("sinceSeq");
    Long sinceSeq = null;
    if (since != null) {
      if (since instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && n.longValue() >= 0) {
        sinceSeq = n.longValue();
      } else {
        bad.add("sinceSeq must be an integer >= 0");
      }
    }
    if ("order".equals(channel) && orderId == null && msg.getValue("orderId") == null) bad.add("orderId is required with channel 'order'");
    if (!"order".equals(channel) && msg.getValue("orderId") != null) bad.add("orderId is only allowed with channel 'order'");
    if (sinceSeq != null && clientId == null && !"order".equals(channel)) {
      bad.add("sinceSeq needs clientId: seqs are numbered per account");
    }
    if (!bad.isEmpty()) {
      error(ErrorCode.VALIDATION_FAILED, String.join("; ", bad), msg);
      return null;
    }
    return new Request((String) channel, clientId, orderId, (String) instrument, sinceSeq);
  }

  private static UUID uuid(JsonObject msg, String field, List<String> bad) {
    Object v = msg.getValue(field);
    if (v == null) return null;
    try {
      if (v instanceof String s && s.length() == 36) return UUID.fromString(s);
    } catch (IllegalArgumentException ignored) {
      // reported below
    }
    bad.add(field + " must be a UUID");
    return null;
  }

  private void subscribe(JsonObject msg) {
    Request req = parse(msg);
    if (req == null) return;
    if (!subscriptions.containsKey(req.key()) && subscriptions.size() >= MAX_SUBSCRIPTIONS) {
      error(ErrorCode.VALIDATION_FAILED, "At most " + MAX_SUBSCRIPTIONS + " subscriptions per connection", msg);
      return;
    }
    services.withinQuota(principal.caller(), io.orion.oms.ratelimit.OperationClass.STREAM_SUBSCRIBE).onComplete(q -> {
      if (closed) return;
      if (q.succeeded() && !q.result()) {
        error(ErrorCode.RATE_LIMITED, "Too many subscriptions in this window; see the streamSubscriptions rate limit", msg);
        return;
      }
      subscribeAllowed(req, msg);
    });
  }

  private void subscribeAllowed(Request req, JsonObject msg) {
    addresses(req).onComplete(ar -> {
      if (closed) return;
      if (ar.failed()) {
        error(ErrorCode.INTERNAL_ERROR, "The subscription could not be set up; try again", msg);
      } else if (ar.result().problem != null) {
        error(ar.result().problem, ar.result().detail, msg);
      } else {
        start(req, ar.result());
      }
    });
  }

  /** Where a request listens: one account, the caller's own accounts, or the tenant; or why it may not. */
  private record Target(List<String> addresses, UUID replayAccount, ErrorCode problem, String detail) {
    static Target refused(ErrorCode code, String detail) {
      return new Target(List.of(), null, code, detail);
    }
  }

  private Future<Target> addresses(Request req) {
    Caller caller = principal.caller();
    if (req.orderId() != null) {
      return services.orders().findVisible(caller, req.orderId()).map(o -> o == null
        ? Target.refused(ErrorCode.ORDER_NOT_FOUND, "No order " + req.orderId() + " you can see")
        : new Target(List.of(StreamEvent.accountAddress(caller.tenant(), o.accountId())), o.accountId(), null, null));
    }
    if (req.clientId() != null) {
      return services.accounts().findVisible(caller, req.clientId()).map(a -> a == null
        ? Target.refused(ErrorCode.ACCOUNT_NOT_FOUND, "No account " + req.clientId() + " you can see")
        : new Target(List.of(StreamEvent.accountAddress(caller.tenant(), a.id())), a.id(), null, null));
    }
    if (caller.seesWholeTenant()) {
      return Future.succeededFuture(new Target(List.of(StreamEvent.tenantAddress(caller.tenant())), null, null, null));
    }
    return services.accounts().listOwned(caller.tenant(), caller.userId()).map(list -> new Target(
      list.stream().map(a -> StreamEvent.accountAddress(caller.tenant(), a.id())).toList(), null, null, null));
  }

  private void start(Request req, Target target) {
    Subscription old = subscriptions.remove(req.key());
    if (old != null) old.stop();
    Subscription sub = new Subscription(req);
    subscriptions.put(req.key(), sub);
    List<Future<Void>> registered = new ArrayList<>();
    for (String address : target.addresses()) {
      MessageConsumer<String> c = vertx.eventBus().consumer(address, m -> {
        StreamEvent e = StreamEvent.fromMessage(m);
        if (e != null) sub.feed.live(e);
      });
      sub.consumers.add(c);
      registered.add(c.completion());
    }
    // consumers first, then the replay: what the replay misses is published after it, and arrives live
    Future.all(registered).onComplete(ar -> {
      if (closed || subscriptions.get(req.key()) != sub) return;
      JsonArray accounts = new JsonArray();
      target.addresses().forEach(accounts::add);
      write(req.toJson().put("type", "subscribed").put("addresses", accounts).encode());
      if (req.sinceSeq() != null && target.replayAccount() != null) sub.feed.replay(target.replayAccount(), req.sinceSeq());
    });
  }

  private void unsubscribe(JsonObject msg) {
    Request req = parse(msg);
    if (req == null) return;
    Subscription sub = subscriptions.remove(req.key());
    if (sub == null) {
      error(ErrorCode.VALIDATION_FAILED, "No such subscription on this connection", msg);
      return;
    }
    sub.stop();
    write(req.toJson().put("type", "unsubscribed").encode());
  }

  /** One subscription: its consumers, its feed, and which events of its addresses it wants. */
  private final class Subscription implements EventFeed.Sink {
    final Request req;
    final List<MessageConsumer<String>> consumers = new ArrayList<>();
    final EventFeed feed;

    Subscription(Request req) {
      this.req = req;
      this.feed = new EventFeed(services.events(), this, services.replayPageSize(), services.config().replayMaxEvents());
    }

    boolean wants(StreamEvent e) {
      boolean byType;
      switch (req.channel()) {
        case "orders" -> byType = e.type().startsWith("order.");
        case "fills" -> byType = e.type().equals("trade.executed");
        case "order" -> byType = (e.type().startsWith("order.") || e.type().equals("trade.executed"))
          && req.orderId().toString().equals(e.orderId());
        default -> byType = true;
      }
      if (!byType) return false;
      if (req.clientId() != null && !req.clientId().equals(e.accountId())) return false;
      return req.instrumentId() == null || req.instrumentId().equals(e.instrumentId());
    }

    @Override
    public Future<Void> send(StreamEvent e) {
      if (!wants(e)) return Future.succeededFuture();
      return write(e.textWithChannel(req.channel()));
    }

    @Override
    public void resyncRequired(UUID accountId, long afterSeq, long headSeq) {
      write(req.toJson().put("type", "resync_required").put("clientId", accountId.toString())
        .put("sinceSeq", afterSeq).put("headSeq", headSeq).encode());
    }

    void stop() {
      consumers.forEach(MessageConsumer::unregister);
    }
  }

  private void error(ErrorCode code, String detail, JsonObject request) {
    JsonObject err = new JsonObject().put("type", "error").put("code", code.name()).put("detail", detail);
    if (request != null) err.put("request", request);
    write(err.encode());
  }

  /** Every write counts until the socket has taken it: more than the bound waiting means a slow consumer. */
  private Future<Void> write(String text) {
    if (closed) return Future.failedFuture("closed");
    if (pending >= services.config().sendQueueMaxMessages()) {
      close("slow consumer: " + pending + " events waiting");
      return Future.failedFuture("slow consumer");
    }
    pending++;
    return ws.writeTextMessage(text).andThen(ar -> pending--);
  }

  private void close(String reason) {
    if (closed) return;
    cleanUp();
    ws.close(CLOSE_POLICY, reason);
  }

  private void cleanUp() {
    if (closed) return;
    closed = true;
    subscriptions.values().forEach(Subscription::stop);
    subscriptions.clear();
    vertx.cancelTimer(heartbeatTimer);
    vertx.cancelTimer(expiryTimer);
    onClosed.run();
  }
}
