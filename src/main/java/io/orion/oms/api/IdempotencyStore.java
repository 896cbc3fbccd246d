package io.orion.oms.api;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.Map;

/**
 * All SQL on {@code idempotency_keys}. A key is claimed before the operation runs, so two concurrent
 * requests with one key cannot both act; a key older than the retention window may be reused.
 */
final class IdempotencyStore {
  static final int RETENTION_HOURS = 24;

  private static final String CLAIM = """
    INSERT INTO idempotency_keys (tenant_id, user_id, idem_key, request_hash, status, created_at)
    VALUES ($1, $2, $3, $4, 'in_progress', now())
    ON CONFLICT (tenant_id, user_id, idem_key) DO UPDATE
      SET request_hash = EXCLUDED.request_hash, status = 'in_progress', response_status = NULL,
          response_body = NULL, response_type = NULL, response_headers = NULL, created_at = now(), completed_at = NULL
      WHERE idempotency_keys.created_at < now() - make_interval(hours => $5)
         OR (idempotency_keys.status = 'in_progress' AND idempotency_keys.created_at < now() - interval '60 seconds')
    RETURNING 1""";
  private static final String FIND =
    "SELECT request_hash, status, response_status, response_body, response_type, response_headers FROM idempotency_keys"
      + " WHERE tenant_id = $1 AND user_id = $2 AND idem_key = $3";
  private static final String COMPLETE = """
    UPDATE idempotency_keys SET status = 'completed', response_status = $4, response_body = $5, response_type = $6,
      response_headers = $7, completed_at = now() WHERE tenant_id = $1 AND user_id = $2 AND idem_key = $3""";
  private static final String RELEASE =
    "DELETE FROM idempotency_keys WHERE tenant_id = $1 AND user_id = $2 AND idem_key = $3 AND status = 'in_progress'";

  /** What claiming a key found: go ahead, replay a stored reply, or a conflict. */
  /** What claiming a key found. An in-progress key older than a minute is taken to be abandoned by a crash. */
  sealed interface Claim permits Proceed, Replay, Mismatch, InProgress {}
  record Proceed() implements Claim {}
  record Replay(Reply reply, String contentType) implements Claim {}
  record Mismatch() implements Claim {}
  record InProgress() implements Claim {}

  private final Pool pool;

  IdempotencyStore(Pool pool) {
    this.pool = pool;
  }

  Future<Claim> claim(String tenant, String user, String key, String hash) {
    return pool.preparedQuery(CLAIM).execute(Tuple.of(tenant, user, key, hash, RETENTION_HOURS)).compose(rs -> {
      if (rs.size() > 0) return Future.succeededFuture(new Proceed());
      return pool.preparedQuery(FIND).execute(Tuple.of(tenant, user, key)).map(found -> {
        if (found.size() == 0) return new InProgress(); // deleted in between by a failed first attempt: retry later
        Row r = found.iterator().next();
        if (!r.getString("request_hash").equals(hash)) return new Mismatch();
        if (!"completed".equals(r.getString("status"))) return new InProgress();
        String body = r.getString("response_body");
        JsonObject headers = r.getJsonObject("response_headers");
        Map<String, String> h = new java.util.LinkedHashMap<>();
        if (headers != null) headers.forEach(e -> h.put(e.getKey(), String.valueOf(e.getValue())));
        return new Replay(new Reply(r.getInteger("response_status"), body == null ? null : new JsonObject(body), h),
          r.getString("response_type"));
      });
    });
  }

  Future<Void> complete(String tenant, String user, String key, Reply reply, String contentType) {
    JsonObject headers = new JsonObject();
    reply.headers().forEach(headers::put);
    return pool.preparedQuery(COMPLETE)
      .execute(Tuple.from(new Object[]{tenant, user, key, reply.status(),
        reply.body() == null ? null : reply.body().encode(), contentType, headers}))
      .mapEmpty();
  }

  private static final String PURGE =
    "DELETE FROM idempotency_keys WHERE created_at < now() - make_interval(hours => $1)";

  /** Forgets keys past the retention window. */
  Future<Void> purge() {
    return pool.preparedQuery(PURGE).execute(Tuple.of(RETENTION_HOURS)).mapEmpty();
  }

  /** After a server-side failure the key is freed so that the client's retry runs again. */
  Future<Void> release(String tenant, String user, String key) {
    return pool.preparedQuery(RELEASE).execute(Tuple.of(tenant, user, key)).mapEmpty();
  }
}
