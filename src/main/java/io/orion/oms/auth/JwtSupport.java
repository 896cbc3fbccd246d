package io.orion.oms.auth;

import io.orion.oms.config.OrionConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Collection;
import java.util.List;

/**
 * Builds the token verifier (and, for HS256, the signer) from configuration. Only the configured
 * algorithm is accepted; issuer, audience and expiry are checked on every request.
 */
public final class JwtSupport {
  static final String SECRET_FILE = "jwt-secret";

  private JwtSupport() {}

  public static JWTAuth create(Vertx vertx, OrionConfig config) {
    OrionConfig.Jwt jwt = config.jwt();
    PubSecKeyOptions key = new PubSecKeyOptions().setAlgorithm(jwt.algorithm());
    if (jwt.algorithm().equals("HS256")) {
      key.setBuffer(secret(config));
    } else {
      key.setBuffer(jwt.publicKeyPem());
    }
    JWTOptions verify = new JWTOptions()
      .setIssuer(jwt.issuer())
      .setAudience(List.of(jwt.audience()))
      .setLeeway(jwt.leewaySeconds())
      .setAlgorithm(jwt.algorithm());
    return JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(key).setJWTOptions(verify));
  }

  /** Signs a token (HS256 only: with a public key configured, tokens come from the identity provider). */
  public static String issue(JWTAuth auth, OrionConfig config, String tenant, String user, Collection<String> roles,
                             int ttlMinutes) {
    if (!config.jwt().algorithm().equals("HS256")) {
      throw new IllegalStateException("jwt.algorithm is " + config.jwt().algorithm()
        + ": tokens are issued by your identity provider, not by this service");
    }
    JsonObject claims = new JsonObject().put("sub", user).put("tenant", tenant).put("roles", new JsonArray(List.copyOf(roles)));
    return auth.generateToken(claims, new JWTOptions()
      .setAlgorithm("HS256")
      .setIssuer(config.jwt().issuer())
      .setAudience(List.of(config.jwt().audience()))
      .setExpiresInMinutes(ttlMinutes));
  }

  /** The configured secret, or one generated once into the data directory and kept there. */
  static String secret(OrionConfig config) {
    if (config.jwt().secret() != null) return config.jwt().secret();
    Path file = config.dataDir().resolve(SECRET_FILE);
    try {
      if (Files.isRegularFile(file)) return Files.readString(file).trim();
      Files.createDirectories(config.dataDir());
      byte[] bytes = new byte[48];
      new SecureRandom().nextBytes(bytes);
      String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
      Path tmp = file.resolveSibling(SECRET_FILE + ".tmp");
      Files.writeString(tmp, secret);
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system: the directory's own permissions apply
      }
      Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return secret;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read or create the JWT secret in " + config.dataDir(), e);
    }
  }
}
