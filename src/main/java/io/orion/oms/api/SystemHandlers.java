package io.orion.oms.api;

import io.orion.oms.common.BusResult;
import io.orion.oms.instrument.InstrumentRepository;
import io.orion.oms.routing.RoutingVerticle;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import io.vertx.sqlclient.Pool;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Instruments and health. Readiness answers 503 when the database, the system of record, is down. */
final class SystemHandlers {
  private static final long PROBE_TIMEOUT_MS = 2000;

  private final InstrumentRepository instruments;
  private final Pool pool;
  private final RedisAPI redis;
  private final Clock clock;
  private final io.vertx.core.eventbus.EventBus bus;

  SystemHandlers(io.vertx.core.eventbus.EventBus bus, InstrumentRepository instruments, Pool pool, RedisAPI redis,
                 Clock clock) {
    this.bus = bus;
    this.instruments = instruments;
    this.pool = pool;
    this.redis = redis;
    this.clock = clock;
  }

  Future<Reply> instruments(ApiRequest req) {
    return instruments.all().map(list -> {
      JsonArray data = new JsonArray();
      list.forEach(i -> data.add(i.toApiJson()));
      return Reply.ok(new JsonObject().put("data", data));
    });
  }

  Future<Reply> lps(ApiRequest req) {
    return bus.<JsonObject>request(RoutingVerticle.LPS, new JsonObject())
      .compose(m -> BusResult.unwrap(m.body())).map(Reply::ok);
  }

  Future<Reply> health(ApiRequest req) {
    return Future.succeededFuture(Reply.ok(new JsonObject().put("status", "ok").put("timestamp", clock.instant().toString())));
  }

  Future<Reply> ordersHealth(ApiRequest req) {
    Future<JsonObject> db = probe(pool.query("SELECT 1").execute().mapEmpty());
    Future<JsonObject> cache = probe(redis.ping(List.of()).mapEmpty());
    Future<JsonArray> lps = bus.<JsonObject>request(RoutingVerticle.LPS, new JsonObject())
      .compose(m -> BusResult.unwrap(m.body())).map(v -> {
        JsonArray out = new JsonArray();
        v.getJsonArray("data").forEach(o -> {
          JsonObject s = (JsonObject) o;
          out.add(new JsonObject().put("lpId", s.getString("lpId"))
            .put("status", s.getBoolean("connected", false) ? "up" : "down")
            .put("circuit", s.getString("circuit", "closed")).put("detail", s.getString("session")));
        });
        return out;
      });
    return Future.join(db, cache, lps).transform(x -> {
      boolean dbUp = "up".equals(db.result().getString("status"));
      boolean redisUp = "up".equals(cache.result().getString("status"));
      JsonArray lpList = lps.succeeded() ? lps.result() : new JsonArray();
      boolean anyLp = lpList.isEmpty() || lpList.stream().anyMatch(o -> "up".equals(((JsonObject) o).getString("status"))
        && !"open".equals(((JsonObject) o).getString("circuit")));
      String status = !dbUp ? "down" : redisUp && anyLp ? "ok" : "degraded";
      JsonObject body = new JsonObject().put("status", status).put("timestamp", clock.instant().toString())
        .put("dependencies", new JsonObject().put("database", db.result()).put("redis", cache.result()))
        .put("lps", lpList);
      return Future.succeededFuture(Reply.of(dbUp ? 200 : 503, body, Map.of("Cache-Control", "no-store")));
    });
  }

  private static Future<JsonObject> probe(Future<Void> check) {
    long start = System.nanoTime();
    return check.timeout(PROBE_TIMEOUT_MS, TimeUnit.MILLISECONDS).transform(ar -> {
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      JsonObject r = new JsonObject().put("status", ar.succeeded() ? "up" : "down").put("latencyMs", ms)
        .put("detail", ar.succeeded() ? null : String.valueOf(ar.cause().getMessage()));
      return Future.succeededFuture(r);
    });
  }
}
