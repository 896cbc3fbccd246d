package io.orion.oms.bench;

import io.orion.oms.OrionApp;
import io.orion.oms.config.OrionConfig;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps the stream benchmark working: a whole service on its embedded defaults, three WebSocket clients on the
 * demo account and a few seconds of stop orders at a low rate. Every client must see every measured order's
 * event, and every submission must be answered 201. About 10 s.
 */
class StreamLatencyBenchSmokeTest {
  @Test
  void everyClientSeesEveryOrderEvent() throws Exception {
    OrionApp app = SmokeService.start();
    try {
      OrionConfig.Demo demo = app.config().demo();
      String token = app.issueToken(demo.tenant(), demo.traderId(), List.of("trader"), 10);
      String account = app.demoAccounts().get(0).id().toString();
      int clients = 3;
      int rate = 20;
      int seconds = 2;

      StreamLatencyBench.Result r = StreamLatencyBench.run(URI.create("http://127.0.0.1:" + app.httpPort()), token,
        account, clients, rate, seconds);

      assertEquals(0, r.failedSubmits(), "every submission answered 201");
      assertEquals(clients * rate * seconds, r.eventNanos().length, "each client saw each measured order's event once");
      assertEquals(rate * seconds, r.ackNanos().length, "each measured submission timed");
      assertTrue(r.eventNanos()[0] > 0, "every event came after its submission was sent");
    } finally {
      app.stop();
    }
  }
}
