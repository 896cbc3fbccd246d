package io.orion.oms.lp.sim;

import io.orion.oms.instrument.Instrument;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Several simulated LPs side by side, each on its own port and under its own directory of {@code storeRoot}. */
public final class LpSimulator implements AutoCloseable {
  private final Map<String, SimulatedLp> lps = new LinkedHashMap<>();

  private LpSimulator() {}

  /** Starts one LP per config; if one cannot start, those already started are closed again. */
  public static LpSimulator start(List<SimulatedLpConfig> configs, List<Instrument> instruments, Path storeRoot) {
    LpSimulator sim = new LpSimulator();
    try {
      for (SimulatedLpConfig c : configs) {
        if (sim.lps.containsKey(c.id())) throw new IllegalArgumentException("two simulated LPs with id '" + c.id() + "'");
        for (SimulatedLp other : sim.lps.values()) {
          if (other.config().lpCompId().equals(c.lpCompId()) && other.config().omsCompId().equals(c.omsCompId())) {
            throw new IllegalArgumentException("simulated LPs '" + other.id() + "' and '" + c.id() + "' share the FIX session "
              + c.lpCompId() + "->" + c.omsCompId() + ": give each its own lpCompId");
          }
        }
        SimulatedLp lp = new SimulatedLp(c, instruments, storeRoot);
        sim.lps.put(c.id(), lp);
        lp.start();
      }
      return sim;
    } catch (RuntimeException e) {
      sim.close();
      throw e;
    }
  }

  public SimulatedLp lp(String id) {
    SimulatedLp lp = lps.get(id);
    if (lp == null) throw new IllegalArgumentException("no simulated LP '" + id + "'");
    return lp;
  }

  public List<SimulatedLp> lps() {
    return new ArrayList<>(lps.values());
  }

  @Override
  public void close() {
    for (SimulatedLp lp : lps.values()) {
      try {
        lp.close();
      } catch (RuntimeException e) {
        // close the others anyway
      }
    }
  }
}
