-- The halt log is append-only like the order audit trail, which also refuses TRUNCATE (V1).
CREATE TRIGGER trading_halt_log_no_truncate BEFORE TRUNCATE ON trading_halt_log
  FOR EACH STATEMENT EXECUTE FUNCTION trading_halt_log_append_only();
