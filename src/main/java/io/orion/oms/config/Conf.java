package io.orion.oms.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigDecimal;
import java.util.List;

/** Typed reads of one configuration object; every error names the full key (e.g. {@code simulator.lps[0].port}). */
public final class Conf {
  private final JsonObject json;
  private final String prefix;

  public Conf(JsonObject json, String prefix) {
    this.json = json == null ? new JsonObject() : json;
    this.prefix = prefix == null ? "" : prefix;
  }

  public String key(String name) {
    return prefix.isEmpty() ? name : prefix + "." + name;
  }

  Conf section(String name) {
    Object v = json.getValue(name);
    if (v != null && !(v instanceof JsonObject)) throw new ConfigException(key(name), "must be an object");
    return new Conf((JsonObject) v, key(name));
  }

  public String string(String name, String def) {
    Object v = json.getValue(name);
    if (v == null) return def;
    if (!(v instanceof String s)) throw new ConfigException(key(name), "must be a string, got " + v);
    return s.isBlank() ? def : s.trim();
  }

  public String requiredString(String name) {
    String s = string(name, null);
    if (s == null) throw new ConfigException(key(name), "is required");
    return s;
  }

  public int integer(String name, int def, int min, int max) {
    return (int) longValue(name, def, min, max);
  }

  public long longValue(String name, long def, long min, long max) {
    Object v = json.getValue(name);
    if (v == null) return def;
    long n;
    if (v instanceof Number num && num.doubleValue() == Math.rint(num.doubleValue())) n = num.longValue();
    else if (v instanceof String s && s.trim().matches("-?\\d{1,18}")) n = Long.parseLong(s.trim());
    else throw new ConfigException(key(name), "must be an integer, got '" + v + "'");
    if (n < min || n > max) throw new ConfigException(key(name), "must be between " + min + " and " + max + ", got " + n);
    return n;
  }

  public Long optionalLong(String name) {
    return json.getValue(name) == null ? null : longValue(name, 0, Long.MIN_VALUE, Long.MAX_VALUE);
  }

  /** A probability: 0..1. */
  public double rate(String name, double def) {
    Object v = json.getValue(name);
    if (v == null) return def;
    double d;
    try {
      d = v instanceof Number n ? n.doubleValue() : Double.parseDouble(v.toString().trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(key(name), "must be a number between 0 and 1, got '" + v + "'");
    }
    if (!(d >= 0 && d <= 1)) throw new ConfigException(key(name), "must be between 0 and 1, got " + v);
    return d;
  }

  /** A decimal taken by its written form (never through double arithmetic), at least {@code min}. */
  public BigDecimal decimal(String name, BigDecimal def, BigDecimal min) {
    BigDecimal d = decimal(name, def);
    if (d != null && d.compareTo(min) < 0) {
      throw new ConfigException(key(name), "must be at least " + min.toPlainString() + ", got " + json.getValue(name));
    }
    return d;
  }

  public boolean bool(String name, boolean def) {
    Object v = json.getValue(name);
    if (v == null) return def;
    if (v instanceof Boolean b) return b;
    if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) return Boolean.parseBoolean(s);
    throw new ConfigException(key(name), "must be true or false, got '" + v + "'");
  }

  public BigDecimal decimal(String name, BigDecimal def) {
    Object v = json.getValue(name);
    if (v == null) return def;
    try {
      return v instanceof Double x ? new BigDecimal(Double.toString(x)) : new BigDecimal(v.toString().trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(key(name), "must be a decimal number, got '" + v + "'");
    }
  }

  /** The keys of this object, in file order. */
  java.util.Set<String> names() {
    return json.fieldNames();
  }

  /** A list of objects (each validated later by its own record, with this key as prefix). */
  List<JsonObject> objects(String name) {
    Object v = json.getValue(name);
    if (v == null) return List.of();
    if (!(v instanceof JsonArray a)) throw new ConfigException(key(name), "must be a list of objects");
    List<JsonObject> out = new java.util.ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      if (!(a.getValue(i) instanceof JsonObject o)) throw new ConfigException(key(name) + "[" + i + "]", "must be an object");
      out.add(o);
    }
    return List.copyOf(out);
  }

  List<String> strings(String name, List<String> def) {
    Object v = json.getValue(name);
    if (v == null) return def;
    if (v instanceof String s) return List.of(s.split("\\s*,\\s*"));
    if (v instanceof JsonArray a) return a.stream().map(String::valueOf).toList();
    throw new ConfigException(key(name), "must be a list of strings");
  }
}
