package io.orion.oms.order;

/** Wire values are the lower-case names used in the API, the database and on the event bus. */
public enum Side {
  BUY, SELL;

  public String wire() {
    return name().toLowerCase();
  }

  public static Side fromWire(String value) {
    return valueOf(value.toUpperCase());
  }
}
