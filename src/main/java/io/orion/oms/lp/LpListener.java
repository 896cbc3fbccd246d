package io.orion.oms.lp;

/**
 * What an adapter reports. Called on the connector verticle's context, never on a transport thread.
 * Every execution report goes to {@link #onExecution}, including the one that also completes a
 * {@code send}/{@code cancel}/{@code replace}/{@code status} future: the order lifecycle applies
 * reports from this one stream only (deduplicated by ExecID), the futures only signal acknowledgement.
 */
public interface LpListener {
  void onQuote(Quote quote);

  void onExecution(ExecutionReport report);

  /** The session to the LP came up ({@code true}) or went down. */
  void onSessionState(boolean loggedOn, String detail);
}
