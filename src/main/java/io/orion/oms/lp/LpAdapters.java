package io.orion.oms.lp;

import io.orion.oms.config.ConfigException;
import io.orion.oms.lp.fix.FixLpAdapter;
import io.orion.oms.lp.fix.FixLpConfig;
import io.vertx.core.json.JsonObject;

/**
 * Makes the adapter an LP's {@code type} names: "fix" (FIX 4.4 over QuickFIX/J), or the class name of
 * any other {@link LpAdapter} with a public constructor taking its {@link LpSettings} and its JSON settings.
 */
public final class LpAdapters {
  private LpAdapters() {}

  public static LpAdapter create(LpSettings lp, JsonObject adapterSettings) {
    if (lp.type().equals("fix")) {
      return new FixLpAdapter(FixLpConfig.fromJson(adapterSettings, "lps." + lp.id() + ".fix"));
    }
    try {
      Class<?> type = Class.forName(lp.type());
      if (!LpAdapter.class.isAssignableFrom(type)) {
        throw new ConfigException("lps." + lp.id() + ".type", lp.type() + " does not implement LpAdapter");
      }
      return (LpAdapter) type.getConstructor(LpSettings.class, JsonObject.class).newInstance(lp, adapterSettings);
    } catch (ReflectiveOperationException e) {
      throw new ConfigException("lps." + lp.id() + ".type", "'" + lp.type() + "' is neither 'fix' nor a loadable "
        + "LpAdapter class with a (LpSettings, JsonObject) constructor: " + e);
    }
  }
}
