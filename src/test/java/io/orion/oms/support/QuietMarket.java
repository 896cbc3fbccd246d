package io.orion.oms.support;

import io.orion.oms.lp.sim.SimulatedLp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.util.UUID;

/**
 * A market that moves only when a test says so: the three simulated LPs quote one price level and never
 * tick on their own, and quotes never go stale, so every price a test expects is exact.
 */
public final class QuietMarket {
  private QuietMarket() {}

  /** Service overrides: lp-alpha, lp-beta and lp-gamma with {@code lotsPerLevel} lots at their one level. */
  public static JsonObject overrides(long lotsPerLevel) {
    JsonArray sims = new JsonArray();
    for (String[] lp : new String[][]{{"lp-alpha", "LPALPHA"}, {"lp-beta", "LPBETA"}, {"lp-gamma", "LPGAMMA"}}) {
      sims.add(new JsonObject().put("id", lp[0]).put("lpCompId", lp[1]).put("depthLevels", 1)
        .put("sizePerLevelLots", lotsPerLevel).put("latencyMs", 0).put("quoteIntervalMs", 600_000));
    }
    return new JsonObject().put("simulator", new JsonObject().put("enabled", true).put("lps", sims))
      .put("routing", new JsonObject().put("quoteMaxAgeMs", 600_000));
  }

  /** No injected faults: every LP answers, fills whole, rejects nothing. */
  public static void noFaults(TestApp app) {
    for (SimulatedLp lp : app.app().simulator().lps()) {
      lp.setTimeoutRate(0);
      lp.setRejectRate(0);
      lp.setPartialFillRate(0);
    }
  }

  /** One LP's book for an instrument, at once (resting orders that now cross trade). */
  public static void pin(TestApp app, String lp, String instrument, String bid, String ask) {
    app.app().simulator().lp(lp).pinQuote(instrument, new BigDecimal(bid), new BigDecimal(ask));
  }

  /** A trader of the demo tenant with an account of its own holding {@code balance} USD. */
  public record Trader(String token, String account) {}

  public static Trader trader(TestApp app, String balance) {
    String user = "trader-" + UUID.randomUUID();
    Http.Res acc = app.http.post("/api/v1/accounts", app.demoAdminToken(), new JsonObject().put("ownerId", user)
      .put("name", "test").put("currency", "USD").put("balance", balance));
    if (acc.status() != 201) throw new AssertionError("account not created: " + acc.body());
    return new Trader(app.token("demo", user, "trader"), acc.json().getString("id"));
  }
}
