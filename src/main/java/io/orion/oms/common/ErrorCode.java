package io.orion.oms.common;

/**
 * The closed set of error codes a client can see, grouped by the stage that produces them.
 * The code is the stable contract; titles and details are for humans and may change.
 */
public enum ErrorCode {
  // request: transport, contract and identity
  // the contract's and the order rules' field checks; each bad field is named in errors[]
  VALIDATION_FAILED(Stage.VALIDATION, 400, "Request is not valid"),
  MALFORMED_REQUEST(Stage.REQUEST, 400, "Request body is not valid JSON"),
  UNAUTHORIZED(Stage.REQUEST, 401, "Authentication required"),
  FORBIDDEN(Stage.REQUEST, 403, "Not allowed"),
  NOT_FOUND(Stage.REQUEST, 404, "Resource not found"),
  METHOD_NOT_ALLOWED(Stage.REQUEST, 405, "Method not allowed"),
  PAYLOAD_TOO_LARGE(Stage.REQUEST, 413, "Request body too large"),
  UNSUPPORTED_MEDIA_TYPE(Stage.REQUEST, 415, "Unsupported media type"),
  IDEMPOTENCY_KEY_REUSED(Stage.REQUEST, 422, "Idempotency key reused with a different request"),
  IDEMPOTENCY_KEY_IN_PROGRESS(Stage.REQUEST, 409, "A request with this idempotency key is still being processed"),
  // the caller's quota for this kind of request is used up; Retry-After says when the next window opens
  RATE_LIMITED(Stage.REQUEST, 429, "Too many requests"),
  // the user already holds streaming.maxConnectionsPerUser stream connections
  TOO_MANY_CONNECTIONS(Stage.REQUEST, 429, "Too many stream connections"),

  // risk: balance and account limits
  INSUFFICIENT_FUNDS(Stage.RISK, 400, "Insufficient funds"),
  RISK_LIMIT_EXCEEDED(Stage.RISK, 400, "Risk limit exceeded"),
  UNSUPPORTED_CURRENCY(Stage.RISK, 400, "No conversion to the account currency"),

  // routing: where an order can go
  NO_HEALTHY_LP(Stage.ROUTING, 400, "No healthy LPs available"),
  NO_LIQUIDITY(Stage.ROUTING, 400, "No liquidity for the order"),
  UNKNOWN_LP(Stage.ROUTING, 400, "Unknown liquidity provider"),
  LP_UNHEALTHY(Stage.ROUTING, 400, "Liquidity provider unavailable"),

  // LP: what the liquidity provider answered
  LP_REJECTED(Stage.LP, 400, "Rejected by the liquidity provider"),
  LP_TIMEOUT(Stage.LP, 504, "The liquidity provider did not answer"),

  // lifecycle: state of orders and accounts
  ACCOUNT_NOT_FOUND(Stage.LIFECYCLE, 404, "Account not found"),
  ORDER_NOT_FOUND(Stage.LIFECYCLE, 404, "Order not found"),
  ORDER_NOT_MODIFIABLE(Stage.LIFECYCLE, 400, "Order cannot be modified in its current state"),
  ORDER_NOT_CANCELLABLE(Stage.LIFECYCLE, 400, "Order cannot be cancelled in its current state"),
  VERSION_MISMATCH(Stage.LIFECYCLE, 412, "Order was changed by someone else"),
  // the rejectCode of an order that reached its GTD expiry or its DAY session end (never an HTTP answer)
  ORDER_EXPIRED(Stage.LIFECYCLE, 400, "Order expired"),

  // service
  // an admin halted the tenant's trading, or orders.executionEnabled is false: no new orders (cancels still work)
  TRADING_HALTED(Stage.SERVICE, 503, "Trading is halted"),
  SERVICE_UNAVAILABLE(Stage.SERVICE, 503, "Service unavailable"),
  INTERNAL_ERROR(Stage.SERVICE, 500, "Internal error");

  public enum Stage { REQUEST, VALIDATION, RISK, ROUTING, LP, LIFECYCLE, SERVICE }

  private final Stage stage;
  private final int httpStatus;
  private final String title;

  ErrorCode(Stage stage, int httpStatus, String title) {
    this.stage = stage;
    this.httpStatus = httpStatus;
    this.title = title;
  }

  public Stage stage() { return stage; }
  public int httpStatus() { return httpStatus; }
  public String title() { return title; }
}
