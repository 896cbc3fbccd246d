package io.orion.oms.config;

/** A configuration value is missing or wrong; the message names the key so start-up can say what to fix. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String key, String problem) {
    super("Invalid configuration '" + key + "': " + problem);
  }
}
