-- Kill switch: a tenant whose trading an admin halted. One row while halted; resuming deletes it.
-- Every node reads this table, so a halt holds across nodes and restarts.
CREATE TABLE trading_halts (
  tenant_id   text PRIMARY KEY,
  reason      text        NOT NULL,
  halted_by   text        NOT NULL,
  halted_at   timestamptz NOT NULL
);

-- Who halted and resumed trading, and when: append-only, like the order audit trail.
CREATE TABLE trading_halt_log (
  id          bigserial PRIMARY KEY,
  tenant_id   text        NOT NULL,
  action      text        NOT NULL CHECK (action IN ('halt', 'resume')),
  reason      text,
  actor       text        NOT NULL,
  created_at  timestamptz NOT NULL
);
CREATE INDEX trading_halt_log_tenant ON trading_halt_log (tenant_id, created_at);
CREATE FUNCTION trading_halt_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'trading_halt_log is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER trading_halt_log_no_update_delete BEFORE UPDATE OR DELETE ON trading_halt_log
  FOR EACH ROW EXECUTE FUNCTION trading_halt_log_append_only();
