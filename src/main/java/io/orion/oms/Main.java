package io.orion.oms;

import io.orion.oms.account.Account;
import io.orion.oms.auth.JwtSupport;
import io.orion.oms.config.ConfigException;
import io.orion.oms.config.ConfigLoader;
import io.orion.oms.config.OrionConfig;
import io.orion.oms.lp.sim.LpSimulatorCommand;
import io.vertx.core.Vertx;

import java.time.Clock;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Command line: no arguments (or {@code serve}) runs the service; {@code lp-sim} runs the simulated
 * FIX LPs on their own; {@code token --tenant T --user U
 * --roles trader[,admin] [--ttl-minutes N]} prints a token that a service on the same data directory accepts.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    String command = args.length == 0 ? "serve" : args[0];
    try {
      if (command.equals("lp-sim")) {
        LpSimulatorCommand.run(System.getenv()); // needs only the simulator section: runs without a database
        return;
      }
      OrionConfig config = ConfigLoader.load(System.getenv());
      switch (command) {
        case "serve" -> serve(config);
        case "token" -> token(config, options(Arrays.copyOfRange(args, 1, args.length)));
        default -> usage("Unknown command '" + command + "'");
      }
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      System.exit(2);
    }
  }

  private static void serve(OrionConfig config) {
    try {
      OrionApp app = new OrionApp(config, Clock.systemUTC()).start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> stopQuietly(app), "orion-shutdown"));
      onStopSignal(app);
      printBanner(app);
    } catch (ConfigException e) {
      throw e;
    } catch (Exception e) {
      System.err.println("Orion OMS failed to start: " + e);
      e.printStackTrace();
      System.exit(1);
    }
  }

  /**
   * SIGTERM and Ctrl-C drain the service ({@link OrionApp#stop()}) and exit with status 0: a stop that
   * was asked for and finished is a clean exit, not the 143 of a killed JVM. Where the signals cannot
   * be handled, the shutdown hook still stops the service gracefully.
   */
  @SuppressWarnings("restriction")
  private static void onStopSignal(OrionApp app) {
    for (String name : List.of("TERM", "INT")) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> new Thread(() -> {
          stopQuietly(app);
          System.exit(0);
        }, "orion-stop-" + name).start());
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        // not available on this platform: the shutdown hook stops the service
      }
    }
  }

  private static void stopQuietly(OrionApp app) {
    try {
      app.stop(); // a second call (the hook after the signal's exit) returns at once
    } catch (Exception e) {
      System.err.println("Orion OMS did not stop cleanly: " + e);
    }
  }

  private static void printBanner(OrionApp app) {
    OrionConfig.Demo demo = app.config().demo();
    StringBuilder b = new StringBuilder("\nOrion OMS is running at ").append(app.baseUrl()).append('\n')
      .append("  Trader UI: ").append(app.baseUrl()).append("/\n")
      .append("  API docs: ").append(app.baseUrl()).append("/api/docs\n");
    if (demo.enabled() && app.config().jwt().algorithm().equals("HS256")) {
      int ttl = app.config().jwt().demoTokenTtlMinutes();
      b.append("  Demo tenant '").append(demo.tenant()).append("', token valid ").append(ttl).append(" minutes:\n");
      b.append("  Trader token (").append(demo.traderId()).append("):\n    ")
        .append(app.issueToken(demo.tenant(), demo.traderId(), List.of("trader"), ttl)).append('\n');
      b.append("  Admin token (").append(demo.adminId()).append("):\n    ")
        .append(app.issueToken(demo.tenant(), demo.adminId(), List.of("admin"), ttl)).append('\n');
      for (Account a : app.demoAccounts()) {
        b.append("  Demo account: ").append(a.id()).append(" (").append(a.currency()).append(' ')
          .append(a.balance().toPlainString()).append(")\n");
      }
    }
    System.out.println(b);
  }

  private static void token(OrionConfig config, Map<String, String> opts) {
    String tenant = opts.get("tenant");
    String user = opts.get("user");
    String roles = opts.getOrDefault("roles", "trader");
    if (tenant == null || user == null) usage("token needs --tenant and --user");
    String ttlText = opts.getOrDefault("ttl-minutes", String.valueOf(config.jwt().demoTokenTtlMinutes()));
    if (!ttlText.matches("\\d{1,6}") || Integer.parseInt(ttlText) < 1) usage("--ttl-minutes must be a whole number of minutes");
    int ttl = Integer.parseInt(ttlText);
    Vertx vertx = Vertx.vertx();
    try {
      String token = JwtSupport.issue(JwtSupport.create(vertx, config), config, tenant, user,
        List.of(roles.split("\\s*,\\s*")), ttl);
      System.out.println(token);
    } catch (IllegalStateException e) {
      System.err.println(e.getMessage());
      System.exit(2);
    } finally {
      vertx.close();
    }
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) usage("Bad option '" + args[i] + "'");
      m.put(args[i].substring(2), args[++i]);
    }
    return m;
  }

  private static void usage(String problem) {
    System.err.println(problem + "\nUsage:\n  java -jar orion-oms.jar [serve]\n"
      + "  java -jar orion-oms.jar lp-sim   (the simulated FIX LPs of conf simulator.lps, on their own)\n"
      + "  java -jar orion-oms.jar token --tenant T --user U --roles trader[,admin,viewer,compliance] [--ttl-minutes N]");
    System.exit(2);
  }
}
