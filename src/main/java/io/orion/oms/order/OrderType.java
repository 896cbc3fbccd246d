package io.orion.oms.order;

/** Wire values are the lower-case names used in the API, the database and on the event bus. */
public enum OrderType {
  MARKET, LIMIT, STOP, STOP_LIMIT, PEGGED, TRAILING_STOP;

  public String wire() {
    return name().toLowerCase();
  }

  public static OrderType fromWire(String value) {
    return valueOf(value.toUpperCase());
  }
}
