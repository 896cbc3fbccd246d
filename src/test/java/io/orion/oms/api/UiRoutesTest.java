package io.orion.oms.api;

import io.orion.oms.support.Http;
import io.orion.oms.support.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;

/** The web UI's routes over HTTP: the page and its policy, static files, and who gets the demo token. */
class UiRoutesTest {
  static TestApp app;
  static int port;

  @BeforeAll
  static void start() throws Exception {
    app = TestApp.start();
    port = app.app().httpPort();
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
  }

  /** A request with headers java.net.http will not let us set (Host): status line, then the raw response. */
  static String raw(String method, String path, String... headers) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5000);
      StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
      for (String h : headers) req.append(h).append("\r\n");
      if (java.util.Arrays.stream(headers).noneMatch(h -> h.toLowerCase().startsWith("host:"))) {
        req.append("Host: 127.0.0.1:").append(port).append("\r\n");
      }
      req.append("Content-Length: 0\r\nConnection: close\r\n\r\n");
      OutputStream out = s.getOutputStream();
      out.write(req.toString().getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream buf = new ByteArrayOutputStream();
      in.transferTo(buf);
      return buf.toString(StandardCharsets.UTF_8);
    }
  }

  @Test
  void thePageIsServedAtTheRootWithAPolicyAllowingOnlyItsOwnCode() {
    Http.Res page = app.http.get("/", null);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.header("Content-Type")).startsWith("text/html");
    assertThat(page.body()).contains("<script type=\"module\" src=\"/ui/js/app.js\"></script>")
      .contains("<script src=\"/ui/vendor/sockjs.min.js\"");
    String csp = page.header("Content-Security-Policy");
    assertThat(csp).contains("default-src 'self'").contains("script-src 'self';").contains("frame-ancestors 'none'")
      .contains("ws://127.0.0.1:" + port);
    assertThat(csp).doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
  }

  @Test
  void modulesStylesAndTheSockJsClientComeFromTheJar() {
    Http.Res module = app.http.get("/ui/js/app.js", null);
    assertThat(module.status()).isEqualTo(200);
    // a module script with another MIME type is refused by the browser
    assertThat(module.header("Content-Type")).contains("javascript");
    assertThat(module.header("Cache-Control")).isEqualTo("no-cache");
    assertThat(app.http.get("/ui/app.css", null).header("Content-Type")).startsWith("text/css");
    Http.Res sockjs = app.http.get("/ui/vendor/sockjs.min.js", null);
    assertThat(sockjs.status()).isEqualTo(200);
    assertThat(sockjs.body()).contains("SockJS");
  }

  @Test
  void unknownPathsStillGetProblemJson() {
    for (String path : new String[]{"/nope", "/ui/nope.js", "/ui/vendor/nope.js"}) {
      Http.Res r = app.http.get(path, null);
      assertThat(r.status()).as(path).isEqualTo(404);
      assertThat(r.header("Content-Type")).as(path).startsWith("application/problem+json");
      assertThat(r.json().getString("code")).isEqualTo("NOT_FOUND");
    }
  }

  @Test
  void aBrowserOnThisMachineGetsAWorkingDemoTraderToken() {
    assertThat(app.http.get("/ui/settings", null).json().getBoolean("demoSignIn")).isTrue();
    Http.Res r = app.http.post("/ui/demo-token", null, null);
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    assertThat(r.header("Cache-Control")).isEqualTo("no-store");
    JsonObject body = r.json();
    assertThat(body.getString("user")).isEqualTo("demo-trader");
    Http.Res accounts = app.http.get("/api/v1/accounts", body.getString("token"));
    assertThat(accounts.status()).isEqualTo(200);
    assertThat(accounts.json().getJsonArray("data").getJsonObject(0).getString("id")).isEqualTo(app.demoAccountId());
  }

  @Test
  void theDemoTokenIsRefusedToOtherHostsOriginsAndForwardedRequests() throws Exception {
    String local = "Host: 127.0.0.1:" + port;
    assertThat(raw("POST", "/ui/demo-token", local)).startsWith("HTTP/1.1 201");
    assertThat(raw("POST", "/ui/demo-token", "Host: localhost:" + port, "Origin: http://localhost:" + port))
      .startsWith("HTTP/1.1 201");
    // DNS rebinding: a foreign name resolved to loopback
    assertThat(raw("POST", "/ui/demo-token", "Host: attacker.example:" + port)).startsWith("HTTP/1.1 404")
      .contains("application/problem+json").doesNotContain("\"token\"");
    // another site's page in a local browser
    assertThat(raw("POST", "/ui/demo-token", local, "Origin: http://attacker.example")).startsWith("HTTP/1.1 404");
    // a reverse proxy on this machine forwarding a remote client
    assertThat(raw("POST", "/ui/demo-token", local, "X-Forwarded-For: 203.0.113.9")).startsWith("HTTP/1.1 404");
    assertThat(raw("POST", "/ui/demo-token", local, "Forwarded: for=203.0.113.9")).startsWith("HTTP/1.1 404");
    assertThat(raw("GET", "/ui/settings", "Host: attacker.example")).contains("\"demoSignIn\":false");
  }

  @Test
  void noDemoTokenWhenTheDemoIsDisabled() throws Exception {
    try (TestApp off = TestApp.start(TestApp.noLps().put("demo", new JsonObject().put("enabled", false)), Clock.systemUTC())) {
      assertThat(off.http.get("/ui/settings", null).json().getBoolean("demoSignIn")).isFalse();
      Http.Res r = off.http.post("/ui/demo-token", null, null);
      assertThat(r.status()).isEqualTo(404);
      assertThat(r.json().getString("detail")).contains("demo is disabled");
    }
  }

  @Test
  void loopbackHelpers() {
    assertThat(UiRoutes.hostName("[::1]:8080")).isEqualTo("[::1]");
    assertThat(UiRoutes.hostName("LocalHost:8080")).isEqualTo("localhost");
    assertThat(UiRoutes.hostName("127.0.0.1")).isEqualTo("127.0.0.1");
    assertThat(UiRoutes.isLoopbackIp("127.0.0.1")).isTrue();
    assertThat(UiRoutes.isLoopbackIp("0:0:0:0:0:0:0:1")).isTrue();
    assertThat(UiRoutes.isLoopbackIp("10.0.0.1")).isFalse();
    assertThat(UiRoutes.isLoopbackIp("::ffff:10.0.0.1")).isFalse();
  }
}
