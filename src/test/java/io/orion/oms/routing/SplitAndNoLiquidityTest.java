package io.orion.oms.routing;

import io.orion.oms.support.Http;
import io.orion.oms.support.TestApp;
import io.orion.oms.support.TestServices;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Split across two simulated LPs over FIX, and an order with no LP to go to. */
class SplitAndNoLiquidityTest {

  private static JsonObject order(String account, long qty, String strategy) {
    return new JsonObject().put("clientId", account).put("instrumentId", "EURUSD").put("side", "buy")
      .put("orderType", "market").put("timeInForce", "ioc").put("quantity", qty).put("routingStrategy", strategy);
  }

  private static JsonObject awaitStatus(TestApp app, String token, String id, String status) throws InterruptedException {
    long deadline = System.nanoTime() + 15_000_000_000L;
    JsonObject o = null;
    while (System.nanoTime() < deadline) {
      o = app.http.get("/api/v1/orders/" + id, token).json();
      if (status.equals(o.getString("status"))) return o;
      Thread.sleep(20);
    }
    throw new AssertionError("order never became " + status + ": " + o);
  }

  @Test
  void splitAcrossTwoLpsOfHalfTheSizeEachFillsExactlyTheQuantity() throws Exception {
    JsonArray sims = new JsonArray();
    JsonArray lps = new JsonArray();
    for (String id : new String[]{"lp-one", "lp-two"}) {
      String comp = id.replace("-", "").toUpperCase();
      // one level of 500 lots = 500,000 EURUSD each
      sims.add(new JsonObject().put("id", id).put("lpCompId", comp).put("depthLevels", 1).put("sizePerLevelLots", 500)
        .put("spreadBps", "1").put("quoteIntervalMs", 200));
      lps.add(new JsonObject().put("id", id).put("fix", new JsonObject().put("targetCompId", comp)));
    }
    try (TestApp app = TestApp.startWithLps(new JsonObject().put("simulator", new JsonObject().put("lps", sims))
      .put("lps", lps).put("demo", new JsonObject().put("balance", "5000000")))) {
      app.app().simulator().lp("lp-one").pinQuote("EURUSD", new BigDecimal("1.08440"), new BigDecimal("1.08450"));
      app.app().simulator().lp("lp-two").pinQuote("EURUSD", new BigDecimal("1.08440"), new BigDecimal("1.08460"));
      String token = app.demoTraderToken();
      Http.Res r = app.http.post("/api/v1/orders", token, order(app.demoAccountId(), 1_000_000, "split"));
      assertThat(r.status()).as(r.body()).isEqualTo(201);
      String id = r.json().getString("id");
      JsonObject filled = awaitStatus(app, token, id, "filled");
      assertThat(new BigDecimal(filled.getValue("filledQuantity").toString())).isEqualByComparingTo("1000000");
      // volume-weighted: half at each LP's ask
      assertThat(new BigDecimal(filled.getValue("averagePrice").toString())).isEqualByComparingTo("1.08455");

      List<String> legs = new ArrayList<>();
      try (Connection c = TestServices.jdbc(app.config().database().url()); Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("SELECT lp_id, quantity, filled_quantity FROM order_legs WHERE order_id = '"
             + id + "' ORDER BY lp_id")) {
        while (rs.next()) legs.add(rs.getString(1) + "=" + rs.getBigDecimal(2).stripTrailingZeros().toPlainString()
          + "/" + rs.getBigDecimal(3).stripTrailingZeros().toPlainString());
      }
      assertThat(legs).containsExactly("lp-one=500000/500000", "lp-two=500000/500000");
      JsonArray fills = app.http.get("/api/v1/orders/" + id + "/fills", token).json().getJsonArray("data");
      BigDecimal total = BigDecimal.ZERO;
      for (Object f : fills) total = total.add(new BigDecimal(((JsonObject) f).getValue("quantity").toString()));
      assertThat(total).isEqualByComparingTo("1000000");
    }
  }

  @Test
  void withNoHealthyLpTheOrderIsRejectedAndItsFundsReleased() throws Exception {
    try (TestApp app = TestApp.start()) {
      String token = app.demoTraderToken();
      Http.Res r = app.http.post("/api/v1/orders", token, order(app.demoAccountId(), 10_000, "best"));
      assertThat(r.status()).isEqualTo(201);
      JsonObject rejected = awaitStatus(app, token, r.json().getString("id"), "rejected");
      assertThat(rejected.getString("rejectCode")).isEqualTo("NO_HEALTHY_LP");
      assertThat(rejected.getString("rejectReason")).isEqualTo("No healthy LPs available");
      JsonObject account = app.http.get("/api/v1/accounts/" + app.demoAccountId(), token).json();
      assertThat(new BigDecimal(account.getValue("reserved").toString())).isEqualByComparingTo("0");
      assertThat(new BigDecimal(account.getValue("balance").toString())).isEqualByComparingTo("1000000");
    }
  }
}
