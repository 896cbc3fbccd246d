-- Orion OMS schema. Quantities and money are numeric (exact), never floating point.
-- Every order-related row carries tenant_id so that every query can be scoped to the caller's tenant.

CREATE TABLE instruments (
  id               text PRIMARY KEY,
  asset_class      text        NOT NULL CHECK (asset_class IN ('fx', 'equity', 'crypto')),
  base_currency    text        NOT NULL,
  quote_currency   text        NOT NULL,
  tick_size        numeric     NOT NULL CHECK (tick_size > 0),
  lot_size         numeric     NOT NULL CHECK (lot_size > 0),
  min_quantity     numeric     NOT NULL CHECK (min_quantity > 0),
  reference_price  numeric     NOT NULL CHECK (reference_price > 0),
  enabled          boolean     NOT NULL DEFAULT true,
  updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE accounts (
  id                    uuid PRIMARY KEY,
  tenant_id             text        NOT NULL,
  owner_id              text        NOT NULL,
  name                  text        NOT NULL,
  currency              text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
  balance               numeric     NOT NULL,
  reserved              numeric     NOT NULL DEFAULT 0 CHECK (reserved >= 0),
  max_order_notional    numeric     CHECK (max_order_notional > 0),
  max_position_quantity numeric     CHECK (max_position_quantity > 0),
  event_seq             bigint      NOT NULL DEFAULT 0,   -- last seq given to an event of this account
  version               bigint      NOT NULL DEFAULT 0,
  created_at            timestamptz NOT NULL,
  updated_at            timestamptz NOT NULL
);
CREATE INDEX accounts_tenant_owner ON accounts (tenant_id, owner_id);

CREATE SEQUENCE order_ref_seq;

CREATE TABLE orders (
  id                uuid PRIMARY KEY,
  order_ref         text        NOT NULL UNIQUE,
  tenant_id         text        NOT NULL,
  account_id        uuid        NOT NULL REFERENCES accounts (id),
  submitted_by      text        NOT NULL,
  client_order_id   text,
  instrument_id     text        NOT NULL REFERENCES instruments (id),
  side              text        NOT NULL CHECK (side IN ('buy', 'sell')),
  order_type        text        NOT NULL CHECK (order_type IN ('market', 'limit', 'stop', 'stop_limit', 'pegged', 'trailing_stop')),
  time_in_force     text        NOT NULL CHECK (time_in_force IN ('gtc', 'day', 'ioc', 'fok', 'gtd')),
  quantity          numeric     NOT NULL CHECK (quantity > 0),
  filled_quantity   numeric     NOT NULL DEFAULT 0 CHECK (filled_quantity >= 0 AND filled_quantity <= quantity),
  price             numeric     CHECK (price > 0),
  stop_price        numeric     CHECK (stop_price > 0),
  peg_offset        numeric,
  trail_amount      numeric     CHECK (trail_amount > 0),
  average_price     numeric,
  expiry_date       timestamptz,
  routing_strategy  text        NOT NULL CHECK (routing_strategy IN ('best', 'split', 'sequential', 'manual')),
  lp_id             text,
  status            text        NOT NULL CHECK (status IN ('pending', 'working', 'partial_fill', 'filled', 'cancelled',
                                                           'rejected', 'expired', 'pending_cancel', 'pending_replace')),
  reject_reason     text,
  reserved_amount   numeric     NOT NULL DEFAULT 0 CHECK (reserved_amount >= 0), -- funds held, account currency
  metadata          jsonb       NOT NULL DEFAULT '{}',
  version           bigint      NOT NULL DEFAULT 0,
  created_at        timestamptz NOT NULL,
  updated_at        timestamptz NOT NULL
);
-- clientOrderId is the client's idempotency key: unique per account.
CREATE UNIQUE INDEX orders_account_client_order_id ON orders (account_id, client_order_id) WHERE client_order_id IS NOT NULL;
CREATE INDEX orders_tenant_created ON orders (tenant_id, created_at DESC);
CREATE INDEX orders_account_created ON orders (account_id, created_at DESC);
CREATE INDEX orders_open ON orders (account_id, instrument_id, side)
  WHERE status IN ('pending', 'working', 'partial_fill', 'pending_cancel', 'pending_replace');

CREATE TABLE order_modifications (
  id            uuid PRIMARY KEY,
  order_id      uuid        NOT NULL REFERENCES orders (id),
  tenant_id     text        NOT NULL,
  kind          text        NOT NULL CHECK (kind IN ('modify', 'cancel')),
  requested     jsonb       NOT NULL,
  previous      jsonb       NOT NULL DEFAULT '{}',
  status        text        NOT NULL CHECK (status IN ('requested', 'applied', 'rejected')),
  reason        text,
  requested_by  text        NOT NULL,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL
);
CREATE INDEX order_modifications_order ON order_modifications (order_id, created_at);

CREATE TABLE fills (
  id            uuid PRIMARY KEY,
  order_id      uuid        NOT NULL REFERENCES orders (id),
  tenant_id     text        NOT NULL,
  account_id    uuid        NOT NULL REFERENCES accounts (id),
  lp_id         text        NOT NULL,
  lp_exec_id    text        NOT NULL,
  quantity      numeric     NOT NULL CHECK (quantity > 0),
  price         numeric     NOT NULL CHECK (price > 0),
  fee           numeric     NOT NULL DEFAULT 0,
  fee_currency  text        NOT NULL,
  executed_at   timestamptz NOT NULL,
  created_at    timestamptz NOT NULL,
  UNIQUE (lp_id, lp_exec_id)   -- an execution report is applied once, however often it arrives
);
CREATE INDEX fills_order ON fills (order_id, executed_at);

CREATE TABLE positions (
  account_id     uuid        NOT NULL REFERENCES accounts (id),
  instrument_id  text        NOT NULL REFERENCES instruments (id),
  tenant_id      text        NOT NULL,
  quantity       numeric     NOT NULL DEFAULT 0,   -- signed: negative is short
  average_price  numeric,
  realized_pnl   numeric     NOT NULL DEFAULT 0,
  version        bigint      NOT NULL DEFAULT 0,
  updated_at     timestamptz NOT NULL,
  PRIMARY KEY (account_id, instrument_id)
);

-- The audit trail: append-only, enforced by the database itself.
CREATE TABLE execution_logs (
  id           bigserial PRIMARY KEY,
  tenant_id    text        NOT NULL,
  order_id     uuid        NOT NULL,
  account_id   uuid        NOT NULL,
  event_type   text        NOT NULL,
  from_status  text,
  to_status    text,
  details      jsonb       NOT NULL DEFAULT '{}',
  actor        text        NOT NULL,
  created_at   timestamptz NOT NULL
);
CREATE INDEX execution_logs_order ON execution_logs (order_id, id);

CREATE FUNCTION execution_logs_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'execution_logs is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER execution_logs_no_update_delete BEFORE UPDATE OR DELETE ON execution_logs
  FOR EACH ROW EXECUTE FUNCTION execution_logs_append_only();
CREATE TRIGGER execution_logs_no_truncate BEFORE TRUNCATE ON execution_logs
  FOR EACH STATEMENT EXECUTE FUNCTION execution_logs_append_only();

CREATE TABLE idempotency_keys (
  tenant_id        text        NOT NULL,
  user_id          text        NOT NULL,
  idem_key         text        NOT NULL,
  request_hash     text        NOT NULL,
  status           text        NOT NULL CHECK (status IN ('in_progress', 'completed')),
  response_status  integer,
  response_body    text,
  response_type    text,
  response_headers jsonb,
  created_at       timestamptz NOT NULL,
  completed_at     timestamptz,
  PRIMARY KEY (tenant_id, user_id, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- Transactional outbox: written in the same transaction as the change it describes, published after commit.
CREATE TABLE events (
  id            bigserial PRIMARY KEY,
  tenant_id     text        NOT NULL,
  account_id    uuid        NOT NULL,
  seq           bigint      NOT NULL,
  event_type    text        NOT NULL,
  payload       jsonb       NOT NULL,
  created_at    timestamptz NOT NULL,
  published_at  timestamptz,
  UNIQUE (account_id, seq)
);
CREATE INDEX events_unpublished ON events (id) WHERE published_at IS NULL;

CREATE TABLE routing_decisions (
  id          bigserial PRIMARY KEY,
  order_id    uuid        NOT NULL REFERENCES orders (id),
  tenant_id   text        NOT NULL,
  strategy    text        NOT NULL,
  decision    jsonb       NOT NULL,
  created_at  timestamptz NOT NULL
);
CREATE INDEX routing_decisions_order ON routing_decisions (order_id);

-- One-off facts about this installation (e.g. that the demo tenant was seeded).
CREATE TABLE system_settings (
  key         text PRIMARY KEY,
  value       jsonb       NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
