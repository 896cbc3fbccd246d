package io.orion.oms.auth;

import io.orion.oms.config.ConfigLoader;
import io.orion.oms.config.OrionConfig;
import io.orion.oms.support.Http;
import io.orion.oms.support.TestApp;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code java -jar orion-oms.jar token ...} run as a real child process on a data directory of its own. */
@ExtendWith(VertxExtension.class)
class TokenCommandTest {
  private static final Pattern JWT = Pattern.compile("^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$", Pattern.MULTILINE);

  record Run(int exit, String out, String err) {
    String token() {
      Matcher m = JWT.matcher(out);
      assertThat(m.find()).as("a token on stdout: " + this).isTrue();
      String t = m.group();
      assertThat(m.find()).as("exactly one token on stdout").isFalse();
      return t;
    }

    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
    }
  }

  static Run run(Path dataDir, Map<String, String> extraEnv, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-cp", System.getProperty("java.class.path"), "io.orion.oms.Main"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeIf(k -> k.startsWith("ORION_"));
    pb.environment().put("ORION_DATA_DIR", dataDir.toString());
    pb.environment().put("ORION_LOG_LEVEL", "WARN");
    pb.environment().putAll(extraEnv);
    Process p = pb.start();
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("token command did not finish: " + String.join(" ", args));
    }
    return new Run(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
  }

  static Run run(Path dataDir, String... args) throws Exception {
    return run(dataDir, Map.of(), args);
  }

  private static String read(InputStream in) {
    try {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      in.transferTo(b);
      return b.toString(StandardCharsets.UTF_8);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static OrionConfig configOn(Path dataDir) {
    return ConfigLoader.load(Map.of("ORION_DATA_DIR", dataDir.toString()));
  }

  static long now() {
    return System.currentTimeMillis() / 1000;
  }

  // ------------------------------------------------------------------ good tokens

  @Test
  void printedTokenIsAcceptedWithItsClaims(Vertx vertx, VertxTestContext ctx, @TempDir Path dataDir) throws Exception {
    long before = now();
    Run r = run(dataDir, "token", "--tenant", "acme", "--user", "alice", "--roles", "trader,admin");
    assertThat(r.exit()).as(r.toString()).isZero();
    String token = r.token();

    Path secret = dataDir.resolve("jwt-secret");
    assertThat(secret).as("the command created the signing key in the data directory").isRegularFile();
    assertThat(Files.getPosixFilePermissions(secret))
      .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    JWTAuth auth = JwtSupport.create(vertx, configOn(dataDir));
    auth.authenticate(new TokenCredentials(token)).onComplete(ctx.succeeding(user -> ctx.verify(() -> {
      JsonObject claims = user.attributes().getJsonObject("accessToken");
      assertThat(claims.getString("sub")).isEqualTo("alice");
      assertThat(claims.getString("tenant")).isEqualTo("acme");
      assertThat(claims.getJsonArray("roles").getList()).containsExactly("trader", "admin");
      assertThat(claims.getString("iss")).isEqualTo("orion-oms");
      // the default lifetime is jwt.demoTokenTtlMinutes (720)
      assertThat(claims.getLong("exp")).isBetween(before + 720 * 60, now() + 720 * 60);
      assertThat(Caller.fromClaims(claims)).isEqualTo(new Caller("acme", "alice", Set.of(Role.TRADER, Role.ADMIN)));
      ctx.completeNow();
    })));
  }

  @Test
  void ttlAndDefaultRolesAndTheSameKeyOnEveryRun(Vertx vertx, VertxTestContext ctx, @TempDir Path dataDir) throws Exception {
    long before = now();
    Run first = run(dataDir, "token", "--tenant", "acme", "--user", "bob", "--ttl-minutes", "5");
    assertThat(first.exit()).as(first.toString()).isZero();
    String secret = Files.readString(dataDir.resolve("jwt-secret"));
    Run second = run(dataDir, "token", "--user", "carol", "--tenant", "acme", "--roles", "viewer");
    assertThat(second.exit()).as(second.toString()).isZero();
    assertThat(Files.readString(dataDir.resolve("jwt-secret"))).as("the key is reused").isEqualTo(secret);

    JWTAuth auth = JwtSupport.create(vertx, configOn(dataDir));
    io.vertx.core.Future.all(auth.authenticate(new TokenCredentials(first.token())),
        auth.authenticate(new TokenCredentials(second.token())))
      .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
        JsonObject bob = ((User) all.resultAt(0)).attributes().getJsonObject("accessToken");
        assertThat(bob.getLong("exp")).isBetween(before + 300, now() + 300);
        assertThat(Caller.fromClaims(bob)).isEqualTo(new Caller("acme", "bob", Set.of(Role.TRADER)));
        JsonObject carol = ((User) all.resultAt(1)).attributes().getJsonObject("accessToken");
        assertThat(Caller.fromClaims(carol)).isEqualTo(new Caller("acme", "carol", Set.of(Role.VIEWER)));
        ctx.completeNow();
      })));
  }

  /** The README's promise: a token printed by the command works against a service on the same data directory. */
  @Test
  void runningServiceOnTheSameDataDirAcceptsTheToken(@TempDir Path dataDir, @TempDir Path otherDir) throws Exception {
    Run r = run(dataDir, "token", "--tenant", "acme", "--user", "alice", "--roles", "trader");
    assertThat(r.exit()).as(r.toString()).isZero();
    Run other = run(otherDir, "token", "--tenant", "acme", "--user", "alice", "--roles", "trader");
    assertThat(other.exit()).as(other.toString()).isZero();

    try (TestApp app = TestApp.start(new JsonObject().put("dataDir", dataDir.toString())
      .put("demo", new JsonObject().put("enabled", false)), Clock.systemUTC())) {
      assertThat(app.config().dataDir()).isEqualTo(dataDir.toAbsolutePath().normalize());
      Http.Res ok = app.http.get("/api/v1/accounts", r.token());
      assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
      Http.Res refused = app.http.get("/api/v1/accounts", other.token());
      assertThat(refused.status()).as("signed with another data dir's key: " + refused).isEqualTo(401);
    }
  }

  // ------------------------------------------------------------------ bad invocations

  @ParameterizedTest
  @ValueSource(strings = {
    "token --tenant",                       // option without value
    "token tenant acme --user alice",       // not an option
    "token --user alice",                   // no tenant
    "token --tenant acme",                  // no user
    "frobnicate"                            // unknown command
  })
  void badInvocationExitsWith2AndUsage(String args, @TempDir Path dataDir) throws Exception {
    Run r = run(dataDir, args.split(" "));
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("Usage:").contains("token --tenant T --user U");
    assertThat(JWT.matcher(r.out()).find()).as("no token printed").isFalse();
  }

  /**
   * --ttl-minutes must be a positive whole number: "abc" must not end in a stack trace (exit 1), and 0 or
   * a negative number must not print a token without expiry, which the service refuses anyway.
   */
  @ParameterizedTest
  @ValueSource(strings = {"abc", "0", "-5"})
  void badTtlExitsWith2AndUsage(String ttl, @TempDir Path dataDir) throws Exception {
    Run r = run(dataDir, "token", "--tenant", "acme", "--user", "alice", "--ttl-minutes", ttl);
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("Usage:");
    assertThat(JWT.matcher(r.out()).find()).as("no token printed").isFalse();
  }

  @Test
  void badConfigurationExitsWith2NamingTheKey(@TempDir Path dataDir) throws Exception {
    Run r = run(dataDir, Map.of("ORION_HTTP_PORT", "abc"), "token", "--tenant", "acme", "--user", "alice");
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("'http.port'");
    assertThat(r.out()).isBlank();
  }

  @Test
  void withAnIdentityProviderKeyTheCommandRefusesToIssue(@TempDir Path dataDir) throws Exception {
    java.security.KeyPairGenerator gen = java.security.KeyPairGenerator.getInstance("RSA");
    gen.initialize(2048);
    String pem = "-----BEGIN PUBLIC KEY-----\n"
      + java.util.Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(gen.generateKeyPair().getPublic().getEncoded())
      + "\n-----END PUBLIC KEY-----\n";
    Run r = run(dataDir, Map.of("ORION_JWT_ALGORITHM", "RS256", "ORION_JWT_PUBLIC_KEY_PEM", pem),
      "token", "--tenant", "acme", "--user", "alice");
    assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    assertThat(r.err()).contains("RS256").contains("identity provider");
    assertThat(JWT.matcher(r.out()).find()).isFalse();
  }
}
