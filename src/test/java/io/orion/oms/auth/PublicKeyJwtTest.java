package io.orion.oms.auth;

import io.orion.oms.config.ConfigLoader;
import io.orion.oms.config.OrionConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** With a public key configured, tokens of the identity provider are verified and nothing else is accepted. */
class PublicKeyJwtTest {
  static Vertx vertx;
  static KeyPair keys;
  static OrionConfig config;

  @BeforeAll
  static void setUp() throws Exception {
    vertx = Vertx.vertx();
    KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
    gen.initialize(2048);
    keys = gen.generateKeyPair();
    config = ConfigLoader.load(Map.of("ORION_JWT_ALGORITHM", "RS256",
      "ORION_JWT_PUBLIC_KEY_PEM", pem("PUBLIC KEY", keys.getPublic().getEncoded())));
  }

  @AfterAll
  static void tearDown() {
    vertx.close();
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
      + "\n-----END " + type + "-----\n";
  }

  private static String sign(String alg, String keyPem, String issuer) {
    JWTAuth signer = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm(alg)
      .setBuffer(keyPem)));
    return signer.generateToken(new JsonObject().put("sub", "alice").put("tenant", "acme").put("roles", List.of("trader")),
      new JWTOptions().setAlgorithm(alg).setIssuer(issuer).setAudience(List.of(config.jwt().audience()))
        .setExpiresInMinutes(5));
  }

  private static User verify(String token) throws Exception {
    return JwtSupport.create(vertx, config).authenticate(new TokenCredentials(token))
      .toCompletionStage().toCompletableFuture().get();
  }

  @Test
  void providerTokenSignedWithThePrivateKeyIsAccepted() throws Exception {
    String token = sign("RS256", pem("PRIVATE KEY", keys.getPrivate().getEncoded()), config.jwt().issuer());
    User user = verify(token);
    Caller caller = Caller.fromClaims(user.attributes().getJsonObject("accessToken"));
    assertThat(caller).isEqualTo(new Caller("acme", "alice", java.util.Set.of(Role.TRADER)));
  }

  @Test
  void hmacTokenOrOtherIssuerIsRefused() {
    String hmac = sign("HS256", "a-shared-secret-that-is-long-enough-to-sign", config.jwt().issuer());
    assertThatThrownBy(() -> verify(hmac)).isNotNull();
    String otherIssuer = sign("RS256", pem("PRIVATE KEY", keys.getPrivate().getEncoded()), "someone-else");
    assertThatThrownBy(() -> verify(otherIssuer)).hasMessageContaining("issuer");
  }

  @Test
  void theServiceDoesNotMintTokensWithoutThePrivateKey() {
    JWTAuth auth = JwtSupport.create(vertx, config);
    assertThatThrownBy(() -> JwtSupport.issue(auth, config, "acme", "alice", List.of("trader"), 5))
      .isInstanceOf(IllegalStateException.class).hasMessageContaining("identity provider");
  }
}
