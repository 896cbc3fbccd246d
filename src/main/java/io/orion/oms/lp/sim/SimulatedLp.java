package io.orion.oms.lp.sim;

import io.orion.oms.instrument.Instrument;
import io.orion.oms.lp.fix.FixSupport;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import quickfix.Application;
import quickfix.ConfigError;
import quickfix.DefaultMessageFactory;
import quickfix.DoNotSend;
import quickfix.FieldNotFound;
import quickfix.FileStoreFactory;
import quickfix.Group;
import quickfix.Message;
import quickfix.MessageStore;
import quickfix.MessageStoreFactory;
import quickfix.Session;
import quickfix.SessionID;
import quickfix.SessionSettings;
import quickfix.SocketAcceptor;
import quickfix.UnsupportedMessageType;
import quickfix.field.MsgType;
import quickfix.fix44.ExecutionReport;
import quickfix.fix44.MarketDataRequest;
import quickfix.fix44.MarketDataRequestReject;
import quickfix.fix44.MarketDataSnapshotFullRefresh;
import quickfix.fix44.NewOrderSingle;
import quickfix.fix44.OrderCancelReject;
import quickfix.fix44.OrderCancelReplaceRequest;
import quickfix.fix44.OrderCancelRequest;
import quickfix.fix44.OrderStatusRequest;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A liquidity provider on a real FIX 4.4 socket: quotes a random-walk book per instrument, fills orders
 * against it, and answers cancel, replace and status requests. One acceptor session (LP comp id → OMS
 * comp id) whose sequence numbers live in a FileStore, and an order journal next to it, so a restart on
 * the same directory continues both.
 *
 * <p>Threads: QuickFIX/J's acceptor thread only queues work; every book, order and subscription is
 * touched on one engine thread, so no state needs locks. The public test controls are thread-safe.
 */
public final class SimulatedLp implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SimulatedLp.class);
  private static final BigDecimal BPS_2 = new BigDecimal("20000"); // half the spread, in basis points
  private static final BigDecimal STEP_FRACTION = new BigDecimal("0.00001"); // random-walk unit: 0.1 bp
  private static final BigDecimal DRIFT_BAND = new BigDecimal("0.02"); // pull back when 2 % off reference

  private final Map<String, Instrument> instruments = new LinkedHashMap<>();
  private final Path dir;
  private final String bootId;
  private final AtomicLong execSeq = new AtomicLong();
  private final AtomicLong orderSeq = new AtomicLong();
  private final AtomicLong ordersReceived = new AtomicLong();
  private final ScheduledExecutorService engine;
  private final Random random;
  private volatile Thread engineThread;
  private volatile SimulatedLpConfig config;
  private volatile double rejectRate;
  private volatile double timeoutRate;
  private volatile double partialFillRate;
  /** Test fault: cancel requests are lost on the way (never answered, nothing cancelled). */
  private volatile boolean dropCancels;
  private volatile long latencyMs;
  private volatile boolean running;
  private volatile boolean closed;
  private SocketAcceptor acceptor; // guarded by this
  private boolean tickerStarted; // guarded by this

  // engine-thread state
  private final Map<String, Book> books = new LinkedHashMap<>();
  private final Map<String, SimOrder> byClOrdId = new HashMap<>();
  private final Map<String, SimOrder> working = new LinkedHashMap<>();
  private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();
  private BufferedWriter journal;

  private record Subscription(String mdReqId, int depth) {}

  /**
   * @param instruments what this LP quotes and trades
   * @param storeRoot   a directory of its own is used under it ({@code storeRoot/<id>}): FIX store and order journal
   */
  public SimulatedLp(SimulatedLpConfig config, List<Instrument> instruments, Path storeRoot) {
    this.config = config;
    this.dir = storeRoot.resolve(config.id()).toAbsolutePath();
    this.rejectRate = config.rejectRate();
    this.timeoutRate = config.timeoutRate();
    this.partialFillRate = config.partialFillRate();
    this.latencyMs = config.latencyMs();
    this.random = config.seed() == null ? new Random() : new Random(config.seed());
    // ExecIDs and OrderIDs must never repeat, also after a restart: every boot gets its own prefix
    byte[] b = new byte[3];
    new SecureRandom().nextBytes(b);
    this.bootId = Long.toString(System.currentTimeMillis(), 36).toUpperCase()
      + String.format("%02X%02X%02X", b[0], b[1], b[2]);
    for (Instrument i : instruments) {
      this.instruments.put(i.id(), i);
      books.put(i.id(), new Book(i));
    }
    this.engine = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "lp-sim-" + config.id());
      t.setDaemon(true);
      engineThread = t;
      return t;
    });
    onEngine(() -> {
      Files.createDirectories(dir);
      loadJournal();
      books.values().forEach(this::rebuild);
      return null;
    });
  }

  // ---------------------------------------------------------------- lifecycle

  /** Starts (or restarts) the acceptor; the book keeps moving from where it was. */
  public synchronized SimulatedLp start() {
    if (closed) throw new IllegalStateException("closed");
    if (acceptor != null) return this;
    int attempts = config.port() == 0 ? 5 : 1;
    for (int i = 1; ; i++) {
      if (config.port() == 0 || i > 1) config = config.withPort(freePort(config.host()));
      try {
        SessionSettings settings = settings();
        SocketAcceptor a = new SocketAcceptor(new Fix(), new QuoteSkippingStoreFactory(new FileStoreFactory(settings)), settings,
          FixSupport.logFactory("io.orion.oms.lp.sim.fix"), new DefaultMessageFactory());
        a.start();
        acceptor = a;
        break;
      } catch (ConfigError | RuntimeException e) {
        if (i >= attempts) throw new IllegalStateException("LP " + config.id() + " cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
      }
    }
    running = true;
    if (!tickerStarted) {
      tickerStarted = true;
      engine.scheduleAtFixedRate(this::tick, config.quoteIntervalMs(), config.quoteIntervalMs(), TimeUnit.MILLISECONDS);
    }
    log.info("LP {} listening on {}:{} as {}", config.id(), config.host(), config.port(), config.lpCompId());
    return this;
  }

  /** Drops the connection and stops listening, as an LP that goes away; orders on the way are not processed. */
  public synchronized void stop() {
    running = false;
    if (acceptor != null) {
      acceptor.stop(true);
      acceptor = null;
    }
    onEngine(() -> {
      subscriptions.clear();
      return null;
    });
  }

  @Override
  public synchronized void close() {
    if (closed) return;
    stop();
    closed = true;
    onEngine(() -> {
      if (journal != null) journal.close();
      return null;
    });
    engine.shutdownNow();
  }

  private SessionSettings settings() throws ConfigError {
    String s = String.join("\n",
      "[DEFAULT]",
      "ConnectionType=acceptor",
      "BeginString=FIX.4.4",
      "SenderCompID=" + config.lpCompId(),
      "TargetCompID=" + config.omsCompId(),
      "SocketAcceptAddress=" + config.host(),
      "SocketAcceptPort=" + config.port(),
      "SocketReuseAddress=Y",
      "SocketTcpNoDelay=Y",
      "NonStopSession=Y",
      "UseDataDictionary=Y",
      "DataDictionary=FIX44.xml",
      "ValidateUserDefinedFields=N",
      "AllowUnknownMsgFields=Y",
      "FileStorePath=" + dir.resolve("fix").toString().replace('\\', '/'),
      "FileStoreSync=N",
      "[SESSION]", "");
    return new SessionSettings(new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8)));
  }

  private SessionID sessionId() {
    return new SessionID("FIX.4.4", config.lpCompId(), config.omsCompId());
  }

  private static int freePort(String host) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Quotes are never resent (a gap fill replaces them), so they are not stored either: a FileStore keeping
   * every snapshot would grow by gigabytes a day. Execution reports are stored and replayed after a gap.
   */
  private record QuoteSkippingStoreFactory(MessageStoreFactory files) implements MessageStoreFactory {
    @Override
    public MessageStore create(SessionID sessionId) {
      return new QuoteSkippingStore(files.create(sessionId));
    }
  }

  private record QuoteSkippingStore(MessageStore store) implements MessageStore, Closeable {
    private static final String QUOTE = "\u000135=" + MarketDataSnapshotFullRefresh.MSGTYPE + "\u0001";

    @Override
    public boolean set(int seq, String message) throws IOException {
      return message.contains(QUOTE) || store.set(seq, message);
    }

    @Override
    public void get(int from, int to, Collection<String> messages) throws IOException {
      store.get(from, to, messages);
    }

    @Override
    public int getNextSenderMsgSeqNum() throws IOException {
      return store.getNextSenderMsgSeqNum();
    }

    @Override
    public int getNextTargetMsgSeqNum() throws IOException {
      return store.getNextTargetMsgSeqNum();
    }

    @Override
    public void setNextSenderMsgSeqNum(int next) throws IOException {
      store.setNextSenderMsgSeqNum(next);
    }

    @Override
    public void setNextTargetMsgSeqNum(int next) throws IOException {
      store.setNextTargetMsgSeqNum(next);
    }

    @Override
    public void incrNextSenderMsgSeqNum() throws IOException {
      store.incrNextSenderMsgSeqNum();
    }

    @Override
    public void incrNextTargetMsgSeqNum() throws IOException {
      store.incrNextTargetMsgSeqNum();
    }

    @Override
    public Date getCreationTime() throws IOException {
      return store.getCreationTime();
    }

    @Override
    public void reset() throws IOException {
      store.reset();
    }

    @Override
    public void refresh() throws IOException {
      store.refresh();
    }

    @Override
    public void close() throws IOException {
      if (store instanceof Closeable c) c.close();
    }
  }

  // ---------------------------------------------------------------- test controls and facts

  public SimulatedLpConfig config() {
    return config;
  }

  public String id() {
    return config.id();
  }

  /** The listening port (chosen at first start when configured as 0). */
  public int port() {
    return config.port();
  }

  public boolean loggedOn() {
    Session s = Session.lookupSession(sessionId());
    return running && s != null && s.isLoggedOn();
  }

  public long ordersReceived() {
    return ordersReceived.get();
  }

  /** The FIX session's next outgoing / expected incoming sequence numbers, from its store. */
  public int nextSenderSeqNum() {
    return seq(true);
  }

  public int nextTargetSeqNum() {
    return seq(false);
  }

  private int seq(boolean sender) {
    Session s = Session.lookupSession(sessionId());
    if (s == null) throw new IllegalStateException("LP " + config.id() + " is not started");
    try {
      MessageStore store = s.getStore();
      return sender ? store.getNextSenderMsgSeqNum() : store.getNextTargetMsgSeqNum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void setRejectRate(double r) {
    rejectRate = checkRate(r);
  }

  public void setTimeoutRate(double r) {
    timeoutRate = checkRate(r);
  }

  /** Loses every cancel request from now on (a fault to test that an ignored cancel is sent again). */
  public void setDropCancels(boolean drop) {
    dropCancels = drop;
  }

  public void setPartialFillRate(double r) {
    partialFillRate = checkRate(r);
  }

  public void setLatencyMs(long ms) {
    if (ms < 0) throw new IllegalArgumentException("latencyMs must be >= 0");
    latencyMs = ms;
  }

  private static double checkRate(double r) {
    if (!(r >= 0 && r <= 1)) throw new IllegalArgumentException("rate must be between 0 and 1, got " + r);
    return r;
  }

  /** Fixes the top of book at {@code bid}/{@code ask} until {@link #releaseQuote}; quotes it and matches resting orders at once. */
  public void pinQuote(String instrument, BigDecimal bid, BigDecimal ask) {
    if (bid.signum() <= 0 || ask.compareTo(bid) <= 0) throw new IllegalArgumentException("need 0 < bid < ask");
    onEngine(() -> {
      Book b = book(instrument);
      b.pinBid = bid.setScale(Math.max(bid.scale(), b.ins.tickSize().scale()), RoundingMode.UNNECESSARY);
      b.pinAsk = ask.setScale(Math.max(ask.scale(), b.ins.tickSize().scale()), RoundingMode.UNNECESSARY);
      refresh(b);
      return null;
    });
  }

  /** Lets the price walk again, from the pinned mid. */
  public void releaseQuote(String instrument) {
    onEngine(() -> {
      Book b = book(instrument);
      if (b.pinBid != null) {
        b.mid = roundToTick(b.pinBid.add(b.pinAsk).divide(BigDecimal.valueOf(2), 12, RoundingMode.HALF_EVEN), b.ins.tickSize(), RoundingMode.HALF_EVEN);
        b.pinBid = null;
        b.pinAsk = null;
        refresh(b);
      }
      return null;
    });
  }

  /** The best bid and ask now (index 0 and 1), as the LP would quote them. */
  public BigDecimal[] topOfBook(String instrument) {
    return onEngine(() -> {
      Book b = book(instrument);
      return new BigDecimal[] {b.bidPx[0], b.askPx[0]};
    });
  }

  private Book book(String instrument) {
    Book b = books.get(instrument);
    if (b == null) throw new IllegalArgumentException("LP " + config.id() + " does not quote " + instrument);
    return b;
  }

  /** Runs on the engine thread and waits: callers see the state after their change. */
  private <T> T onEngine(Callable<T> task) {
    if (Thread.currentThread() == engineThread) {
      try {
        return task.call();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    try {
      return engine.submit(task).get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) throw re;
      throw new IllegalStateException(e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("LP " + config.id() + " engine did not answer", e);
    }
  }

  // ---------------------------------------------------------------- FIX application (acceptor thread)

  private final class Fix implements Application {
    @Override
    public void onCreate(SessionID sessionId) {
      // nothing to prepare
    }

    @Override
    public void onLogon(SessionID sessionId) {
      log.info("LP {}: {} logged on", config.id(), sessionId.getTargetCompID());
    }

    @Override
    public void onLogout(SessionID sessionId) {
      log.info("LP {}: {} logged out", config.id(), sessionId.getTargetCompID());
      // the OMS subscribes again after its next logon
      submit(subscriptions::clear);
    }

    @Override
    public void toAdmin(Message message, SessionID sessionId) {
      // no credentials needed
    }

    @Override
    public void fromAdmin(Message message, SessionID sessionId) {
      // session layer only
    }

    @Override
    public void toApp(Message message, SessionID sessionId) throws DoNotSend {
      // a quote replayed after a gap would be stale: let the session send a gap fill instead
      if (isPossDup(message) && MarketDataSnapshotFullRefresh.MSGTYPE.equals(msgType(message))) throw new DoNotSend();
    }

    @Override
    public void fromApp(Message message, SessionID sessionId) throws UnsupportedMessageType {
      String type = msgType(message);
      switch (type) {
        case MarketDataRequest.MSGTYPE -> submit(() -> guarded(() -> onMarketDataRequest(message)));
        case NewOrderSingle.MSGTYPE -> {
          ordersReceived.incrementAndGet();
          later(() -> onNewOrder(message));
        }
        case OrderCancelRequest.MSGTYPE -> later(() -> onCancel(message));
        case OrderCancelReplaceRequest.MSGTYPE -> later(() -> onReplace(message));
        case OrderStatusRequest.MSGTYPE -> later(() -> onStatus(message));
        default -> throw new UnsupportedMessageType();
      }
    }
  }

  /** Order messages wait {@code latencyMs}; an LP that went away meanwhile never processes them. */
  private void later(FixTask task) {
    try {
      engine.schedule(() -> {
        if (running) guarded(task);
      }, latencyMs, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  private void submit(Runnable task) {
    try {
      engine.execute(task);
    } catch (RejectedExecutionException e) {
      // closing
    }
  }

  private interface FixTask {
    void run() throws FieldNotFound;
  }

  private void guarded(FixTask task) {
    try {
      task.run();
    } catch (Exception e) {
      log.warn("LP {}: cannot process message: {}", config.id(), e.toString(), e);
    }
  }

  private static String msgType(Message m) {
    return FixSupport.string(m.getHeader(), MsgType.FIELD);
  }

  private static boolean isPossDup(Message m) {
    return "Y".equals(FixSupport.string(m.getHeader(), 43)) || "Y".equals(FixSupport.string(m.getHeader(), 97));
  }

  private void send(Message m) {
    Session s = Session.lookupSession(sessionId());
    if (s == null) {
      log.warn("LP {}: no session, dropping {}", config.id(), msgType(m));
      return;
    }
    // while the OMS is logged off this stores the message; it goes out on the resend after its logon
    s.send(m);
  }

  // ---------------------------------------------------------------- market data (engine thread)

  private void onMarketDataRequest(Message m) throws FieldNotFound {
    String reqId = m.getString(262);
    char type = m.getChar(263);
    int depth = m.isSetField(264) ? m.getInt(264) : 0;
    for (Group g : m.getGroups(146)) {
      String symbol = g.getString(55);
      Book b = books.get(symbol);
      if (b == null) {
        MarketDataRequestReject rej = new MarketDataRequestReject();
        rej.setString(262, reqId);
        rej.setChar(281, '0'); // unknown symbol
        rej.setString(58, "unknown symbol " + symbol);
        send(rej);
        continue;
      }
      Subscription sub = new Subscription(reqId, depth);
      switch (type) {
        case '0' -> sendSnapshot(b, sub);
        case '1' -> {
          subscriptions.put(symbol, sub);
          sendSnapshot(b, sub);
        }
        case '2' -> subscriptions.remove(symbol);
        default -> log.warn("LP {}: SubscriptionRequestType {} not supported", config.id(), type);
      }
    }
  }

  private void sendSnapshot(Book b, Subscription sub) {
    Session s = Session.lookupSession(sessionId());
    if (s == null || !s.isLoggedOn()) return; // never store quotes for a later resend
    int levels = sub.depth() <= 0 ? config.depthLevels() : Math.min(sub.depth(), config.depthLevels());
    MarketDataSnapshotFullRefresh w = new MarketDataSnapshotFullRefresh();
    w.setString(262, sub.mdReqId());
    w.setString(55, b.ins.id());
    addEntries(w, '0', b.bidPx, b.bidQty, levels);
    addEntries(w, '1', b.askPx, b.askQty, levels);
    send(w);
  }

  private static void addEntries(Message w, char type, BigDecimal[] px, BigDecimal[] qty, int levels) {
    for (int i = 0; i < levels; i++) {
      if (px[i] == null || qty[i].signum() <= 0) continue;
      MarketDataSnapshotFullRefresh.NoMDEntries e = new MarketDataSnapshotFullRefresh.NoMDEntries();
      e.setChar(269, type);
      FixSupport.setDecimal(e, 270, px[i]);
      FixSupport.setDecimal(e, 271, qty[i]);
      e.setInt(290, i + 1);
      w.addGroup(e);
    }
  }

  private void tick() {
    try {
      if (!running) return;
      for (Book b : books.values()) {
        if (b.pinBid == null) walk(b);
        rebuild(b);
      }
      subscriptions.forEach((symbol, sub) -> sendSnapshot(books.get(symbol), sub));
      for (SimOrder o : new ArrayList<>(working.values())) match(o, false);
    } catch (RuntimeException e) {
      log.warn("LP {}: tick failed", config.id(), e);
    }
  }

  /** A new book for {@code b}: snapshot to subscribers, then resting orders that now cross trade. */
  private void refresh(Book b) {
    rebuild(b);
    Subscription sub = subscriptions.get(b.ins.id());
    if (sub != null && running) sendSnapshot(b, sub);
    if (running) {
      for (SimOrder o : new ArrayList<>(working.values())) if (o.symbol.equals(b.ins.id())) match(o, false);
    }
  }

  /** Random walk of the mid in small steps (0.1 bp, at least a tick), pulled back when it drifts 2 % from reference. */
  private void walk(Book b) {
    BigDecimal tick = b.ins.tickSize();
    BigDecimal unit = roundToTick(b.mid.multiply(STEP_FRACTION), tick, RoundingMode.HALF_UP).max(tick);
    int steps = random.nextInt(5) - 2;
    BigDecimal ref = b.ins.referencePrice();
    BigDecimal band = ref.multiply(DRIFT_BAND);
    if (b.mid.subtract(ref).compareTo(band) > 0) steps = -Math.abs(steps);
    else if (ref.subtract(b.mid).compareTo(band) > 0) steps = Math.abs(steps);
    BigDecimal next = b.mid.add(unit.multiply(BigDecimal.valueOf(steps)));
    if (next.compareTo(tick.multiply(BigDecimal.valueOf(config.depthLevels() + 2L))) > 0) b.mid = next;
  }

  private void rebuild(Book b) {
    BigDecimal tick = b.ins.tickSize();
    BigDecimal bestBid;
    BigDecimal bestAsk;
    if (b.pinBid != null) {
      bestBid = b.pinBid;
      bestAsk = b.pinAsk;
    } else {
      BigDecimal half = b.mid.multiply(config.spreadBps()).divide(BPS_2, 12, RoundingMode.HALF_UP);
      bestBid = roundToTick(b.mid.subtract(half), tick, RoundingMode.FLOOR);
      bestAsk = roundToTick(b.mid.add(half), tick, RoundingMode.CEILING);
      if (bestAsk.compareTo(bestBid) <= 0) bestAsk = bestBid.add(tick);
    }
    BigDecimal size = b.ins.lotSize().multiply(BigDecimal.valueOf(config.sizePerLevelLots()));
    for (int i = 0; i < config.depthLevels(); i++) {
      BigDecimal off = tick.multiply(BigDecimal.valueOf(i));
      BigDecimal bid = bestBid.subtract(off);
      b.bidPx[i] = bid.signum() > 0 ? bid : null;
      b.bidQty[i] = bid.signum() > 0 ? size : BigDecimal.ZERO;
      b.askPx[i] = bestAsk.add(off);
      b.askQty[i] = size;
    }
  }

  static BigDecimal roundToTick(BigDecimal price, BigDecimal tick, RoundingMode mode) {
    return price.divide(tick, 0, mode).multiply(tick).setScale(Math.max(0, tick.scale()), RoundingMode.UNNECESSARY);
  }

  static BigDecimal plain(BigDecimal d) {
    BigDecimal s = d.stripTrailingZeros();
    return s.scale() < 0 ? s.setScale(0, RoundingMode.UNNECESSARY) : s;
  }

  private final class Book {
    final Instrument ins;
    BigDecimal mid;
    BigDecimal pinBid;
    BigDecimal pinAsk;
    final BigDecimal[] bidPx;
    final BigDecimal[] bidQty;
    final BigDecimal[] askPx;
    final BigDecimal[] askQty;

    Book(Instrument ins) {
      this.ins = ins;
      this.mid = roundToTick(ins.referencePrice(), ins.tickSize(), RoundingMode.HALF_EVEN);
      int n = config.depthLevels();
      bidPx = new BigDecimal[n];
      bidQty = new BigDecimal[n];
      askPx = new BigDecimal[n];
      askQty = new BigDecimal[n];
    }
  }

  // ---------------------------------------------------------------- orders (engine thread)

  private void onNewOrder(Message d) throws FieldNotFound {
    String clOrdId = d.getString(11);
    SimOrder known = byClOrdId.get(clOrdId);
    if (known != null) {
      // a resend of an order we have gets its current state; a new order reusing the id is a duplicate
      if (isPossDup(d)) send(report(known, 'I', clOrdId, null, null, "order already received"));
      else rejectNew(d, 6, "duplicate ClOrdID " + clOrdId, false);
      return;
    }
    if (random.nextDouble() < timeoutRate) {
      log.info("LP {}: simulating a timeout, {} is never answered", config.id(), clOrdId);
      return; // as if lost on the way: never booked, so a status request finds nothing
    }
    String symbol = d.getString(55);
    Instrument ins = instruments.get(symbol);
    if (ins == null) {
      rejectNew(d, 1, "unknown symbol " + symbol, true);
      return;
    }
    String problem = checkTerms(ins, FixSupport.decimal(d, 38), d.getChar(40), FixSupport.decimal(d, 44),
      FixSupport.character(d, 59));
    if (problem != null) {
      rejectNew(d, problem.startsWith("quantity") ? 13 : 11, problem, true);
      return;
    }
    if (random.nextDouble() < rejectRate) {
      rejectNew(d, 0, "simulated reject", true);
      return;
    }
    SimOrder o = new SimOrder(nextOrderId(), clOrdId, symbol, d.getChar(54), d.getChar(40), tif(d),
      FixSupport.decimal(d, 38), d.getChar(40) == '2' ? FixSupport.decimal(d, 44) : null);
    o.splitFills = random.nextDouble() < partialFillRate;
    byClOrdId.put(clOrdId, o);
    journal(o);
    match(o, true);
  }

  private static char tif(Message m) {
    Character c = FixSupport.character(m, 59);
    return c == null ? '0' : c; // FIX: absent means DAY
  }

  /** Null when the terms are acceptable, else the reason. */
  private static String checkTerms(Instrument ins, BigDecimal qty, char ordType, BigDecimal price, Character tif) {
    if (qty == null || qty.signum() <= 0) return "quantity must be more than 0";
    if (qty.remainder(ins.lotSize()).signum() != 0) return "quantity " + qty.toPlainString() + " is not a multiple of the lot size " + ins.lotSize().toPlainString();
    if (ordType != '1' && ordType != '2') return "OrdType " + ordType + " not supported (market or limit only)";
    if (ordType == '2') {
      if (price == null || price.signum() <= 0) return "a limit order needs a price above 0";
      if (price.remainder(ins.tickSize()).signum() != 0) return "price " + price.toPlainString() + " is not on the tick " + ins.tickSize().toPlainString();
    }
    if (tif != null && "0134".indexOf(tif) < 0) return "TimeInForce " + tif + " not supported (DAY, GTC, IOC, FOK)";
    return null;
  }

  private void rejectNew(Message d, int reason, String text, boolean book) throws FieldNotFound {
    ExecutionReport er = new ExecutionReport();
    String orderId = book ? nextOrderId() : "NONE";
    er.setString(37, orderId);
    er.setString(17, nextExecId());
    er.setChar(150, '8');
    er.setChar(39, '8');
    er.setString(11, d.getString(11));
    er.setString(55, d.getString(55));
    er.setChar(54, d.getChar(54));
    copy(d, er, 38, 40, 44, 59);
    er.setString(14, "0");
    er.setString(151, "0");
    er.setString(6, "0");
    er.setInt(103, reason);
    er.setString(58, text);
    FixSupport.setMicros(er, 60, Instant.now());
    if (book && FixSupport.decimal(d, 38) != null) {
      // a rejected ClOrdID stays known: status says REJECTED, and reusing it is a duplicate
      SimOrder o = new SimOrder(orderId, d.getString(11), d.getString(55), d.getChar(54),
        d.isSetField(40) ? d.getChar(40) : '1', tif(d), FixSupport.decimal(d, 38), FixSupport.decimal(d, 44));
      o.status = '8';
      byClOrdId.put(o.clOrdId, o);
      journal(o);
    }
    send(er);
  }

  private static void copy(Message from, Message to, int... tags) throws FieldNotFound {
    for (int t : tags) if (from.isSetField(t)) to.setString(t, from.getString(t));
  }

  /** Trades what the book allows now; the rest rests (GTC/DAY) or is canceled (IOC/FOK, on arrival). */
  private void match(SimOrder o, boolean arrival) {
    if (o.isFinal()) {
      working.remove(o.orderId);
      return;
    }
    Book b = books.get(o.symbol);
    BigDecimal limit = o.ordType == '2' ? o.price : null;
    boolean ioc = o.tif == '3' || o.tif == '4';
    if (o.tif == '4' && available(b, o.side, limit).compareTo(o.leaves()) < 0) {
      cancelRest(o, "FOK: not enough liquidity, nothing filled");
      return;
    }
    List<BigDecimal[]> taken = take(b, o.side, o.leaves(), limit);
    if (!taken.isEmpty()) fill(o, taken);
    if (o.leaves().signum() == 0) {
      working.remove(o.orderId);
    } else if (arrival && ioc) {
      cancelRest(o, "IOC: unfilled quantity canceled");
    } else if (!working.containsKey(o.orderId)) {
      working.put(o.orderId, o);
      if (taken.isEmpty()) send(report(o, '0', o.clOrdId, null, null, null));
    }
  }

  private static BigDecimal available(Book b, char side, BigDecimal limit) {
    BigDecimal sum = BigDecimal.ZERO;
    for (int i = 0; i < b.askPx.length; i++) {
      BigDecimal px = side == '1' ? b.askPx[i] : b.bidPx[i];
      if (px == null || !acceptable(side, px, limit)) break;
      sum = sum.add(side == '1' ? b.askQty[i] : b.bidQty[i]);
    }
    return sum;
  }

  private static boolean acceptable(char side, BigDecimal px, BigDecimal limit) {
    return limit == null || (side == '1' ? px.compareTo(limit) <= 0 : px.compareTo(limit) >= 0);
  }

  /** Walks the opposite side from the best level, consuming the book: [qty, px] per level touched. */
  private static List<BigDecimal[]> take(Book b, char side, BigDecimal wanted, BigDecimal limit) {
    List<BigDecimal[]> out = new ArrayList<>();
    BigDecimal[] px = side == '1' ? b.askPx : b.bidPx;
    BigDecimal[] qty = side == '1' ? b.askQty : b.bidQty;
    BigDecimal rest = wanted;
    for (int i = 0; i < px.length && rest.signum() > 0; i++) {
      if (px[i] == null || !acceptable(side, px[i], limit)) break;
      BigDecimal q = qty[i].min(rest);
      if (q.signum() <= 0) continue;
      qty[i] = qty[i].subtract(q);
      rest = rest.subtract(q);
      out.add(new BigDecimal[] {q, px[i]});
    }
    return out;
  }

  /** One execution at the VWAP of the levels taken, or (partial-fill mode) two or three of whole lots. */
  private void fill(SimOrder o, List<BigDecimal[]> taken) {
    Instrument ins = instruments.get(o.symbol);
    BigDecimal total = taken.stream().map(t -> t[0]).reduce(BigDecimal.ZERO, BigDecimal::add);
    long lots = total.divide(ins.lotSize(), 0, RoundingMode.UNNECESSARY).longValueExact();
    int n = 1;
    if (o.splitFills && lots >= 2) n = (int) Math.min(lots, 2 + random.nextInt(2));
    List<BigDecimal> chunks = new ArrayList<>();
    long left = lots;
    for (int i = n; i > 1; i--) {
      long c = 1 + (long) (random.nextDouble() * (left - i + 1)); // at least one lot for each remaining chunk
      c = Math.min(c, left - (i - 1));
      chunks.add(ins.lotSize().multiply(BigDecimal.valueOf(c)));
      left -= c;
    }
    chunks.add(ins.lotSize().multiply(BigDecimal.valueOf(left)));
    int level = 0;
    BigDecimal levelLeft = taken.get(0)[0];
    int scale = ins.tickSize().scale() + 6;
    for (BigDecimal chunk : chunks) {
      BigDecimal need = chunk;
      BigDecimal notional = BigDecimal.ZERO;
      while (need.signum() > 0) {
        BigDecimal q = levelLeft.min(need);
        notional = notional.add(q.multiply(taken.get(level)[1]));
        need = need.subtract(q);
        levelLeft = levelLeft.subtract(q);
        if (levelLeft.signum() == 0 && level + 1 < taken.size()) levelLeft = taken.get(++level)[0];
      }
      o.cumQty = o.cumQty.add(chunk);
      o.notional = o.notional.add(notional);
      o.status = o.cumQty.compareTo(o.qty) >= 0 ? '2' : '1';
      BigDecimal lastPx = plain(notional.divide(chunk, scale, RoundingMode.HALF_EVEN));
      journal(o);
      send(report(o, 'F', o.clOrdId, chunk, lastPx, null));
    }
  }

  private void cancelRest(SimOrder o, String text) {
    o.status = '4';
    working.remove(o.orderId);
    journal(o);
    send(report(o, '4', o.clOrdId, null, null, text));
  }

  private void onCancel(Message f) throws FieldNotFound {
    String clOrdId = f.getString(11);
    String orig = f.getString(41);
    if (dropCancels) {
      log.info("LP {}: simulating a lost cancel, {} is never answered", config.id(), clOrdId);
      return;
    }
    SimOrder o = byClOrdId.get(orig);
    if (o == null) {
      cancelReject(clOrdId, orig, null, '1', 1, "unknown order");
    } else if (o.isFinal()) {
      cancelReject(clOrdId, orig, o, '1', 0, "too late to cancel: order is " + statusName(o.status));
    } else if (!clOrdId.equals(orig) && byClOrdId.containsKey(clOrdId)) {
      cancelReject(clOrdId, orig, o, '1', 6, "duplicate ClOrdID " + clOrdId);
    } else {
      o.status = '4';
      o.origClOrdId = orig;
      o.clOrdId = clOrdId;
      if (!o.clOrdIds.contains(clOrdId)) o.clOrdIds.add(clOrdId);
      byClOrdId.put(clOrdId, o);
      working.remove(o.orderId);
      journal(o);
      send(report(o, '4', clOrdId, null, null, null));
    }
  }

  private void onReplace(Message g) throws FieldNotFound {
    String clOrdId = g.getString(11);
    String orig = g.getString(41);
    SimOrder o = byClOrdId.get(orig);
    if (o == null) {
      cancelReject(clOrdId, orig, null, '2', 1, "unknown order");
      return;
    }
    if (o.isFinal()) {
      cancelReject(clOrdId, orig, o, '2', 0, "too late to replace: order is " + statusName(o.status));
      return;
    }
    if (byClOrdId.containsKey(clOrdId)) {
      cancelReject(clOrdId, orig, o, '2', 6, "duplicate ClOrdID " + clOrdId);
      return;
    }
    Instrument ins = instruments.get(o.symbol);
    BigDecimal qty = FixSupport.decimal(g, 38);
    char ordType = g.getChar(40);
    BigDecimal price = ordType == '2' ? FixSupport.decimal(g, 44) : null;
    String problem = checkTerms(ins, qty, ordType, price, FixSupport.character(g, 59));
    if (problem == null && qty.compareTo(o.cumQty) < 0) {
      problem = "new quantity " + qty.toPlainString() + " is below the filled " + o.cumQty.toPlainString();
    }
    if (problem != null) {
      cancelReject(clOrdId, orig, o, '2', 99, problem);
      return;
    }
    o.qty = qty;
    o.ordType = ordType;
    o.price = price;
    o.tif = tif(g);
    o.origClOrdId = orig;
    o.clOrdId = clOrdId;
    o.clOrdIds.add(clOrdId);
    byClOrdId.put(clOrdId, o);
    if (o.cumQty.compareTo(o.qty) == 0) {
      o.status = '2';
      working.remove(o.orderId);
    }
    journal(o);
    send(report(o, '5', clOrdId, null, null, null));
    match(o, false); // new terms may cross the book now
  }

  private void onStatus(Message h) throws FieldNotFound {
    String clOrdId = h.getString(11);
    SimOrder o = byClOrdId.get(clOrdId);
    if (o != null) {
      send(report(o, 'I', clOrdId, null, null, null));
      return;
    }
    ExecutionReport er = new ExecutionReport();
    er.setString(37, "NONE");
    er.setString(17, nextExecId());
    er.setChar(150, 'I');
    er.setChar(39, '8');
    er.setString(11, clOrdId);
    er.setString(55, h.getString(55));
    er.setChar(54, h.getChar(54));
    er.setString(14, "0");
    er.setString(151, "0");
    er.setString(6, "0");
    er.setInt(103, 5); // unknown order
    er.setString(58, "unknown order");
    FixSupport.setMicros(er, 60, Instant.now());
    send(er);
  }

  private void cancelReject(String clOrdId, String orig, SimOrder o, char responseTo, int reason, String text) {
    OrderCancelReject r = new OrderCancelReject();
    r.setString(37, o == null ? "NONE" : o.orderId);
    r.setString(11, clOrdId);
    r.setString(41, orig);
    r.setChar(39, o == null ? '8' : o.status);
    r.setChar(434, responseTo);
    r.setInt(102, reason);
    r.setString(58, text);
    FixSupport.setMicros(r, 60, Instant.now());
    send(r);
  }

  private ExecutionReport report(SimOrder o, char execType, String clOrdId, BigDecimal lastQty, BigDecimal lastPx,
                                 String text) {
    Instrument ins = instruments.get(o.symbol);
    ExecutionReport er = new ExecutionReport();
    er.setString(37, o.orderId);
    er.setString(17, nextExecId());
    er.setChar(150, execType);
    er.setChar(39, o.status);
    er.setString(11, clOrdId);
    if (o.origClOrdId != null && (execType == '4' || execType == '5')) er.setString(41, o.origClOrdId);
    er.setString(55, o.symbol);
    er.setChar(54, o.side);
    FixSupport.setDecimal(er, 38, o.qty);
    er.setChar(40, o.ordType);
    if (o.price != null) FixSupport.setDecimal(er, 44, o.price);
    er.setChar(59, o.tif);
    if (lastQty != null) {
      FixSupport.setDecimal(er, 32, lastQty);
      FixSupport.setDecimal(er, 31, lastPx);
    }
    FixSupport.setDecimal(er, 14, o.cumQty);
    FixSupport.setDecimal(er, 151, o.leaves());
    FixSupport.setDecimal(er, 6, o.avgPx(ins.tickSize().scale() + 6));
    if (text != null) er.setString(58, text);
    FixSupport.setMicros(er, 60, Instant.now());
    return er;
  }

  private static String statusName(char s) {
    return switch (s) {
      case '2' -> "filled";
      case '4' -> "canceled";
      case '8' -> "rejected";
      case 'C' -> "expired";
      default -> "open";
    };
  }

  private String nextExecId() {
    return bootId + "-E" + execSeq.incrementAndGet();
  }

  private String nextOrderId() {
    return bootId + "-O" + orderSeq.incrementAndGet();
  }

  // ---------------------------------------------------------------- order journal (engine thread)

  /** Every order change appended as one JSON line: a restart keeps known ClOrdIDs and resting orders. */
  private void journal(SimOrder o) {
    try {
      journal.write(o.toJson().encode());
      journal.newLine();
      journal.flush();
    } catch (IOException e) {
      log.warn("LP {}: order journal write failed: {}", config.id(), e.toString());
    }
  }

  private void loadJournal() throws IOException {
    Path file = dir.resolve("orders.jsonl");
    Map<String, SimOrder> latest = new LinkedHashMap<>();
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.isBlank()) continue;
        try {
          SimOrder o = SimOrder.fromJson(new JsonObject(line));
          latest.put(o.orderId, o);
        } catch (RuntimeException e) {
          log.warn("LP {}: skipping a damaged journal line", config.id()); // a torn last line after a crash
        }
      }
    }
    for (SimOrder o : latest.values()) {
      if (!instruments.containsKey(o.symbol)) continue;
      o.clOrdIds.forEach(c -> byClOrdId.put(c, o));
      if (!o.isFinal()) working.put(o.orderId, o);
    }
    // compact: one line per order
    Path tmp = dir.resolve("orders.jsonl.tmp");
    try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      for (SimOrder o : latest.values()) {
        w.write(o.toJson().encode());
        w.newLine();
      }
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    journal = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND, StandardOpenOption.CREATE);
  }
}
