package io.orion.oms.events;

import io.orion.oms.support.Http;
import io.orion.oms.support.TestApp;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Stream connections and subscriptions count against the user's streamConnects and streamSubscriptions
 * quotas (the rate limits shared through Redis), on top of the per-process connection cap.
 */
class StreamRateLimitTest {
  static TestApp app;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start(TestApp.noLps().put("rateLimits", new JsonObject().put("default", new JsonObject()
      .put("streamConnects", 2).put("streamSubscriptions", 3))), java.time.Clock.systemUTC());
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  private static String ticket(String jwt) {
    Http.Res r = app.http.post("/api/v1/stream-tickets", jwt, null);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return r.json().getString("ticket");
  }

  @Test
  void theThirdConnectionInAWindowIsRefusedAndAnotherUserIsNot() throws Exception {
    String alice = app.token("demo", "rl-alice", "trader");
    List<WsClient> open = new ArrayList<>();
    try {
      open.add(WsClient.connect(app.app().vertx(), app.app().httpPort(), "ticket=" + ticket(alice)));
      open.get(0).next(5);
      open.get(0).close(); // closing does not give the quota back: it counts connections opened
      open.add(WsClient.connect(app.app().vertx(), app.app().httpPort(), "ticket=" + ticket(alice)));
      open.get(1).next(5);

      WebSocketClient client = app.app().vertx().createWebSocketClient();
      try {
        String t = ticket(alice);
        assertThatThrownBy(() -> client.connect(new WebSocketConnectOptions().setHost("127.0.0.1")
            .setPort(app.app().httpPort()).setURI("/ws/orders/events?ticket=" + t))
          .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class).hasMessageContaining("429");
      } finally {
        client.close();
      }
      WsClient bob = WsClient.connect(app.app().vertx(), app.app().httpPort(),
        "ticket=" + ticket(app.token("demo", "rl-bob", "trader")));
      open.add(bob);
      assertThat(bob.next(5).getString("type")).isEqualTo("connection_acknowledged");
    } finally {
      open.forEach(WsClient::close);
    }
  }

  @Test
  void subscriptionsBeyondTheQuotaGetAnErrorAndTheConnectionLivesOn() throws Exception {
    String carol = app.demoTraderToken(); // owns an account to subscribe to
    try (WsClient c = WsClient.connect(app.app().vertx(), app.app().httpPort(), "ticket=" + ticket(carol))) {
      assertThat(c.next(5).getString("type")).isEqualTo("connection_acknowledged");
      for (int i = 0; i < 3; i++) {
        c.send(new JsonObject().put("type", "subscribe").put("channel", i % 2 == 0 ? "orders" : "fills"));
        assertThat(c.next(5).getString("type")).isEqualTo("subscribed");
        c.send(new JsonObject().put("type", "unsubscribe").put("channel", i % 2 == 0 ? "orders" : "fills"));
        assertThat(c.next(5).getString("type")).isEqualTo("unsubscribed");
      }
      c.send(new JsonObject().put("type", "subscribe").put("channel", "orders"));
      JsonObject refused = c.next(5);
      assertThat(refused.getString("type")).isEqualTo("error");
      assertThat(refused.getString("code")).isEqualTo("RATE_LIMITED");
      assertThat(c.closed).isFalse();
    }
  }
}
