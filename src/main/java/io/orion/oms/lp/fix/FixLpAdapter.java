package io.orion.oms.lp.fix;

import io.orion.oms.lp.ExecutionReport;
import io.orion.oms.lp.ExecutionReport.Kind;
import io.orion.oms.lp.ExecutionReport.LpOrderStatus;
import io.orion.oms.lp.LpAdapter;
import io.orion.oms.lp.LpListener;
import io.orion.oms.lp.LpOrder;
import io.orion.oms.lp.Quote;
import io.orion.oms.order.Side;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import quickfix.Application;
import quickfix.DefaultMessageFactory;
import quickfix.DoNotSend;
import quickfix.FieldNotFound;
import quickfix.FileStoreFactory;
import quickfix.Group;
import quickfix.Message;
import quickfix.Session;
import quickfix.SessionID;
import quickfix.SessionSettings;
import quickfix.SocketInitiator;
import quickfix.field.MsgType;
import quickfix.fix44.BusinessMessageReject;
import quickfix.fix44.MarketDataRequest;
import quickfix.fix44.MarketDataRequestReject;
import quickfix.fix44.MarketDataSnapshotFullRefresh;
import quickfix.fix44.NewOrderSingle;
import quickfix.fix44.OrderCancelReject;
import quickfix.fix44.OrderCancelReplaceRequest;
import quickfix.fix44.OrderCancelRequest;
import quickfix.fix44.OrderStatusRequest;

import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The FIX 4.4 connector to one LP: one QuickFIX/J {@link SocketInitiator} (so one callback thread per LP),
 * file-stored sequence numbers, market data subscribed on every logon.
 *
 * <p>Every {@code ExecutionReport} the LP sends goes to {@link LpListener#onExecution} (apply it idempotently
 * by {@code execId}: replays after a reconnect carry {@code possDup}); when it answers a request of ours,
 * the request's future completes with the same report right after. {@code OrderCancelReject}, session and
 * business rejects change no order at the LP and only complete the request they answer. Quotes are
 * conflated per instrument: the listener sees the latest snapshot, not every one.
 *
 * <p>Retries keep their ClOrdID: a request repeated while the first is unanswered is sent again and shares
 * the first one's answer; a NewOrderSingle this process sent before goes out with PossResend=Y, so an LP that
 * has the order answers with its state (an ORDER_STATUS report completes the send). If an LP refuses a
 * ClOrdID as a duplicate instead (OrdRejReason 6), the adapter asks for the order's status and completes the
 * send with that; the duplicate reject itself never reaches the listener.
 *
 * <p>A request whose answer is lost stays pending (an answer sent while the session was down still arrives
 * with the LP's resend after the next logon) until the caller's own timeout, and is failed after
 * {@link #PENDING_TTL_MS} to free it. Application messages are never resent by the session layer
 * ({@link DoNotSend}): a resent NewOrderSingle could become a second order, so after each logon the caller
 * reconciles open orders with {@link #status}.
 */
public final class FixLpAdapter implements LpAdapter {
  private static final Logger log = LoggerFactory.getLogger(FixLpAdapter.class);
  public static final long PENDING_TTL_MS = 300_000;

  private final FixLpConfig config;
  private final SessionID sessionId;
  private final Map<String, Pending> pendingNew = new ConcurrentHashMap<>();
  /** Cancel and cancel/replace requests, keyed by the request's own ClOrdID (the one the answer carries). */
  private final Map<String, Pending> pendingAmend = new ConcurrentHashMap<>();
  private final Map<String, Pending> pendingStatus = new ConcurrentHashMap<>();
  private final Map<String, Quote> pendingQuotes = new ConcurrentHashMap<>();
  /** Outgoing MsgSeqNum → ClOrdID of recent requests, to route a session Reject (35=3) to its request. */
  private final Map<Integer, String> recentRequests = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Integer, String> eldest) {
      return size() > 10_000;
    }
  });
  /** ClOrdIDs of orders sent by this process, so a retry goes out as a resend (PossResend=Y). */
  private final Set<String> sentOrders = Collections.newSetFromMap(Collections.synchronizedMap(
    new LinkedHashMap<>(1024, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
        return size() > 100_000;
      }
    }));
  private final AtomicLong duplicateRejects = new AtomicLong();
  private final AtomicLong mdReqSeq = new AtomicLong();
  private final AtomicLong sessionRejectsSent = new AtomicLong();
  private final AtomicLong unreadableReports = new AtomicLong();
  private volatile Context context;
  private volatile LpListener listener;
  private volatile List<String> instruments = List.of();
  private volatile SocketInitiator initiator;
  private volatile Session session;
  private boolean up; // on the context only
  private long sweepTimer = -1;

  private record Pending(Promise<ExecutionReport> promise, LpOrder order, long deadlineMillis) {}

  public FixLpAdapter(FixLpConfig config) {
    this.config = config;
    this.sessionId = new SessionID("FIX.4.4", config.senderCompId(), config.targetCompId());
  }

  public FixLpConfig config() {
    return config;
  }

  /** The QuickFIX/J session, for operations tooling (sequence numbers, logs). */
  public SessionID sessionId() {
    return sessionId;
  }

  /** NewOrderSingles the LP refused as a duplicate ClOrdID (OrdRejReason 6); each send was answered with a status instead. */
  public long duplicateRejects() {
    return duplicateRejects.get();
  }

  /** Execution reports that could not be mapped (logged with the raw message): each needs reconciliation. */
  public long unreadableReports() {
    return unreadableReports.get();
  }

  /** Session-level Rejects (35=3) we sent: each is an LP message the dictionary refused, possibly a lost fill. */
  public long sessionRejectsSent() {
    return sessionRejectsSent.get();
  }

  // ---------------------------------------------------------------- lifecycle

  @Override
  public Future<Void> start(Context context, LpListener listener, List<String> instruments) {
    if (this.context != null) return Future.failedFuture(new IllegalStateException("LP " + config.id() + " adapter already started"));
    if (context == null || listener == null) return Future.failedFuture(new IllegalArgumentException("context and listener are required"));
    this.context = context;
    this.listener = listener;
    this.instruments = List.copyOf(instruments);
    return context.<Void>executeBlocking(() -> {
      Files.createDirectories(config.storeDir());
      SessionSettings settings = settings();
      SocketInitiator i = new SocketInitiator(new Fix(), new FileStoreFactory(settings), settings,
        FixSupport.logFactory("io.orion.oms.lp.fix.session"), new DefaultMessageFactory());
      i.start(); // connects in the background; onLogon reports the session
      session = i.getManagedSessions().get(0);
      initiator = i;
      return null;
    }).onSuccess(v -> sweepTimer = context.owner().setPeriodic(10_000, t -> sweep()))
      .onFailure(e -> this.context = null);
  }

  private SessionSettings settings() throws Exception {
    String s = String.join("\n",
      "[DEFAULT]",
      "ConnectionType=initiator",
      "BeginString=FIX.4.4",
      "SenderCompID=" + config.senderCompId(),
      "TargetCompID=" + config.targetCompId(),
      "SocketConnectHost=" + config.host(),
      "SocketConnectPort=" + config.port(),
      "HeartBtInt=" + config.heartbeatSeconds(),
      "ReconnectInterval=" + config.reconnectInterval(),
      "NonStopSession=Y",
      "UseDataDictionary=Y",
      "DataDictionary=" + config.dataDictionary().replace('\\', '/'),
      // an LP's extra fields must not turn an execution report into a session Reject (a lost fill)
      "ValidateUserDefinedFields=N",
      "AllowUnknownMsgFields=Y",
      "FileStorePath=" + config.storeDir().toString().replace('\\', '/'),
      "FileStoreSync=N",
      "SocketTcpNoDelay=Y",
      "LogonTimeout=5",
      "LogoutTimeout=2",
      "[SESSION]", "");
    return new SessionSettings(new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8)));
  }

  @Override
  public Future<Void> stop() {
    Context ctx = context;
    SocketInitiator i = initiator;
    if (ctx == null || i == null) return Future.succeededFuture();
    initiator = null;
    return ctx.<Void>executeBlocking(() -> {
      i.stop(); // logs out, waits briefly for the LP's Logout
      return null;
    }).onComplete(ar -> {
      if (sweepTimer >= 0) ctx.owner().cancelTimer(sweepTimer);
      IllegalStateException stopped = new IllegalStateException("LP " + config.id() + " adapter stopped before the LP answered; reconcile with a status request");
      for (Map<String, Pending> m : List.of(pendingNew, pendingAmend, pendingStatus)) {
        m.values().forEach(p -> p.promise().tryFail(stopped));
        m.clear();
      }
      pendingQuotes.clear();
      session = null;
      context = null; // may be started again
    });
  }

  @Override
  public boolean connected() {
    Session s = session;
    return initiator != null && s != null && s.isLoggedOn();
  }

  // ---------------------------------------------------------------- requests

  @Override
  public Future<ExecutionReport> send(LpOrder order) {
    String problem = check(order);
    if (problem != null) return Future.failedFuture(new IllegalArgumentException(problem));
    NewOrderSingle m = new NewOrderSingle();
    m.setString(11, order.clOrdId());
    m.setString(55, order.instrumentId());
    m.setChar(54, side(order.side()));
    FixSupport.setMicros(m, 60, Instant.now());
    FixSupport.setDecimal(m, 38, order.quantity());
    m.setChar(40, order.type() == LpOrder.Type.LIMIT ? '2' : '1');
    if (order.type() == LpOrder.Type.LIMIT) FixSupport.setDecimal(m, 44, order.price());
    if (order.timeInForce() != null) m.setChar(59, tif(order.timeInForce()));
    // sent before (a retry after a timeout): PossResend lets the LP answer with the order's state if it has it
    if (!sentOrders.add(order.clOrdId())) m.getHeader().setBoolean(97, true);
    return request(pendingNew, order.clOrdId(), order, m);
  }

  @Override
  public Future<ExecutionReport> cancel(String clOrdId, String origClOrdId, LpOrder original) {
    if (clOrdId == null || origClOrdId == null || original == null) {
      return Future.failedFuture(new IllegalArgumentException("cancel needs clOrdId, origClOrdId and the original order"));
    }
    OrderCancelRequest m = new OrderCancelRequest();
    m.setString(41, origClOrdId);
    m.setString(11, clOrdId);
    m.setString(55, original.instrumentId());
    m.setChar(54, side(original.side()));
    FixSupport.setMicros(m, 60, Instant.now());
    FixSupport.setDecimal(m, 38, original.quantity());
    return request(pendingAmend, clOrdId, original, m);
  }

  @Override
  public Future<ExecutionReport> replace(String origClOrdId, LpOrder replacement) {
    String problem = check(replacement);
    if (problem == null && origClOrdId == null) problem = "replace needs origClOrdId";
    if (problem != null) return Future.failedFuture(new IllegalArgumentException(problem));
    OrderCancelReplaceRequest m = new OrderCancelReplaceRequest();
    m.setString(41, origClOrdId);
    m.setString(11, replacement.clOrdId());
    m.setString(55, replacement.instrumentId());
    m.setChar(54, side(replacement.side()));
    FixSupport.setMicros(m, 60, Instant.now());
    FixSupport.setDecimal(m, 38, replacement.quantity());
    m.setChar(40, replacement.type() == LpOrder.Type.LIMIT ? '2' : '1');
    if (replacement.type() == LpOrder.Type.LIMIT) FixSupport.setDecimal(m, 44, replacement.price());
    if (replacement.timeInForce() != null) m.setChar(59, tif(replacement.timeInForce()));
    return request(pendingAmend, replacement.clOrdId(), replacement, m);
  }

  @Override
  public Future<ExecutionReport> status(String clOrdId, LpOrder original) {
    if (clOrdId == null || original == null) {
      return Future.failedFuture(new IllegalArgumentException("status needs clOrdId and the original order"));
    }
    OrderStatusRequest m = new OrderStatusRequest();
    m.setString(11, clOrdId);
    m.setString(55, original.instrumentId());
    m.setChar(54, side(original.side()));
    return request(pendingStatus, clOrdId, original, m);
  }

  /**
   * Registers the pending answer before sending, so that even an instant answer finds it. Fails at once when
   * the session is down: then nothing reached the LP and the caller may route elsewhere.
   */
  private Future<ExecutionReport> request(Map<String, Pending> pending, String clOrdId, LpOrder order, Message m) {
    Session s = session;
    if (initiator == null || s == null || !s.isLoggedOn()) {
      return Future.failedFuture(new IllegalStateException("LP " + config.id() + " is not logged on"));
    }
    long deadline = System.currentTimeMillis() + PENDING_TTL_MS;
    Pending fresh = new Pending(Promise.promise(), order, deadline);
    Pending earlier = pending.putIfAbsent(clOrdId, fresh);
    if (earlier != null) {
      // the same request again while the first is unanswered (the caller timed out and retries): it goes out
      // again and both callers get the one answer the LP gives for that ClOrdID
      pending.replace(clOrdId, earlier, new Pending(earlier.promise(), order, deadline));
    }
    Pending p = earlier == null ? fresh : earlier;
    boolean sent;
    try {
      sent = s.send(m);
    } catch (RuntimeException e) {
      if (earlier == null) pending.remove(clOrdId, fresh);
      return Future.failedFuture(e);
    }
    if (!sent) {
      // stored by QuickFIX/J but never written: toApp turns its resend into a gap fill, so it is truly not sent
      if (earlier == null) pending.remove(clOrdId, fresh);
      return Future.failedFuture(new IllegalStateException("LP " + config.id() + " session went down: " + m.getClass().getSimpleName() + " " + clOrdId + " not sent"));
    }
    return p.promise().future();
  }

  private static String check(LpOrder o) {
    if (o == null) return "order is required";
    if (o.clOrdId() == null || o.clOrdId().isBlank()) return "clOrdId is required";
    if (o.instrumentId() == null || o.side() == null || o.type() == null || o.quantity() == null) {
      return "instrumentId, side, type and quantity are required";
    }
    if (o.quantity().signum() <= 0) return "quantity must be more than 0";
    if (o.type() == LpOrder.Type.LIMIT && (o.price() == null || o.price().signum() <= 0)) return "a limit order needs a price above 0";
    return null;
  }

  private void sweep() {
    long now = System.currentTimeMillis();
    for (Map<String, Pending> m : List.of(pendingNew, pendingAmend, pendingStatus)) {
      m.entrySet().removeIf(e -> {
        if (e.getValue().deadlineMillis() > now) return false;
        e.getValue().promise().tryFail(new TimeoutException("LP " + config.id() + " never answered " + e.getKey()));
        return true;
      });
    }
  }

  // ---------------------------------------------------------------- FIX application (QuickFIX/J thread)

  private final class Fix implements Application {
    @Override
    public void onCreate(SessionID id) {
      // nothing to prepare
    }

    @Override
    public void onLogon(SessionID id) {
      subscribe();
      onContext(() -> sessionState(true, "logged on to " + config.host() + ":" + config.port() + " as " + id));
    }

    @Override
    public void onLogout(SessionID id) {
      onContext(() -> sessionState(false, "logged out from " + config.host() + ":" + config.port()));
    }

    @Override
    public void toAdmin(Message message, SessionID id) {
      if (MsgType.REJECT.equals(msgType(message))) {
        sessionRejectsSent.incrementAndGet();
        log.error("LP {}: refused one of its messages at session level (35=3, RefSeqNum {}): {}; if it was an "
          + "execution report, a fill may be lost: reconcile", config.id(), FixSupport.string(message, 45), FixSupport.string(message, 58));
      }
    }

    @Override
    public void fromAdmin(Message message, SessionID id) {
      if (!MsgType.REJECT.equals(msgType(message))) return;
      String ref = FixSupport.string(message, 45);
      String clOrdId = ref == null ? null : recentRequests.get(Integer.valueOf(ref));
      String text = "session reject: " + (FixSupport.string(message, 58) == null ? "tag " + FixSupport.string(message, 371) : FixSupport.string(message, 58));
      log.warn("LP {} refused our message {} ({}): {}", config.id(), ref, clOrdId, text);
      if (clOrdId != null) onContext(() -> rejectPending(clOrdId, text));
    }

    @Override
    public void toApp(Message message, SessionID id) throws DoNotSend {
      if ("Y".equals(FixSupport.string(message.getHeader(), 43))) {
        // a resend after reconnect: a NewOrderSingle replayed here could trade twice; a gap fill goes instead
        log.info("LP {}: not resending {} {} (PossDup); the OMS reconciles by status", config.id(), msgType(message), FixSupport.string(message, 11));
        throw new DoNotSend();
      }
      String clOrdId = FixSupport.string(message, 11);
      String seq = FixSupport.string(message.getHeader(), 34);
      if (clOrdId != null && seq != null) recentRequests.put(Integer.valueOf(seq), clOrdId);
    }

    @Override
    public void fromApp(Message message, SessionID id) {
      String type = msgType(message);
      try {
        switch (type) {
          case quickfix.fix44.ExecutionReport.MSGTYPE -> {
            ExecutionReport r = toReport(message);
            boolean duplicate = r.kind() == Kind.REJECTED && "6".equals(FixSupport.string(message, 103));
            onContext(() -> deliver(r, duplicate));
          }
          case OrderCancelReject.MSGTYPE -> {
            Message m = message;
            onContext(() -> deliverCancelReject(m));
          }
          case MarketDataSnapshotFullRefresh.MSGTYPE -> conflate(toQuote(message));
          case MarketDataRequestReject.MSGTYPE -> log.warn("LP {} refused market data request {}: {}", config.id(),
            FixSupport.string(message, 262), FixSupport.string(message, 58));
          case BusinessMessageReject.MSGTYPE -> {
            String ref = FixSupport.string(message, 379);
            String text = "business reject: " + FixSupport.string(message, 58);
            log.warn("LP {}: {} (ref {}, msg type {})", config.id(), text, ref, FixSupport.string(message, 372));
            if (ref != null) onContext(() -> rejectPending(ref, text));
          }
          default -> log.debug("LP {}: ignoring message type {}", config.id(), type);
        }
      } catch (RuntimeException | FieldNotFound e) {
        if (quickfix.fix44.ExecutionReport.MSGTYPE.equals(type)) {
          unreadableReports.incrementAndGet();
          log.error("LP {}: unreadable execution report, reconcile the order: {}", config.id(), message, e);
        } else {
          log.warn("LP {}: unreadable {} message: {}", config.id(), type, e.toString());
        }
      }
    }
  }

  private void subscribe() {
    List<String> symbols = instruments;
    if (symbols.isEmpty()) return;
    MarketDataRequest v = new MarketDataRequest();
    v.setString(262, config.id() + "-md-" + mdReqSeq.incrementAndGet());
    v.setChar(263, '1'); // snapshot + updates
    v.setInt(264, 1); // top of book is all a Quote carries
    v.setInt(265, 0); // full refresh
    for (char t : new char[] {'0', '1'}) {
      MarketDataRequest.NoMDEntryTypes g = new MarketDataRequest.NoMDEntryTypes();
      g.setChar(269, t);
      v.addGroup(g);
    }
    for (String s : symbols) {
      MarketDataRequest.NoRelatedSym g = new MarketDataRequest.NoRelatedSym();
      g.setString(55, s);
      v.addGroup(g);
    }
    Session s = session != null ? session : Session.lookupSession(sessionId);
    if (s != null) s.send(v);
  }

  private void onContext(Runnable r) {
    Context ctx = context;
    if (ctx != null) ctx.runOnContext(v -> {
      try {
        r.run();
      } catch (RuntimeException e) {
        log.error("LP {}: listener failed", config.id(), e);
      }
    });
  }

  private void sessionState(boolean loggedOn, String detail) {
    if (up == loggedOn) return; // failed reconnect attempts report a logout each: say it once
    up = loggedOn;
    listener.onSessionState(loggedOn, detail);
  }

  private void conflate(Quote q) {
    // only the newest snapshot per instrument waits for the event loop: the hand-over queue stays bounded
    if (pendingQuotes.put(q.instrumentId(), q) == null) {
      onContext(() -> {
        Quote latest = pendingQuotes.remove(q.instrumentId());
        if (latest != null) listener.onQuote(latest);
      });
    }
  }

  private void deliver(ExecutionReport r, boolean duplicate) {
    if (duplicate) {
      duplicateRejects.incrementAndGet();
      // the LP refused the message, not the order it already has: that order's state answers the send, and the
      // reject never reaches the listener, where it would read as a rejection of the original order
      Pending p = pendingNew.remove(r.clOrdId());
      log.warn("LP {} already has ClOrdID {} (duplicate reject){}", config.id(), r.clOrdId(), p == null ? "" : ": asking its status");
      if (p != null) {
        status(r.clOrdId(), p.order()).onComplete(ar -> {
          if (ar.succeeded()) p.promise().tryComplete(ar.result());
          else p.promise().tryFail(ar.cause());
        });
      }
      return;
    }
    Pending p;
    if (r.kind() == Kind.ORDER_STATUS) {
      p = pendingStatus.remove(r.clOrdId());
      if (p == null) p = pendingNew.remove(r.clOrdId()); // the LP answered a resent order with its state
    } else {
      p = pendingAmend.remove(r.clOrdId());
      if (p == null) p = pendingNew.remove(r.clOrdId());
    }
    try {
      listener.onExecution(r);
    } finally {
      if (p != null) p.promise().tryComplete(r);
    }
  }

  private void deliverCancelReject(Message m) {
    String clOrdId = FixSupport.string(m, 11);
    Pending p = clOrdId == null ? null : pendingAmend.remove(clOrdId);
    if (p == null) {
      log.info("LP {}: cancel reject for {} with no request waiting: {}", config.id(), clOrdId, FixSupport.string(m, 58));
      return;
    }
    Character ordStatus = FixSupport.character(m, 39);
    String reason = FixSupport.string(m, 102);
    LpOrderStatus status = "1".equals(reason) || ordStatus == null ? LpOrderStatus.UNKNOWN : status(ordStatus, null);
    String text = FixSupport.string(m, 58);
    if (text == null) text = "cancel rejected, CxlRejReason " + reason;
    Instant t = FixSupport.timestamp(m, 60);
    p.promise().tryComplete(new ExecutionReport(config.id(), "cxlrej:" + clOrdId, clOrdId, FixSupport.string(m, 41),
      orderId(FixSupport.string(m, 37)), Kind.REJECTED, status, p.order().instrumentId(), p.order().side(), null, null,
      null, null, null, text, t != null ? t : FixSupport.timestamp(m.getHeader(), 52), possDup(m)));
  }

  /**
   * A session or business reject of one of our requests: the LP did not take the message. A new order is
   * therefore rejected; a refused cancel, replace or status request says nothing about the order, so it fails.
   */
  private void rejectPending(String clOrdId, String text) {
    Pending p = pendingNew.remove(clOrdId);
    if (p != null) {
      p.promise().tryComplete(new ExecutionReport(config.id(), "reject:" + clOrdId, clOrdId, null, null, Kind.REJECTED,
        LpOrderStatus.REJECTED, p.order().instrumentId(), p.order().side(), null, null, BigDecimal.ZERO,
        BigDecimal.ZERO, BigDecimal.ZERO, text, Instant.now(), false));
    }
    for (Map<String, Pending> m : List.of(pendingAmend, pendingStatus)) {
      Pending q = m.remove(clOrdId);
      if (q != null) q.promise().tryFail(new IllegalStateException("LP " + config.id() + " refused the request " + clOrdId + ": " + text));
    }
  }

  // ---------------------------------------------------------------- mapping

  ExecutionReport toReport(Message m) throws FieldNotFound {
    char execType = m.getChar(150);
    Kind kind = kind(execType);
    if (execType == 'G' || execType == 'H') {
      log.error("LP {}: trade {} for {} (ExecID {}, ref {}): needs manual handling", config.id(),
        execType == 'G' ? "correction" : "cancel", FixSupport.string(m, 11), FixSupport.string(m, 17), FixSupport.string(m, 19));
    }
    BigDecimal cum = FixSupport.decimal(m, 14);
    Character ordStatus = FixSupport.character(m, 39);
    LpOrderStatus status = ordStatus == null ? LpOrderStatus.UNKNOWN : status(ordStatus, cum); // 39 is required: not seen
    String text = FixSupport.string(m, 58);
    if (kind == Kind.ORDER_STATUS && ordStatus != null && ordStatus == '8'
      && ("5".equals(FixSupport.string(m, 103)) || (text != null && text.toLowerCase().contains("unknown order")))) {
      status = LpOrderStatus.UNKNOWN;
    }
    if (text == null && m.isSetField(103) && kind == Kind.REJECTED) text = "OrdRejReason " + m.getString(103);
    boolean fill = kind == Kind.TRADE;
    Instant t = FixSupport.timestamp(m, 60);
    return new ExecutionReport(config.id(), m.getString(17), FixSupport.string(m, 11), FixSupport.string(m, 41),
      orderId(FixSupport.string(m, 37)), kind, status, FixSupport.string(m, 55), side(FixSupport.character(m, 54)),
      fill ? FixSupport.decimal(m, 32) : null, fill ? FixSupport.decimal(m, 31) : null, cum, FixSupport.decimal(m, 151),
      FixSupport.decimal(m, 6), text, t != null ? t : FixSupport.timestamp(m.getHeader(), 52), possDup(m));
  }

  Quote toQuote(Message m) throws FieldNotFound {
    BigDecimal bid = null;
    BigDecimal bidSize = null;
    BigDecimal ask = null;
    BigDecimal askSize = null;
    for (Group g : m.getGroups(268)) {
      Character type = FixSupport.character(g, 269);
      BigDecimal px = FixSupport.decimal(g, 270);
      if (type == null || px == null) continue;
      if (type == '0' && (bid == null || px.compareTo(bid) > 0)) {
        bid = px;
        bidSize = FixSupport.decimal(g, 271);
      } else if (type == '1' && (ask == null || px.compareTo(ask) < 0)) {
        ask = px;
        askSize = FixSupport.decimal(g, 271);
      }
    }
    Instant t = FixSupport.timestamp(m.getHeader(), 52);
    return new Quote(config.id(), m.getString(55), bid, bidSize, ask, askSize, t != null ? t : Instant.now());
  }

  private static boolean possDup(Message m) {
    return "Y".equals(FixSupport.string(m.getHeader(), 43));
  }

  private static String orderId(String s) {
    return s == null || s.equalsIgnoreCase("NONE") ? null : s; // "NONE": the LP has no order for it
  }

  static Kind kind(char execType) {
    return switch (execType) {
      case '0' -> Kind.NEW;
      case 'F', '1', '2' -> Kind.TRADE; // 1 and 2: FIX 4.2 partial fill / fill, still sent by some LPs
      case '4' -> Kind.CANCELED;
      case '5' -> Kind.REPLACED;
      case '8' -> Kind.REJECTED;
      case 'C' -> Kind.EXPIRED;
      case '6' -> Kind.PENDING_CANCEL;
      case 'E' -> Kind.PENDING_REPLACE;
      default -> Kind.ORDER_STATUS; // I, and states without a kind of their own (done for day, restated, ...)
    };
  }

  static LpOrderStatus status(char ordStatus, BigDecimal cumQty) {
    return switch (ordStatus) {
      case '0' -> LpOrderStatus.NEW;
      case '1' -> LpOrderStatus.PARTIALLY_FILLED;
      case '2' -> LpOrderStatus.FILLED;
      case '4' -> LpOrderStatus.CANCELED;
      case '8' -> LpOrderStatus.REJECTED;
      case 'C' -> LpOrderStatus.EXPIRED;
      case '6' -> LpOrderStatus.PENDING_CANCEL;
      case 'E' -> LpOrderStatus.PENDING_REPLACE;
      // live states without a status of their own (replaced in 4.2, pending new, stopped, ...)
      default -> cumQty != null && cumQty.signum() > 0 ? LpOrderStatus.PARTIALLY_FILLED : LpOrderStatus.NEW;
    };
  }

  private static Side side(Character c) {
    if (c == null) return null;
    return c == '1' || c == '3' ? Side.BUY : Side.SELL; // 3 buy minus; 2, 4, 5, 6 are sells
  }

  private static char side(Side s) {
    return s == Side.BUY ? '1' : '2';
  }

  private static char tif(LpOrder.TimeInForce t) {
    return switch (t) {
      case DAY -> '0';
      case GTC -> '1';
      case IOC -> '3';
      case FOK -> '4';
    };
  }

  private static String msgType(Message m) {
    return FixSupport.string(m.getHeader(), 35);
  }

  /** For tests and operations: requests still waiting for the LP. */
  public int pendingRequests() {
    return pendingNew.size() + pendingAmend.size() + pendingStatus.size();
  }
}
