package io.orion.oms.bench;

import io.orion.oms.lp.Quote;
import io.orion.oms.order.OrderType;
import io.orion.oms.order.RoutingStrategy;
import io.orion.oms.order.Side;
import io.orion.oms.routing.RouteRequest;
import io.orion.oms.routing.RouteResult;
import io.orion.oms.routing.Router;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One routing decision, as the RoutingVerticle makes it per order: a 5,000,000 EURUSD limit buy against one
 * fresh quote per LP (asks spread over 20 ticks around the limit, so about a quarter are through it; sizes
 * 1 to 5 million, off the lot now and then), every LP but one healthy. Sample time, so that percentiles are
 * measured per call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RoutingBenchmark {

  @Param({"2", "10", "50"})
  public int lps;

  @Param({"BEST", "SPLIT"})
  public RoutingStrategy strategy;

  private Router router;
  private RouteRequest request;
  private List<Quote> quotes;
  private Set<String> healthy;

  @Setup
  public void setUp() {
    Instant now = Instant.parse("2025-03-03T10:00:00Z");
    Random rnd = new Random(1);
    BigDecimal tick = new BigDecimal("0.00001");
    BigDecimal base = new BigDecimal("1.08500");
    quotes = new ArrayList<>(lps);
    healthy = new HashSet<>();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < lps; i++) {
      String id = "lp-" + i;
      ids.add(id);
      BigDecimal ask = base.add(tick.multiply(BigDecimal.valueOf(rnd.nextInt(20))));
      BigDecimal askSize = BigDecimal.valueOf(1_000_000L + 1000L * rnd.nextInt(4000) + (rnd.nextInt(4) == 0 ? 500 : 0));
      quotes.add(new Quote(id, "EURUSD", ask.subtract(tick.multiply(BigDecimal.valueOf(5))), askSize, ask, askSize,
        now.minusMillis(rnd.nextInt(200))));
      if (i != lps - 1 || lps == 2) healthy.add(id);
    }
    router = new Router(Clock.fixed(now, ZoneOffset.UTC), ids);
    request = new RouteRequest("EURUSD", Side.BUY, OrderType.LIMIT, new BigDecimal("5000000"), new BigDecimal("1.08515"),
      strategy, null, List.of(), new BigDecimal("1000"));
  }

  @Benchmark
  public RouteResult decide() {
    return router.decide(request, quotes, healthy);
  }
}
