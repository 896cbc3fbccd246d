package io.orion.oms.events;

import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.Json;

import java.time.Instant;
import java.util.UUID;

/**
 * One outbox event as subscribers see it. {@code text} is the JSON sent to clients,
 * {@code {"type","seq","clientId","timestamp","data"}}, built once from the stored payload's own text so that
 * decimals stay exactly as written and no subscriber re-encodes it. On the event bus the text is the body
 * and the fields subscribers filter on travel as headers (strings cross cluster nodes unchanged).
 */
public record StreamEvent(String tenant, UUID accountId, long seq, String type, String orderId, String instrumentId,
                          String text) {

  static final String H_TENANT = "tenant";
  static final String H_ACCOUNT = "clientId";
  static final String H_SEQ = "seq";
  static final String H_TYPE = "type";
  static final String H_ORDER = "orderId";
  static final String H_INSTRUMENT = "instrumentId";

  /** Address of one account's stream. */
  public static String accountAddress(String tenant, UUID accountId) {
    return "oms.events." + tenant + "." + accountId;
  }

  /** Address of a whole tenant's stream (admins and compliance). */
  public static String tenantAddress(String tenant) {
    return "oms.events." + tenant;
  }

  static StreamEvent of(String tenant, UUID accountId, long seq, String type, String orderId, String instrumentId,
                        Instant createdAt, String payloadJson) {
    String text = "{\"type\":" + Json.encode(type) + ",\"seq\":" + seq + ",\"clientId\":\"" + accountId
      + "\",\"timestamp\":\"" + createdAt + "\",\"data\":" + payloadJson + "}";
    return new StreamEvent(tenant, accountId, seq, type, orderId, instrumentId, text);
  }

  DeliveryOptions deliveryOptions() {
    DeliveryOptions o = new DeliveryOptions().addHeader(H_TENANT, tenant).addHeader(H_ACCOUNT, accountId.toString())
      .addHeader(H_SEQ, Long.toString(seq)).addHeader(H_TYPE, type);
    if (orderId != null) o.addHeader(H_ORDER, orderId);
    if (instrumentId != null) o.addHeader(H_INSTRUMENT, instrumentId);
    return o;
  }

  /** Reads an event published by {@link EventPublisher}; null for anything else on the address. */
  static StreamEvent fromMessage(Message<?> msg) {
    if (!(msg.body() instanceof String text)) return null;
    String seq = msg.headers().get(H_SEQ);
    String account = msg.headers().get(H_ACCOUNT);
    if (seq == null || account == null) return null;
    return new StreamEvent(msg.headers().get(H_TENANT), UUID.fromString(account), Long.parseLong(seq),
      msg.headers().get(H_TYPE), msg.headers().get(H_ORDER), msg.headers().get(H_INSTRUMENT), text);
  }

  /** The client form with a {@code channel} member first (the plain WebSocket tags each event with it). */
  String textWithChannel(String channel) {
    return "{\"channel\":" + Json.encode(channel) + "," + text.substring(1);
  }
}
