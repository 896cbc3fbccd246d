package io.orion.oms.order;

import io.orion.oms.auth.Caller;
import io.orion.oms.common.BusResult;
import io.orion.oms.common.ProblemException;
import io.orion.oms.lp.LpConnectorVerticle;
import io.orion.oms.events.EventPublisher;
import io.orion.oms.lp.LpMessages;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;
import java.util.function.Function;

/**
 * The only writer of orders, held funds, audit trail and outbox. Commands arrive on the event bus as
 * {@code {caller, ...}} and are answered with a {@link BusResult}.
 */
public final class OrderVerticle extends VerticleBase {
  public static final String SUBMIT = "oms.orders.submit";
  public static final String CANCEL = "oms.orders.cancel";
  public static final String MODIFY = "oms.orders.modify";
  /** From the trigger verticle: {@code {orderId, action: fire|move_stop|reprice, pegPrice?, stopPrice?, bid, ask}}. */
  public static final String TRIGGER = "oms.orders.trigger";
  /** Published after a held order (stop, stop-limit, trailing stop, pegged) changed: {@code {orderId}}. */
  public static final String TRIGGERS_CHANGED = "oms.triggers.changed";
  private static final Logger log = LoggerFactory.getLogger(OrderVerticle.class);

  private final java.util.function.Supplier<OrderCommands> commandsFactory;
  private OrderCommands commands;

  private final long reconcileIntervalMs;
  private final io.orion.oms.config.OrionConfig expiry;
  private final OrderRepository orderReads;
  private final java.time.Clock clock;
  private boolean sweeping;

  public OrderVerticle(java.util.function.Supplier<OrderCommands> commandsFactory) {
    this(commandsFactory, 0, null, null, null);
  }

  /** {@code reconcileIntervalMs}: how often legs left open without news are checked with their LP (0: never). */
  public OrderVerticle(java.util.function.Supplier<OrderCommands> commandsFactory, long reconcileIntervalMs,
                       io.orion.oms.config.OrionConfig expiry, OrderRepository orderReads, java.time.Clock clock) {
    this.commandsFactory = commandsFactory;
    this.reconcileIntervalMs = reconcileIntervalMs;
    this.expiry = expiry;
    this.orderReads = orderReads;
    this.clock = clock;
  }

  /** GTD orders past their expiry and DAY orders older than the last session end are ended. */
  private void sweepExpired() {
    if (sweeping) return; // one sweep at a time
    sweeping = true;
    java.time.Instant now = clock.instant();
    java.time.Instant dayEnd = expiry.orders().lastDayEnd(now);
    orderReads.expired(now, dayEnd).compose(list -> {
      java.util.List<Future<Void>> done = new java.util.ArrayList<>();
      for (Order o : list) {
        String reason = o.timeInForce() == TimeInForce.GTD ? "GTD order expired at " + o.expiryDate()
          : "DAY order expired at the session end " + dayEnd;
        done.add(commands.expire(o, reason));
      }
      return Future.join(done);
    }).onComplete(ar -> {
      sweeping = false;
      if (ar.failed()) log.error("Expiry sweep failed", ar.cause());
    });
  }

  @Override
  public Future<?> start() {
    commands = commandsFactory.get();
    if (expiry != null) {
      vertx.setPeriodic(1, expiry.orders().expirySweepMs(), id -> sweepExpired());
    }
    if (reconcileIntervalMs > 0) {
      vertx.setPeriodic(reconcileIntervalMs, reconcileIntervalMs, id -> commands.lifecycle().reconcile(reconcileIntervalMs)
        .onSuccess(n -> {
          if (n > 0) log.info("Reconciled {} open legs with their LPs", n);
        }));
    }
    // triggered before a stop and never routed: route now
    commands.lifecycle().resumeTriggered().onFailure(e -> log.error("Cannot resume triggered orders", e));
    return Future.all(
      vertx.eventBus().<JsonObject>consumer(SUBMIT, this::submit).completion(),
      vertx.eventBus().<JsonObject>consumer(CANCEL, this::cancel).completion(),
      vertx.eventBus().<JsonObject>consumer(MODIFY, this::modify).completion(),
      vertx.eventBus().<JsonObject>consumer(TRIGGER, this::trigger).completion(),
      vertx.eventBus().<JsonObject>consumer(LpConnectorVerticle.EXECUTIONS,
        m -> commands.lifecycle().onExecution(LpMessages.report(m.body()))).completion());
  }

  /** {@code {caller, order}} → {@code {order, created}}. */
  private void submit(Message<JsonObject> msg) {
    commands.submit(caller(msg), NewOrder.fromBusJson(msg.body().getJsonObject("order")))
      .onComplete(ar -> reply(msg, ar, s -> new JsonObject().put("order", s.order().toBusJson()).put("created", s.created())));
  }

  /** A held order's trigger decision → {@code {}} (nothing to do is not a failure). */
  private void trigger(Message<JsonObject> msg) {
    JsonObject b = msg.body();
    UUID id = UUID.fromString(b.getString("orderId"));
    java.math.BigDecimal bid = io.orion.oms.common.Decimals.parse(b.getValue("bid"));
    java.math.BigDecimal ask = io.orion.oms.common.Decimals.parse(b.getValue("ask"));
    Future<Void> done;
    switch (b.getString("action")) {
      case "fire":
        done = commands.fire(id, io.orion.oms.common.Decimals.parse(b.getValue("pegPrice")), bid, ask);
        break;
      case "move_stop":
        done = commands.moveStop(id, io.orion.oms.common.Decimals.parse(b.getValue("stopPrice")), bid, ask);
        break;
      case "reprice":
        done = commands.reprice(id, io.orion.oms.common.Decimals.parse(b.getValue("pegPrice")), bid, ask);
        break;
      default:
        done = Future.failedFuture("unknown trigger action " + b.getString("action"));
    }
    done.onComplete(ar -> reply(msg, ar, v -> new JsonObject()));
  }

  /** {@code {caller, orderId, reason}} → {@code {order}}. */
  private void cancel(Message<JsonObject> msg) {
    commands.cancel(caller(msg), UUID.fromString(msg.body().getString("orderId")), msg.body().getString("reason"))
      .onComplete(ar -> reply(msg, ar, o -> new JsonObject().put("order", o.toBusJson())));
  }

  /** {@code {caller, orderId, changes, expectedVersion?}} → {@code {order}}. */
  private void modify(Message<JsonObject> msg) {
    JsonObject b = msg.body();
    commands.modify(caller(msg), UUID.fromString(b.getString("orderId")),
        OrderCommands.Modification.fromJson(b.getJsonObject("changes")), b.getLong("expectedVersion"))
      .onComplete(ar -> reply(msg, ar, o -> new JsonObject().put("order", o.toBusJson())));
  }

  private static Caller caller(Message<JsonObject> msg) {
    return Caller.fromJson(msg.body().getJsonObject("caller"));
  }

  /** Business failures are replies; anything else fails the message (the API answers 500 with an errorId). */
  private <T> void reply(Message<JsonObject> msg, AsyncResult<T> ar, Function<T, JsonObject> value) {
    vertx.eventBus().send(EventPublisher.NUDGE, null); // publish the outbox rows just committed without waiting for a poll
    if (ar.succeeded()) {
      msg.reply(BusResult.ok(value.apply(ar.result())));
    } else if (ar.cause() instanceof ProblemException pe) {
      msg.reply(BusResult.fail(pe.problem()));
    } else {
      log.error("Order command on {} failed", msg.address(), ar.cause());
      msg.fail(500, String.valueOf(ar.cause().getMessage()));
    }
  }
}
