package io.orion.oms.lp;

/** What an adapter reports. Called on the connector verticle's context, never on a transport thread. */
public interface LpListener {
  void onQuote(Quote quote);

  void onExecution(ExecutionReport report);

  /** The session to the LP came up ({@code true}) or went down. */
  void onSessionState(boolean loggedOn, String detail);
}
