package io.orion.oms.support;

import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A plain blocking HTTP client for end-to-end tests: real requests over a real socket. */
public final class Http {
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private volatile String baseUrl;

  public Http(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  void baseUrl(String url) {
    this.baseUrl = url;
  }

  public String baseUrl() {
    return baseUrl;
  }

  /** A response: status, headers, and the body as text and (when JSON) as an object. */
  public record Res(int status, String body, java.net.http.HttpHeaders headers) {
    public JsonObject json() {
      return new JsonObject(body);
    }

    public String header(String name) {
      return headers.firstValue(name).orElse(null);
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  public Res get(String path, String token) {
    return send("GET", path, token, null, Map.of());
  }

  public Res post(String path, String token, Object body) {
    return send("POST", path, token, body, Map.of());
  }

  public Res post(String path, String token, Object body, Map<String, String> headers) {
    return send("POST", path, token, body, headers);
  }

  public Res put(String path, String token, Object body, Map<String, String> headers) {
    return send("PUT", path, token, body, headers);
  }

  public Res delete(String path, String token) {
    return send("DELETE", path, token, null, Map.of());
  }

  public Res send(String method, String path, String token, Object body, Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30));
    if (token != null) b.header("Authorization", "Bearer " + token);
    headers.forEach(b::header);
    if (body != null) {
      b.header("Content-Type", "application/json");
      b.method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    try {
      HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Res(r.statusCode(), r.body(), r.headers());
    } catch (Exception e) {
      throw new IllegalStateException(method + " " + path + " failed", e);
    }
  }
}
