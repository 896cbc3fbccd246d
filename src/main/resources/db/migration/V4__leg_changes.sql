-- Modifying an order that LPs hold: each leg it changes is a cancel/replace (or, when a reduction empties
-- the leg, a cancel) asked of the leg's LP. The row waits ('pending') until the LP answers; the
-- modification is settled once none of its rows waits any more.
CREATE TABLE leg_changes (
  id               uuid PRIMARY KEY,
  modification_id  uuid        NOT NULL REFERENCES order_modifications (id),
  order_id         uuid        NOT NULL REFERENCES orders (id),
  leg_id           uuid        NOT NULL REFERENCES order_legs (id),
  kind             text        NOT NULL CHECK (kind IN ('replace', 'cancel')),
  cl_ord_id        text        NOT NULL UNIQUE,
  orig_cl_ord_id   text        NOT NULL,      -- the leg's ClOrdID when the change was asked
  quantity         numeric     NOT NULL,      -- the leg's new total quantity, filled part included
  price            numeric,
  status           text        NOT NULL CHECK (status IN ('pending', 'applied', 'refused')),
  reason           text,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL
);
CREATE INDEX leg_changes_modification ON leg_changes (modification_id);
CREATE INDEX leg_changes_orig ON leg_changes (orig_cl_ord_id);
-- one change in flight per leg
CREATE UNIQUE INDEX leg_changes_pending ON leg_changes (leg_id) WHERE status = 'pending';

-- what a settled modification needs to know about the funds it held (per unit, before and after)
ALTER TABLE order_modifications ADD COLUMN plan jsonb;
ALTER TABLE order_modifications DROP CONSTRAINT order_modifications_status_check;
ALTER TABLE order_modifications ADD CONSTRAINT order_modifications_status_check
  CHECK (status IN ('requested', 'applied', 'partially_applied', 'rejected'));
