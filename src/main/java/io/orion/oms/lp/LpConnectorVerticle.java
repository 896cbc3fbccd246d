package io.orion.oms.lp;

import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.circuitbreaker.TimeoutException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.Supplier;

/**
 * One LP: its adapter behind a circuit breaker. Commands arrive on {@code oms.lp.<id>.send|cancel|replace|status}
 * and are answered with the LP's first report ({@code {ok:true, report}}) or a failure naming why
 * ({@code {ok:false, failure: circuit_open|timeout|not_connected|error}}). Quotes are published on
 * {@code oms.md.quote.<instrument>}, every execution report on {@code oms.lp.execution}, and the LP's
 * health on {@code oms.lp.state} whenever it changes and every second.
 */
public final class LpConnectorVerticle extends VerticleBase {
  public static final String EXECUTIONS = "oms.lp.execution";
  public static final String STATE = "oms.lp.state";
  public static final String QUOTES_PREFIX = "oms.md.quote.";
  private static final Logger log = LoggerFactory.getLogger(LpConnectorVerticle.class);

  private final LpSettings settings;
  private final LpAdapter adapter;
  private final List<String> instruments;
  private final LatencyWindow latency = new LatencyWindow(1024);
  private CircuitBreaker breaker;
  private String sessionDetail = "connecting";
  private boolean wasUp;
  private boolean sessionUp; // from the adapter's callbacks: the transport's own flag may lag a logout

  private final MeterRegistry meters;
  private Timer sendLatency;

  public LpConnectorVerticle(LpSettings settings, LpAdapter adapter, List<String> instruments, MeterRegistry meters) {
    this.meters = meters;
    this.settings = settings;
    this.adapter = adapter;
    this.instruments = instruments;
  }

  public static String address(String lpId, String command) {
    return "oms.lp." + lpId + "." + command;
  }

  @Override
  public Future<?> start() {
    breaker = CircuitBreaker.create("lp-" + settings.id(), vertx, new CircuitBreakerOptions()
        .setMaxFailures(settings.maxFailures())
        .setTimeout(settings.callTimeoutMs())
        .setResetTimeout(settings.resetTimeoutMs())
        .setNotificationAddress(null))
      .openHandler(v -> stateChanged("circuit opened"))
      .halfOpenHandler(v -> stateChanged("circuit half-open"))
      .closeHandler(v -> stateChanged("circuit closed"));
    vertx.setPeriodic(1000, id -> publishState());
    sendLatency = Timer.builder("orion.lp.latency").description("Command sent to the LP's first answer")
      .tag("lp", settings.id()).publishPercentileHistogram().register(meters);
    meters.gauge("orion.lp.circuit.state", io.micrometer.core.instrument.Tags.of("lp", settings.id()), breaker,
      b -> switch (b.state()) { case CLOSED -> 0; case HALF_OPEN -> 1; case OPEN -> 2; });
    meters.gauge("orion.lp.connected", io.micrometer.core.instrument.Tags.of("lp", settings.id()), adapter,
      a -> a.connected() ? 1 : 0);
    return Future.all(
        consume("send", true, m -> adapter.send(LpMessages.order(m.body().getJsonObject("order")))),
        consume("replace", true, m -> adapter.replace(m.body().getString("origClOrdId"),
          LpMessages.order(m.body().getJsonObject("order")))),
        consume("cancel", false, m -> adapter.cancel(m.body().getString("clOrdId"), m.body().getString("origClOrdId"),
          LpMessages.order(m.body().getJsonObject("order")))),
        consume("status", false, m -> adapter.status(m.body().getString("clOrdId"),
          LpMessages.order(m.body().getJsonObject("order")))))
      .compose(v -> adapter.start(context, listener(), instruments))
      .onSuccess(v -> publishState());
  }

  @Override
  public Future<?> stop() {
    return adapter.stop();
  }

  /**
   * Orders (send, replace) run through the breaker: only "the LP did not answer" counts as a failure, a
   * reject is an answer. Cancels and status queries are bounded by the same timeout but kept out of the
   * breaker: the breaker resets on any success, and an LP that answers questions while dropping orders
   * must still have its circuit opened.
   */
  private Future<Void> consume(String command, boolean guarded,
                               java.util.function.Function<Message<JsonObject>, Future<ExecutionReport>> call) {
    return vertx.eventBus().<JsonObject>consumer(address(settings.id(), command), msg -> {
      long start = System.nanoTime();
      Supplier<Future<ExecutionReport>> attempt = () -> adapter.connected()
        ? call.apply(msg) : Future.failedFuture(new NotConnected());
      // questions about orders already sent still go out with the circuit open: they are how we learn their fate
      Future<ExecutionReport> result = guarded ? breaker.execute(attempt)
        : attempt.get().timeout(settings.callTimeoutMs(), java.util.concurrent.TimeUnit.MILLISECONDS);
      result.onComplete(ar -> {
        if (ar.succeeded()) {
          latency.record(System.nanoTime() - start);
          sendLatency.record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
          msg.reply(new JsonObject().put("ok", true).put("report", LpMessages.toJson(ar.result())));
        } else {
          msg.reply(new JsonObject().put("ok", false).put("failure", failure(ar.cause()))
            .put("detail", String.valueOf(ar.cause().getMessage())));
        }
      });
    }).completion();
  }

  private static String failure(Throwable t) {
    if (t instanceof OpenCircuitException) return "circuit_open";
    if (t instanceof TimeoutException || t instanceof java.util.concurrent.TimeoutException) return "timeout";
    if (t instanceof NotConnected) return "not_connected";
    return "error";
  }

  private LpListener listener() {
    return new LpListener() {
      @Override
      public void onQuote(Quote quote) {
        vertx.eventBus().publish(QUOTES_PREFIX + quote.instrumentId(), LpMessages.toJson(quote));
      }

      @Override
      public void onExecution(ExecutionReport report) {
        vertx.eventBus().publish(EXECUTIONS, LpMessages.toJson(report));
      }

      @Override
      public void onSessionState(boolean loggedOn, String detail) {
        sessionDetail = detail;
        sessionUp = loggedOn;
        // a lost session is a failed LP: open its circuit at once rather than after five failed sends; it
        // half-opens after the reset timeout like any other, and the first order through closes it
        if (!loggedOn && wasUp && breaker.state() != CircuitBreakerState.OPEN) breaker.open();
        wasUp |= loggedOn;
        log.atInfo().addKeyValue("lpId", settings.id()).log("LP {} session {}: {}", settings.id(), loggedOn ? "up" : "down", detail);
        publishState();
      }
    };
  }

  private void stateChanged(String what) {
    log.atWarn().addKeyValue("lpId", settings.id()).log("LP {} {} (failures: {})", settings.id(), what, breaker.failureCount());
    publishState();
  }

  private void publishState() {
    CircuitBreakerState s = breaker.state();
    vertx.eventBus().publish(STATE, new JsonObject()
      .put("lpId", settings.id()).put("name", settings.name())
      .put("connected", sessionUp && adapter.connected()).put("session", sessionDetail)
      .put("circuit", s.name().toLowerCase()).put("failures", breaker.failureCount())
      .put("latencyP50Us", latency.percentile(50)).put("latencyP99Us", latency.percentile(99)));
  }

  /** The session is down: the command was not sent at all. */
  static final class NotConnected extends RuntimeException {
    NotConnected() {
      super("LP session is not logged on", null, false, false);
    }
  }
}
