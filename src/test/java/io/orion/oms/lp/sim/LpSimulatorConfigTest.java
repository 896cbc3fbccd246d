package io.orion.oms.lp.sim;

import io.orion.oms.config.ConfigException;
import io.orion.oms.config.ConfigLoader;
import io.orion.oms.instrument.Instrument;
import io.orion.oms.lp.fix.FixLpConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.Socket;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Configuration of simulated LPs and FIX connections: defaults, and errors that name the key. */
class LpSimulatorConfigTest {
  @TempDir
  Path dir;

  @Test
  void simulatedLpDefaultsAreSensible() {
    SimulatedLpConfig c = SimulatedLpConfig.fromJson(new JsonObject().put("id", "lp-x"));
    assertThat(c.name()).isEqualTo("lp-x");
    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.port()).isZero();
    assertThat(c.lpCompId()).isEqualTo("LPX");
    assertThat(c.omsCompId()).isEqualTo("ORION");
    assertThat(c.depthLevels()).isEqualTo(5);
    assertThat(c.sizePerLevelLots()).isEqualTo(100);
    assertThat(c.spreadBps()).isEqualByComparingTo("2");
    assertThat(c.rejectRate()).isZero();
    assertThat(c.seed()).isNull();
  }

  @Test
  void simulatedLpErrorsNameTheKey() {
    assertThatThrownBy(() -> SimulatedLpConfig.fromJson(new JsonObject(), "simulator.lps[0]"))
      .isInstanceOf(ConfigException.class).hasMessageContaining("'simulator.lps[0].id'");
    assertThatThrownBy(() -> SimulatedLpConfig.fromJson(new JsonObject().put("id", "a").put("rejectRate", 1.5), "simulator.lps[2]"))
      .hasMessageContaining("'simulator.lps[2].rejectRate'").hasMessageContaining("between 0 and 1");
    assertThatThrownBy(() -> SimulatedLpConfig.fromJson(new JsonObject().put("id", "a").put("depthLevels", 0)))
      .hasMessageContaining("'depthLevels'");
    assertThatThrownBy(() -> SimulatedLpConfig.fromJson(new JsonObject().put("id", "a").put("spreadBps", "wide")))
      .hasMessageContaining("'spreadBps'");
    assertThatThrownBy(() -> SimulatedLpConfig.fromJson(new JsonObject().put("id", "a").put("port", 70000)))
      .hasMessageContaining("'port'");
    assertThatThrownBy(() -> SimulatedLpConfig.fromJson(new JsonObject().put("id", "a").put("sizePerLevelLots", 2.5)))
      .hasMessageContaining("'sizePerLevelLots'");
    assertThatThrownBy(() -> SimulatedLpConfig.fromJson(new JsonObject().put("id", "a").put("lpCompId", "ORION")))
      .hasMessageContaining("'lpCompId'");
  }

  @Test
  void theBuiltInThreeLpsParseWithDistinctPortsAndCompIds() {
    List<SimulatedLpConfig> lps = LpSimulatorCommand.lpConfigs(new JsonObject());
    assertThat(lps).extracting(SimulatedLpConfig::id).containsExactly("lp-alpha", "lp-beta", "lp-gamma");
    assertThat(lps).extracting(SimulatedLpConfig::port).doesNotHaveDuplicates().doesNotContain(0);
    assertThat(lps).extracting(SimulatedLpConfig::lpCompId).doesNotHaveDuplicates();
    assertThat(lps).extracting(SimulatedLpConfig::spreadBps).doesNotHaveDuplicates();
    assertThat(lps).extracting(SimulatedLpConfig::latencyMs).doesNotHaveDuplicates();
  }

  @Test
  void simulatorSectionErrorsNameTheKey() {
    JsonObject dupPorts = new JsonObject().put("simulator", new JsonObject().put("lps", new JsonArray()
      .add(new JsonObject().put("id", "a").put("port", 9000))
      .add(new JsonObject().put("id", "b").put("port", 9000))));
    assertThatThrownBy(() -> LpSimulatorCommand.lpConfigs(dupPorts)).hasMessageContaining("'simulator.lps[1].port'");
    JsonObject notArray = new JsonObject().put("simulator", new JsonObject().put("lps", "lp-alpha"));
    assertThatThrownBy(() -> LpSimulatorCommand.lpConfigs(notArray)).hasMessageContaining("'simulator.lps'");
  }

  @Test
  void theCommandStartsEveryLpOfTheConfigOnRealPorts() throws Exception {
    JsonObject root = new JsonObject().put("dataDir", dir.toString()).put("simulator", new JsonObject().put("lps", new JsonArray()
      .add(new JsonObject().put("id", "lp-one").put("lpCompId", "LPONE"))
      .add(new JsonObject().put("id", "lp-two").put("lpCompId", "LPTWO").put("spreadBps", "3.5"))));
    List<Instrument> instruments = LpSimulatorCommand.instruments(ConfigLoader.readJson(Path.of("conf"), "instruments.json"));
    try (LpSimulator sim = LpSimulatorCommand.start(root, instruments)) {
      assertThat(LpSimulatorCommand.storeDir(root)).isEqualTo(dir.resolve("lp-sim").toAbsolutePath().normalize());
      for (SimulatedLp lp : sim.lps()) {
        assertThat(lp.port()).isPositive();
        try (Socket s = new Socket("127.0.0.1", lp.port())) {
          assertThat(s.isConnected()).isTrue();
        }
      }
      String banner = LpSimulatorCommand.describe(sim, LpSimulatorCommand.storeDir(root));
      assertThat(banner).contains("lp-one", "LPONE", "lp-two", "LPTWO", "3.5 bp", ":" + sim.lp("lp-two").port());
      assertThat(dir.resolve("lp-sim").resolve("lp-one")).isDirectory();
    }
  }

  @Test
  void fixLpConfigDefaultsAndKeyNamingErrors() {
    FixLpConfig c = FixLpConfig.fromJson(new JsonObject().put("id", "lp-alpha").put("port", 9871).put("targetCompId", "LPALPHA"));
    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.senderCompId()).isEqualTo("ORION");
    assertThat(c.heartbeatSeconds()).isEqualTo(5);
    assertThat(c.reconnectInterval()).isEqualTo(FixLpConfig.DEFAULT_RECONNECT);
    assertThat(c.dataDictionary()).isEqualTo("FIX44.xml");
    assertThat(c.storeDir().endsWith(Path.of("fix", "lp-alpha"))).as("default store dir").isTrue();

    JsonObject ok = new JsonObject().put("id", "lp-alpha").put("port", 9871).put("targetCompId", "LPALPHA");
    assertThatThrownBy(() -> FixLpConfig.fromJson(ok.copy().put("reconnectInterval", "soon"), "lps[0]"))
      .isInstanceOf(ConfigException.class).hasMessageContaining("'lps[0].reconnectInterval'");
    assertThatThrownBy(() -> FixLpConfig.fromJson(ok.copy().put("reconnectInterval", "5;0"), "lps[0]"))
      .hasMessageContaining("'lps[0].reconnectInterval'");
    assertThat(FixLpConfig.fromJson(ok.copy().put("reconnectInterval", "1x1;3x2;10")).reconnectInterval()).isEqualTo("1x1;3x2;10");
    assertThatThrownBy(() -> FixLpConfig.fromJson(ok.copy().put("heartbeatSeconds", 0), "lps[0]"))
      .hasMessageContaining("'lps[0].heartbeatSeconds'");
    assertThatThrownBy(() -> FixLpConfig.fromJson(ok.copy().putNull("port"), "lps[3]")).hasMessageContaining("'lps[3].port'");
    assertThatThrownBy(() -> FixLpConfig.fromJson(ok.copy().put("targetCompId", "ORION"), "lps[0]"))
      .hasMessageContaining("'lps[0].targetCompId'");
    assertThatThrownBy(() -> FixLpConfig.fromJson(new JsonObject().put("id", "x").put("port", 1), "lps[0]"))
      .hasMessageContaining("'lps[0].targetCompId'");
  }
}
