package io.orion.oms.auth;

import io.orion.oms.config.ConfigLoader;
import io.orion.oms.config.OrionConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Tokens: what the service signs it accepts, with its claims; everything else is refused. */
@ExtendWith(VertxExtension.class)
class JwtSupportTest {

  // ------------------------------------------------------------------ helpers

  static OrionConfig config(Path dataDir, String... envPairs) {
    Map<String, String> env = new HashMap<>();
    env.put("ORION_DATA_DIR", dataDir.toString());
    for (int i = 0; i < envPairs.length; i += 2) env.put(envPairs[i], envPairs[i + 1]);
    return ConfigLoader.load(env);
  }

  static long now() {
    return System.currentTimeMillis() / 1000;
  }

  static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  static String b64(JsonObject j) {
    return b64(j.encode().getBytes(StandardCharsets.UTF_8));
  }

  static JsonObject decodePart(String token, int part) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[part]), StandardCharsets.UTF_8));
  }

  /** Claims as the service's own tokens carry them. */
  static JsonObject claims(OrionConfig c) {
    return new JsonObject().put("sub", "alice").put("tenant", "acme").put("roles", new JsonArray().add("trader"))
      .put("iat", now()).put("exp", now() + 600).put("iss", c.jwt().issuer()).put("aud", c.jwt().audience());
  }

  /** A token signed by hand with an HMAC of the given JWT name (HS256, HS384, HS512). */
  static String hmacToken(String alg, String secret, JsonObject payload) throws Exception {
    String javaAlg = "Hmac" + alg.replace("HS", "SHA");
    String signingInput = b64(new JsonObject().put("typ", "JWT").put("alg", alg)) + "." + b64(payload);
    Mac mac = Mac.getInstance(javaAlg);
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), javaAlg));
    return signingInput + "." + b64(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
  }

  static Future<User> authenticate(JWTAuth auth, String token) {
    return auth.authenticate(new TokenCredentials(token));
  }

  /** Succeeds with the cause when the token is refused; fails when it is accepted. */
  static Future<Throwable> refused(JWTAuth auth, String token, String why) {
    return authenticate(auth, token).transform(ar -> ar.succeeded()
      ? Future.failedFuture(new AssertionError("token accepted but should be refused (" + why + "): "
      + ar.result().attributes().getJsonObject("accessToken")))
      : Future.succeededFuture(ar.cause()));
  }

  static JsonObject verifiedClaims(User user) {
    return user.attributes().getJsonObject("accessToken");
  }

  static String secretOf(OrionConfig c) throws Exception {
    return Files.readString(c.dataDir().resolve("jwt-secret")).trim();
  }

  // ------------------------------------------------------------------ issue and accept

  @Test
  void issuedTokenIsAcceptedAndCarriesItsClaims(Vertx vertx, VertxTestContext ctx, @TempDir Path dir) {
    OrionConfig c = config(dir);
    JWTAuth auth = JwtSupport.create(vertx, c);
    long before = now();
    String token = JwtSupport.issue(auth, c, "acme", "alice", List.of("trader", "admin"), 30);
    ctx.verify(() -> {
      assertThat(token.split("\\.")).hasSize(3);
      assertThat(decodePart(token, 0).getString("alg")).isEqualTo("HS256");
    });
    authenticate(auth, token).onComplete(ctx.succeeding(user -> ctx.verify(() -> {
      JsonObject claims = verifiedClaims(user);
      assertThat(claims.getString("sub")).isEqualTo("alice");
      assertThat(claims.getString("tenant")).isEqualTo("acme");
      assertThat(claims.getJsonArray("roles").getList()).containsExactly("trader", "admin");
      assertThat(claims.getString("iss")).isEqualTo("orion-oms");
      Object aud = claims.getValue("aud");
      List<Object> audiences = aud instanceof JsonArray a ? a.getList() : List.of(aud);
      assertThat(audiences).containsExactly("orion-oms-api");
      assertThat(claims.getLong("exp")).isBetween(before + 30 * 60, now() + 30 * 60);
      assertThat(claims.getLong("iat")).isBetween(before, now());

      Caller caller = Caller.fromClaims(claims);
      assertThat(caller).isEqualTo(new Caller("acme", "alice", Set.of(Role.TRADER, Role.ADMIN)));
      assertThat(caller.seesWholeTenant()).isTrue();
      ctx.completeNow();
    })));
  }

  @Test
  void handSignedHs256TokenWithTheSecretIsAccepted(Vertx vertx, VertxTestContext ctx, @TempDir Path dir) throws Exception {
    // proves the hand-made tokens below differ from a good one only in what each test changes
    OrionConfig c = config(dir);
    JWTAuth auth = JwtSupport.create(vertx, c);
    String token = hmacToken("HS256", secretOf(c), claims(c));
    authenticate(auth, token).onComplete(ctx.succeeding(user -> ctx.verify(() -> {
      assertThat(Caller.fromClaims(verifiedClaims(user))).isEqualTo(new Caller("acme", "alice", Set.of(Role.TRADER)));
      ctx.completeNow();
    })));
  }

  @Test
  void configuredSecretIsUsedAndNoFileIsWritten(Vertx vertx, VertxTestContext ctx, @TempDir Path dir) throws Exception {
    String secret = "this-is-a-configured-secret-of-40-chars!";
    OrionConfig c = config(dir, "ORION_JWT_SECRET", secret);
    JWTAuth auth = JwtSupport.create(vertx, c);
    assertThat(dir.resolve("jwt-secret")).doesNotExist();
    String token = hmacToken("HS256", secret, claims(c));
    String issued = JwtSupport.issue(auth, c, "acme", "bob", List.of("viewer"), 5);
    Future.all(authenticate(auth, token), authenticate(auth, issued))
      .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
        assertThat(Caller.fromClaims(verifiedClaims(all.resultAt(1)))).isEqualTo(new Caller("acme", "bob", Set.of(Role.VIEWER)));
        ctx.completeNow();
      })));
  }

  // ------------------------------------------------------------------ refused tokens

  @Test
  void algNoneIsRefused(Vertx vertx, VertxTestContext ctx, @TempDir Path dir) throws Exception {
    OrionConfig c = config(dir);
    JWTAuth auth = JwtSupport.create(vertx, c);
    String payload = b64(claims(c));
    String good = hmacToken("HS256", secretOf(c), claims(c));
    List<Future<Throwable>> checks = new ArrayList<>();
    for (String alg : List.of("none", "None", "NONE")) {
      String header = b64(new JsonObject().put("typ", "JWT").put("alg", alg));
      checks.add(refused(auth, header + "." + payload + ".", "alg " + alg));
      // with a real signature appended: still not HS256
      checks.add(refused(auth, header + "." + payload + "." + good.split("\\.")[2], "alg " + alg + " + sig"));
    }
    checks.add(refused(auth, b64(new JsonObject().put("typ", "JWT")) + "." + payload + ".", "no alg"));
    Future.all(checks).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void otherSecretOrOtherHmacAlgorithmIsRefused(Vertx vertx, VertxTestContext ctx, @TempDir Path a, @TempDir Path b)
    throws Exception {
    OrionConfig ca = config(a);
    OrionConfig cb = config(b);
    JWTAuth authA = JwtSupport.create(vertx, ca);
    JWTAuth authB = JwtSupport.create(vertx, cb);
    assertThat(secretOf(ca)).isNotEqualTo(secretOf(cb));
    String fromB = JwtSupport.issue(authB, cb, "acme", "alice", List.of("trader"), 30);
    Future.all(List.of(
        refused(authA, fromB, "signed with another data dir's secret"),
        refused(authA, hmacToken("HS256", "another-secret-another-secret-000", claims(ca)), "other secret"),
        refused(authA, hmacToken("HS384", secretOf(ca), claims(ca)), "HS384"),
        refused(authA, hmacToken("HS512", secretOf(ca), claims(ca)), "HS512"),
        authenticate(authB, fromB)))
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void tamperedOrMalformedTokensAreRefused(Vertx vertx, VertxTestContext ctx, @TempDir Path dir) throws Exception {
    OrionConfig c = config(dir);
    JWTAuth auth = JwtSupport.create(vertx, c);
    String good = JwtSupport.issue(auth, c, "acme", "alice", List.of("trader"), 30);
    String[] parts = good.split("\\.");
    JsonObject payload = decodePart(good, 1);
    String otherTenant = parts[0] + "." + b64(payload.copy().put("tenant", "globex")) + "." + parts[2];
    String moreRoles = parts[0] + "." + b64(payload.copy().put("roles", new JsonArray().add("trader").add("admin"))) + "." + parts[2];
    Future.all(List.of(
        refused(auth, otherTenant, "tenant changed"),
        refused(auth, moreRoles, "roles changed"),
        refused(auth, parts[0] + "." + parts[1], "no signature part"),
        refused(auth, parts[0] + "." + parts[1] + ".", "empty signature"),
        refused(auth, "not-a-token", "garbage"),
        refused(auth, "", "empty")))
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void expiredOrNotYetValidTokensAreRefused(Vertx vertx, VertxTestContext ctx, @TempDir Path dir) throws Exception {
    OrionConfig c = config(dir); // leeway 5 s
    JWTAuth auth = JwtSupport.create(vertx, c);
    String secret = secretOf(c);
    Future.all(List.of(
        refused(auth, hmacToken("HS256", secret, claims(c).put("exp", now() - 60)), "expired a minute ago"),
        refused(auth, hmacToken("HS256", secret, claims(c).put("exp", now() - 3600).put("iat", now() - 7200)), "expired an hour ago"),
        refused(auth, hmacToken("HS256", secret, claims(c).put("nbf", now() + 600)), "not before in 10 minutes"),
        refused(auth, hmacToken("HS256", secret, claims(c).put("iat", now() + 600)), "issued 10 minutes from now"),
        // within the leeway: accepted
        authenticate(auth, hmacToken("HS256", secret, claims(c).put("exp", now() - 1)))))
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void wrongIssuerOrAudienceIsRefused(Vertx vertx, VertxTestContext ctx, @TempDir Path dir) throws Exception {
    OrionConfig c = config(dir);
    JWTAuth auth = JwtSupport.create(vertx, c);
    String secret = secretOf(c);
    Future.all(List.of(
        refused(auth, hmacToken("HS256", secret, claims(c).put("iss", "someone-else")), "issuer"),
        refused(auth, hmacToken("HS256", secret, claims(c).put("aud", "other-api")), "audience"),
        refused(auth, hmacToken("HS256", secret, claims(c).put("aud", new JsonArray().add("x").add("y"))), "audiences"),
        refused(auth, hmacToken("HS256", secret, withoutKey(claims(c), "iss")), "no issuer"),
        refused(auth, hmacToken("HS256", secret, withoutKey(claims(c), "aud")), "no audience"),
        // one of several audiences is enough
        authenticate(auth, hmacToken("HS256", secret, claims(c).put("aud", new JsonArray().add("x").add("orion-oms-api"))))))
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void tokensOfAnotherIssuerConfigurationAreRefused(Vertx vertx, VertxTestContext ctx, @TempDir Path dir) {
    String secret = "0123456789abcdef0123456789abcdef";
    OrionConfig issuerA = config(dir, "ORION_JWT_SECRET", secret);
    OrionConfig issuerB = config(dir, "ORION_JWT_SECRET", secret, "ORION_JWT_ISSUER", "other-oms");
    OrionConfig audienceB = config(dir, "ORION_JWT_SECRET", secret, "ORION_JWT_AUDIENCE", "other-api");
    JWTAuth authA = JwtSupport.create(vertx, issuerA);
    String fromB = JwtSupport.issue(JwtSupport.create(vertx, issuerB), issuerB, "acme", "alice", List.of("trader"), 5);
    String forB = JwtSupport.issue(JwtSupport.create(vertx, audienceB), audienceB, "acme", "alice", List.of("trader"), 5);
    Future.all(refused(authA, fromB, "other issuer"), refused(authA, forB, "other audience"))
      .onComplete(ctx.succeedingThenComplete());
  }

  static JsonObject withoutKey(JsonObject o, String key) {
    o.remove(key);
    return o;
  }

  // ------------------------------------------------------------------ the secret file

  @Test
  void secretFileIsCreatedOnceOwnerOnlyAndReused(Vertx vertx, VertxTestContext ctx, @TempDir Path tmp) throws Exception {
    Path dataDir = tmp.resolve("nested/data"); // created on demand
    OrionConfig c = config(dataDir);
    JWTAuth first = JwtSupport.create(vertx, c);
    Path file = dataDir.resolve("jwt-secret");
    assertThat(file).isRegularFile();
    assertThat(Files.getPosixFilePermissions(file))
      .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    String secret = Files.readString(file);
    assertThat(secret.trim().length()).isGreaterThanOrEqualTo(32);
    assertThat(secret.trim()).matches("[A-Za-z0-9_-]+");
    try (var listing = Files.list(dataDir)) {
      assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("jwt-secret");
    }
    long modified = Files.getLastModifiedTime(file).toMillis();

    String token = JwtSupport.issue(first, c, "acme", "alice", List.of("trader"), 10);
    JWTAuth second = JwtSupport.create(vertx, config(dataDir));
    assertThat(Files.readString(file)).isEqualTo(secret);
    assertThat(Files.getLastModifiedTime(file).toMillis()).isEqualTo(modified);
    assertThat(JwtSupport.secret(c)).isEqualTo(secret.trim());

    // a token of the first instance is accepted by the second, and the other way round
    String back = JwtSupport.issue(second, c, "acme", "bob", List.of("viewer"), 10);
    Future.all(authenticate(second, token), authenticate(first, back)).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      assertThat(verifiedClaims(all.resultAt(0)).getString("sub")).isEqualTo("alice");
      assertThat(verifiedClaims(all.resultAt(1)).getString("sub")).isEqualTo("bob");
      ctx.completeNow();
    })));
  }

  @Test
  void anExistingSecretFileIsReadNotReplaced(Vertx vertx, VertxTestContext ctx, @TempDir Path dir) throws Exception {
    String secret = "operator-provided-secret-0123456789abcdef";
    Files.writeString(dir.resolve("jwt-secret"), secret + "\n");
    OrionConfig c = config(dir);
    JWTAuth auth = JwtSupport.create(vertx, c);
    assertThat(Files.readString(dir.resolve("jwt-secret"))).isEqualTo(secret + "\n");
    authenticate(auth, hmacToken("HS256", secret, claims(c))).onComplete(ctx.succeedingThenComplete());
  }

  // ------------------------------------------------------------------ asymmetric keys

  @Test
  void rs256VerifiesWithThePublicKeyAndNeverIssuesNorAcceptsHmac(Vertx vertx, VertxTestContext ctx, @TempDir Path dir)
    throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
    gen.initialize(2048);
    KeyPair kp = gen.generateKeyPair();
    String pem = "-----BEGIN PUBLIC KEY-----\n"
      + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(kp.getPublic().getEncoded())
      + "\n-----END PUBLIC KEY-----\n";
    OrionConfig c = config(dir, "ORION_JWT_ALGORITHM", "RS256", "ORION_JWT_PUBLIC_KEY_PEM", pem);
    JWTAuth auth = JwtSupport.create(vertx, c);
    assertThat(dir.resolve("jwt-secret")).as("no HMAC secret for RS256").doesNotExist();
    assertThatThrownBy(() -> JwtSupport.issue(auth, c, "acme", "alice", List.of("trader"), 5))
      .isInstanceOf(IllegalStateException.class).hasMessageContaining("RS256");

    String signingInput = b64(new JsonObject().put("typ", "JWT").put("alg", "RS256")) + "." + b64(claims(c));
    Signature sig = Signature.getInstance("SHA256withRSA");
    sig.initSign(kp.getPrivate());
    sig.update(signingInput.getBytes(StandardCharsets.US_ASCII));
    String rs = signingInput + "." + b64(sig.sign());

    Future.all(List.of(
        authenticate(auth, rs),
        // the classic confusion: HS256 "signed" with the public key text
        refused(auth, hmacToken("HS256", pem, claims(c)), "HS256 with the public key as secret"),
        refused(auth, hmacToken("HS256", pem.trim(), claims(c)), "HS256 with the trimmed public key as secret")))
      .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
        User u = all.resultAt(0);
        assertThat(Caller.fromClaims(verifiedClaims(u))).isEqualTo(new Caller("acme", "alice", Set.of(Role.TRADER)));
        ctx.completeNow();
      })));
  }

  // ------------------------------------------------------------------ Caller

  @Test
  void callerFromClaimsRequiresTenantSubAndExp() {
    JsonObject ok = new JsonObject().put("sub", "alice").put("tenant", "acme").put("exp", now() + 60)
      .put("roles", new JsonArray().add("trader"));
    assertThat(Caller.fromClaims(ok)).isEqualTo(new Caller("acme", "alice", Set.of(Role.TRADER)));

    assertThat(Caller.fromClaims(withoutKey(ok.copy(), "tenant"))).isNull();
    assertThat(Caller.fromClaims(ok.copy().put("tenant", ""))).isNull();
    assertThat(Caller.fromClaims(ok.copy().put("tenant", "  "))).isNull();
    assertThat(Caller.fromClaims(ok.copy().put("tenant", 42))).isNull();
    assertThat(Caller.fromClaims(ok.copy().put("tenant", new JsonArray().add("acme")))).isNull();
    assertThat(Caller.fromClaims(withoutKey(ok.copy(), "sub"))).isNull();
    assertThat(Caller.fromClaims(ok.copy().put("sub", " "))).isNull();
    assertThat(Caller.fromClaims(withoutKey(ok.copy(), "exp"))).isNull();
    assertThat(Caller.fromClaims(new JsonObject())).isNull();
  }

  @Test
  void callerRolesFromArrayOrStringUnknownOnesDropped() {
    JsonObject base = new JsonObject().put("sub", "u").put("tenant", "t").put("exp", now() + 60);
    assertThat(Caller.fromClaims(base.copy().put("roles", "trader viewer")).roles())
      .containsExactlyInAnyOrder(Role.TRADER, Role.VIEWER);
    assertThat(Caller.fromClaims(base.copy().put("roles", "admin,compliance")).roles())
      .containsExactlyInAnyOrder(Role.ADMIN, Role.COMPLIANCE);
    assertThat(Caller.fromClaims(base.copy().put("roles", new JsonArray().add("trader").add("root").add("ADMIN"))).roles())
      .containsExactly(Role.TRADER);
    assertThat(Caller.fromClaims(base.copy()).roles()).isEmpty();
    assertThat(Caller.fromClaims(base.copy().put("roles", 7)).roles()).isEmpty();
    Caller viewer = Caller.fromClaims(base.copy().put("roles", "viewer"));
    assertThat(viewer.seesWholeTenant()).isFalse();
    assertThat(viewer.has(Role.TRADER)).isFalse();
    assertThat(Caller.fromClaims(base.copy().put("roles", "compliance")).seesWholeTenant()).isTrue();
  }

  @Test
  void callerBusFormRoundTrips() {
    Caller c = new Caller("acme", "alice", EnumSet.of(Role.TRADER, Role.COMPLIANCE));
    JsonObject json = c.toJson();
    assertThat(json.getString("tenant")).isEqualTo("acme");
    assertThat(json.getString("userId")).isEqualTo("alice");
    assertThat(json.getJsonArray("roles").getList()).containsExactlyInAnyOrder("trader", "compliance");
    assertThat(Caller.fromJson(json)).isEqualTo(c);
    assertThat(Caller.fromJson(new JsonObject().put("tenant", "t").put("userId", "u")).roles()).isEmpty();
    assertThat(Role.fromClaim("trader")).isEqualTo(Role.TRADER);
    assertThat(Role.fromClaim("Trader")).isNull();
  }
}
