package io.orion.oms.account;

import io.orion.oms.auth.Caller;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** All SQL on {@code accounts} and {@code positions}. Reads are scoped to what the caller may see. */
public final class AccountRepository {
  private static final String INSERT = """
    INSERT INTO accounts (id, tenant_id, owner_id, name, currency, balance, reserved, max_order_notional,
                          max_position_quantity, created_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9, $9) RETURNING *""";
  // $3 true: the caller sees the whole tenant; otherwise only accounts it owns.
  private static final String VISIBLE_BY_ID =
    "SELECT * FROM accounts WHERE id = $1 AND tenant_id = $2 AND ($3 OR owner_id = $4)";
  private static final String VISIBLE_LIST =
    "SELECT * FROM accounts WHERE tenant_id = $1 AND owner_id = $2 ORDER BY created_at, id";
  private static final String TENANT_LIST = "SELECT * FROM accounts WHERE tenant_id = $1 ORDER BY created_at, id";
  // Reserves funds and takes event sequence numbers in one row lock; no row back means not enough funds.
  // The casts matter: PostgreSQL types a parameter where it first meets it, and the WHERE clause comes first.
  private static final String RESERVE = """
    UPDATE accounts SET reserved = reserved + $2::numeric, event_seq = event_seq + $3, version = version + 1,
      updated_at = $4
    WHERE id = $1 AND ($2::numeric = 0 OR balance - reserved >= $2::numeric)
    RETURNING balance, reserved, event_seq""";
  private static final String RELEASE = """
    UPDATE accounts SET reserved = greatest(reserved - $2::numeric, 0), event_seq = event_seq + $3, version = version + 1,
      updated_at = $4
    WHERE id = $1 RETURNING balance, reserved, event_seq""";
  // balance moves by the fill's cash; reserved gives back what the fill no longer needs held
  private static final String SETTLE = """
    UPDATE accounts SET balance = balance + $2::numeric, reserved = greatest(reserved - $3::numeric, 0),
      event_seq = event_seq + $4, version = version + 1, updated_at = $5
    WHERE id = $1 RETURNING balance, reserved, event_seq""";
  private static final String LOCK_ALL = """
    SELECT id, balance, reserved, event_seq FROM accounts WHERE id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE""";
  // SETTLE for many accounts at once, from what a transaction holding their locks computed (one row per account)
  private static final String SAVE_BALANCES = """
    UPDATE accounts a SET balance = u.b::numeric, reserved = u.r::numeric, event_seq = u.s, version = a.version + u.n,
      updated_at = $6
    FROM unnest($1::uuid[], $2::text[], $3::text[], $4::int8[], $5::int4[]) AS u(i, b, r, s, n) WHERE a.id = u.i""";
  private static final String CURRENCY = "SELECT currency FROM accounts WHERE id = $1";
  private static final String POSITION_QTY =
    "SELECT quantity FROM positions WHERE account_id = $1 AND instrument_id = $2";

  /** What a reservation left: balances after it and the last event seq taken. */
  public record Reservation(BigDecimal balance, BigDecimal reserved, long lastSeq) {
    public BigDecimal available() {
      return balance.subtract(reserved);
    }
  }

  private final Pool pool;

  public AccountRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<Account> create(String tenant, String ownerId, String name, String currency, BigDecimal balance,
                                BigDecimal maxOrderNotional, BigDecimal maxPositionQuantity, Instant now) {
    return create(pool, tenant, ownerId, name, currency, balance, maxOrderNotional, maxPositionQuantity, now);
  }

  public Future<Account> create(SqlClient client, String tenant, String ownerId, String name, String currency,
                                BigDecimal balance, BigDecimal maxOrderNotional, BigDecimal maxPositionQuantity,
                                Instant now) {
    return client.preparedQuery(INSERT)
      .execute(Tuple.from(new Object[]{UUID.randomUUID(), tenant, ownerId, name, currency, balance, maxOrderNotional,
        maxPositionQuantity, utc(now)}))
      .map(rs -> fromRow(rs.iterator().next()));
  }

  /** The account if the caller may see it; null otherwise (other tenant, or not owned without a tenant-wide role). */
  public Future<Account> findVisible(Caller caller, UUID id) {
    return pool.preparedQuery(VISIBLE_BY_ID)
      .execute(Tuple.of(id, caller.tenant(), caller.seesWholeTenant(), caller.userId()))
      .map(AccountRepository::first);
  }

  /** The caller's accounts: owned ones, or all of the tenant for admin and compliance. */
  public Future<List<Account>> listVisible(Caller caller) {
    Future<RowSet<Row>> rows = caller.seesWholeTenant()
      ? pool.preparedQuery(TENANT_LIST).execute(Tuple.of(caller.tenant()))
      : pool.preparedQuery(VISIBLE_LIST).execute(Tuple.of(caller.tenant(), caller.userId()));
    return rows.map(rs -> {
      List<Account> list = new ArrayList<>();
      rs.forEach(r -> list.add(fromRow(r)));
      return list;
    });
  }

  public Future<List<Account>> listOwned(String tenant, String ownerId) {
    return pool.preparedQuery(VISIBLE_LIST).execute(Tuple.of(tenant, ownerId)).map(rs -> {
      List<Account> list = new ArrayList<>();
      rs.forEach(r -> list.add(fromRow(r)));
      return list;
    });
  }

  /** Inside a transaction: hold {@code amount} and take {@code events} seq numbers; null when funds are short. */
  public Future<Reservation> reserve(SqlClient tx, UUID accountId, BigDecimal amount, int events, Instant now) {
    return tx.preparedQuery(RESERVE).execute(Tuple.of(accountId, amount, events, utc(now)))
      .map(AccountRepository::reservation);
  }

  /**
   * The order every transaction that locks several accounts takes them in: PostgreSQL's order of uuids (their
   * bytes, unsigned), which is the order of their canonical text; {@link UUID#compareTo} compares signed halves.
   */
  public static final java.util.Comparator<UUID> LOCK_ORDER = java.util.Comparator.comparing(UUID::toString);

  /**
   * An account's money and last event seq as a transaction holding its lock sees them, with the settlements it has
   * made since it read them ({@code changes}).
   */
  public record Balance(UUID id, BigDecimal balance, BigDecimal reserved, long eventSeq, int changes) {
    /** As {@link #SETTLE} would leave it. */
    public Balance settled(BigDecimal cash, BigDecimal release, int events) {
      return new Balance(id, balance.add(cash), reserved.subtract(release).max(BigDecimal.ZERO), eventSeq + events,
        changes + 1);
    }
  }

  /** Locks the accounts, in {@link #LOCK_ORDER}, and answers their balances. */
  public Future<List<Balance>> lockAll(SqlClient tx, java.util.Collection<UUID> ids) {
    return tx.preparedQuery(LOCK_ALL).execute(Tuple.of(ids.toArray(new UUID[0]))).map(rs -> {
      List<Balance> out = new ArrayList<>(rs.size());
      for (Row r : rs) {
        out.add(new Balance(r.getUUID("id"), r.getBigDecimal("balance"), r.getBigDecimal("reserved"),
          r.getLong("event_seq"), 0));
      }
      return out;
    });
  }

  /** Writes settled balances (accounts the transaction has locked), one statement for all. */
  public Future<Void> saveBalances(SqlClient tx, List<Balance> settled, Instant now) {
    if (settled.isEmpty()) return Future.succeededFuture();
    int n = settled.size();
    UUID[] ids = new UUID[n];
    String[] balances = new String[n], reserved = new String[n];
    Long[] seqs = new Long[n];
    Integer[] changes = new Integer[n];
    for (int i = 0; i < n; i++) {
      Balance b = settled.get(i);
      ids[i] = b.id();
      balances[i] = b.balance().toPlainString();
      reserved[i] = b.reserved().toPlainString();
      seqs[i] = b.eventSeq();
      changes[i] = b.changes();
    }
    return tx.preparedQuery(SAVE_BALANCES).execute(Tuple.from(new Object[]{ids, balances, reserved, seqs, changes,
      utc(now)})).mapEmpty();
  }

  /**
   * Group commit: several reservations in one round trip, applied in list order (callers sort by account in
   * {@link #LOCK_ORDER} so that concurrent batches take account row locks in the same order). Null entries: funds
   * short.
   */
  public Future<List<Reservation>> reserveBatch(SqlClient tx, List<Tuple> rows) {
    return tx.preparedQuery(RESERVE).executeBatch(rows).map(rs -> {
      List<Reservation> out = new ArrayList<>(rows.size());
      for (RowSet<Row> r = rs; r != null; r = r.next()) out.add(reservation(r));
      return out;
    });
  }

  /** The parameters of {@link #reserve} for {@link #reserveBatch}. */
  public static Tuple reserveRow(UUID accountId, BigDecimal amount, int events, Instant now) {
    return Tuple.of(accountId, amount, events, utc(now));
  }

  /** Inside a transaction: give back {@code amount} of held funds and take {@code events} seq numbers. */
  public Future<Reservation> release(SqlClient tx, UUID accountId, BigDecimal amount, int events, Instant now) {
    return tx.preparedQuery(RELEASE).execute(Tuple.of(accountId, amount, events, utc(now)))
      .map(AccountRepository::reservation);
  }

  /** Cash of a fill ({@code cashDelta}: negative for buys) and the held funds it releases; takes {@code events} seqs. */
  public Future<Reservation> settle(SqlClient tx, UUID accountId, BigDecimal cashDelta,
                                                      BigDecimal release, int events, Instant now) {
    return tx.preparedQuery(SETTLE).execute(Tuple.of(accountId, cashDelta, release, events,
        utc(now)))
      .map(rs -> {
        Row r = rs.iterator().next();
        return new Reservation(r.getBigDecimal("balance"), r.getBigDecimal("reserved"),
          r.getLong("event_seq"));
      });
  }

  /** The account as {@code client} sees it (no scoping: the caller's right to it is checked by whoever asks). */
  public Future<Account> byId(SqlClient client, UUID id) {
    return client.preparedQuery("SELECT * FROM accounts WHERE id = $1").execute(Tuple.of(id)).map(AccountRepository::first);
  }

  public Future<String> currency(SqlClient client, UUID accountId) {
    return client.preparedQuery(CURRENCY).execute(Tuple.of(accountId)).map(rs -> rs.iterator().next().getString("currency"));
  }

  public Future<BigDecimal> positionQuantity(UUID accountId, String instrumentId) {
    return positionQuantity(pool, accountId, instrumentId);
  }

  public Future<BigDecimal> positionQuantity(SqlClient client, UUID accountId, String instrumentId) {
    return client.preparedQuery(POSITION_QTY).execute(Tuple.of(accountId, instrumentId))
      .map(rs -> rs.size() == 0 ? BigDecimal.ZERO : rs.iterator().next().getBigDecimal("quantity"));
  }

  private static Reservation reservation(RowSet<Row> rs) {
    if (rs.size() == 0) return null;
    Row r = rs.iterator().next();
    return new Reservation(r.getBigDecimal("balance"), r.getBigDecimal("reserved"), r.getLong("event_seq"));
  }

  private static Account first(RowSet<Row> rs) {
    return rs.size() == 0 ? null : fromRow(rs.iterator().next());
  }

  static Account fromRow(Row r) {
    return new Account(r.getUUID("id"), r.getString("tenant_id"), r.getString("owner_id"), r.getString("name"),
      r.getString("currency"), r.getBigDecimal("balance"), r.getBigDecimal("reserved"),
      r.getBigDecimal("max_order_notional"), r.getBigDecimal("max_position_quantity"),
      r.getOffsetDateTime("created_at").toInstant(), r.getOffsetDateTime("updated_at").toInstant());
  }

  static OffsetDateTime utc(Instant t) {
    return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
  }
}
