package io.orion.oms.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Submit-to-event latency against a running service: N WebSocket clients follow one account's order
 * events while orders are submitted at a steady rate; each client's receipt of an order's order.created
 * is timed from the moment its POST was sent. Stop orders are used (accepted and held, never routed),
 * so the figure is the event path itself: commit, publish, fan-out, socket.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.orion.oms.bench.StreamLatencyBench URL TOKEN ACCOUNT CLIENTS RATE SECONDS</pre>
 */
public final class StreamLatencyBench {
  /**
   * What one run measured: event and 201 latencies in nanoseconds, sorted (a clean run has clients x rate x seconds
   * events and rate x seconds answers), and the submissions not answered 201.
   */
  record Result(long[] eventNanos, long[] ackNanos, int failedSubmits) {}

  public static void main(String[] args) throws Exception {
    int clients = Integer.parseInt(args[3]);
    int rate = Integer.parseInt(args[4]);
    int seconds = Integer.parseInt(args[5]);
    Result r = run(URI.create(args[0]), args[1], args[2], clients, rate, seconds);
    System.out.printf("clients=%d rate=%d/s seconds=%d samples=%d (expected %d) failedSubmits=%d%n", clients, rate,
      seconds, r.eventNanos().length, (long) clients * rate * seconds, r.failedSubmits());
    System.out.println(percentiles(r.eventNanos()));
    System.out.println("submit->201: " + percentiles(r.ackNanos()));
  }

  static Result run(URI base, String token, String account, int clients, int rate, int seconds) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      return measure(vertx, base, token, account, clients, rate, seconds);
    } finally {
      vertx.close().await();
    }
  }

  private static Result measure(Vertx vertx, URI base, String token, String account, int clients, int rate,
                                int seconds) throws Exception {
    int warmupSeconds = Math.max(3, seconds / 5);
    Map<String, Long> sentAt = new ConcurrentHashMap<>();
    long[] samples = new long[clients * rate * (seconds + warmupSeconds + 5)];
    AtomicInteger count = new AtomicInteger();
    long[] acks = new long[rate * (seconds + warmupSeconds + 5)];
    AtomicInteger ackCount = new AtomicInteger();
    long[] measureFrom = {Long.MAX_VALUE};

    WebSocketClient wsClient = vertx.createWebSocketClient(new io.vertx.core.http.WebSocketClientOptions().setMaxConnections(clients + 10));
    CountDownLatch subscribed = new CountDownLatch(clients);
    for (int i = 0; i < clients; i++) {
      wsClient.connect(new WebSocketConnectOptions().setHost(base.getHost()).setPort(base.getPort())
          .setURI("/ws/orders/events?token=" + token))
        .onSuccess(ws -> {
          ws.textMessageHandler(text -> {
            long now = System.nanoTime();
            JsonObject m = new JsonObject(text);
            String type = m.getString("type");
            if ("subscribed".equals(type)) subscribed.countDown();
            else if ("order.created".equals(type)) {
              Long t0 = sentAt.get(m.getJsonObject("data").getString("clientOrderId"));
              if (t0 != null && t0 >= measureFrom[0]) {
                int k = count.getAndIncrement();
                if (k < samples.length) samples[k] = now - t0;
              }
            }
          });
          ws.writeTextMessage(new JsonObject().put("type", "subscribe").put("channel", "orders")
            .put("clientId", account).encode());
        })
        .onFailure(t -> System.err.println("connect failed: " + t.getMessage()));
    }
    if (!subscribed.await(60, TimeUnit.SECONDS)) throw new IllegalStateException("clients did not subscribe");

    HttpClient http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost(base.getHost())
      .setDefaultPort(base.getPort()), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(64));
    long periodNs = 1_000_000_000L / rate;
    long start = System.nanoTime();
    long total = (long) rate * (seconds + warmupSeconds);
    AtomicInteger failed = new AtomicInteger();
    for (long n = 0; n < total; n++) {
      long due = start + n * periodNs;
      long wait = due - System.nanoTime();
      if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
      if (n == (long) rate * warmupSeconds) measureFrom[0] = System.nanoTime();
      String cid = UUID.randomUUID().toString();
      Buffer body = new JsonObject().put("clientId", account).put("instrumentId", "AAPL").put("side", "sell")
        .put("orderType", "stop").put("timeInForce", "gtc").put("quantity", 1).put("stopPrice", "1.00")
        .put("clientOrderId", cid).toBuffer();
      long sent = System.nanoTime();
      boolean measured = sent >= measureFrom[0];
      sentAt.put(cid, sent);
      http.request(new RequestOptions().setMethod(HttpMethod.POST).setURI("/api/v1/orders")
          .putHeader("Authorization", "Bearer " + token).putHeader("Content-Type", "application/json"))
        .compose(req -> req.send(body)).compose(res -> res.statusCode() == 201 ? Future.succeededFuture()
          : Future.failedFuture("status " + res.statusCode()))
        .onSuccess(v -> {
          if (!measured) return;
          int k = ackCount.getAndIncrement();
          if (k < acks.length) acks[k] = System.nanoTime() - sent;
        })
        .onFailure(t -> failed.incrementAndGet());
    }
    Thread.sleep(3000);
    long[] events = Arrays.copyOf(samples, Math.min(count.get(), samples.length));
    long[] answers = Arrays.copyOf(acks, Math.min(ackCount.get(), acks.length));
    Arrays.sort(events);
    Arrays.sort(answers);
    return new Result(events, answers, failed.get());
  }

  /** Sorted nanoseconds to "p50=.. p90=.. p99=.. p99.9=.. max=.." in milliseconds. */
  static String percentiles(long[] sorted) {
    int n = sorted.length;
    List<String> out = new ArrayList<>();
    for (double p : new double[]{0.5, 0.9, 0.99, 0.999}) {
      out.add(String.format("p%s=%.2f ms", (p * 100 % 1 == 0 ? String.valueOf((int) (p * 100)) : String.valueOf(p * 100)),
        n == 0 ? 0 : sorted[(int) Math.min(n - 1, Math.floor(p * n))] / 1e6));
    }
    out.add(String.format("max=%.2f ms", n == 0 ? 0 : sorted[n - 1] / 1e6));
    return String.join("  ", out);
  }
}
