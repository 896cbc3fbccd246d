-- Child orders at liquidity providers and the execution reports received from them.

-- One leg per allocation of an order to an LP. cl_ord_id is what the LP knows the leg by: it stays the
-- same on every retry, so a resend can never become a second order at the LP.
CREATE TABLE order_legs (
  id               uuid PRIMARY KEY,
  order_id         uuid        NOT NULL REFERENCES orders (id),
  tenant_id        text        NOT NULL,
  lp_id            text        NOT NULL,
  cl_ord_id        text        NOT NULL UNIQUE,
  lp_order_id      text,
  quantity         numeric     NOT NULL CHECK (quantity > 0),
  price            numeric,
  filled_quantity  numeric     NOT NULL DEFAULT 0 CHECK (filled_quantity >= 0 AND filled_quantity <= quantity),
  average_price    numeric,
  status           text        NOT NULL CHECK (status IN ('new', 'sent', 'working', 'partially_filled', 'filled',
                                 'cancelled', 'rejected', 'expired', 'unknown', 'failed', 'pending_cancel',
                                 'pending_replace')),
  attempts         integer     NOT NULL DEFAULT 0,
  last_error       text,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL
);
CREATE INDEX order_legs_order ON order_legs (order_id);
-- legs whose outcome at the LP is not known: what reconciliation works through
CREATE INDEX order_legs_open ON order_legs (lp_id)
  WHERE status IN ('new', 'sent', 'working', 'partially_filled', 'unknown', 'pending_cancel', 'pending_replace');

-- Every execution report applied, keyed by LP + ExecID: a duplicate or replayed report changes nothing.
CREATE TABLE execution_reports (
  lp_id        text        NOT NULL,
  exec_id      text        NOT NULL,
  cl_ord_id    text        NOT NULL,
  kind         text        NOT NULL,
  report       jsonb       NOT NULL,
  received_at  timestamptz NOT NULL,
  PRIMARY KEY (lp_id, exec_id)
);
CREATE INDEX execution_reports_cl_ord_id ON execution_reports (cl_ord_id);

-- Why an order was rejected, as a stable code next to the human reason.
ALTER TABLE orders ADD COLUMN reject_code text;
