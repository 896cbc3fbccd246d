package io.orion.oms;

import io.orion.oms.account.Account;
import io.orion.oms.account.AccountRepository;
import io.orion.oms.config.OrionConfig;
import io.orion.oms.infra.Database;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.time.Clock;
import java.util.List;

/** Seeds the demo tenant once per database: a trader with a funded account (admins need no row). */
final class DemoSeeder {
  private static final String MARK = "INSERT INTO system_settings (key, value) VALUES ('demo_seeded', $1) "
    + "ON CONFLICT (key) DO NOTHING RETURNING key";

  private DemoSeeder() {}

  /** The demo trader's accounts (created on first start, found on later ones). */
  static Future<List<Account>> seed(Pool pool, OrionConfig.Demo demo, Clock clock) {
    AccountRepository accounts = new AccountRepository(pool);
    JsonObject mark = new JsonObject().put("tenant", demo.tenant()).put("at", clock.instant().toString());
    // the mark and the account commit together: a failed seed is tried again on the next start
    return Database.transaction(pool, tx -> tx.preparedQuery(MARK).execute(Tuple.of(mark))
        .compose(rs -> rs.size() == 0 ? Future.succeededFuture()
          : accounts.create(tx, demo.tenant(), demo.traderId(), demo.accountName(), demo.currency(), demo.balance(),
            null, null, clock.instant()).mapEmpty()))
      .compose(v -> accounts.listOwned(demo.tenant(), demo.traderId()));
  }
}
