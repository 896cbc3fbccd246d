-- Orders the service holds until a trigger (stop, stop-limit, trailing stop) or keeps priced against the
-- market (pegged). triggered_at is written in the transaction that releases the order to routing, so a
-- restart never fires it twice; peg_price is a pegged order's current working limit at the LPs.
ALTER TABLE orders ADD COLUMN triggered_at timestamptz;
ALTER TABLE orders ADD COLUMN peg_price numeric;
CREATE INDEX orders_held ON orders (instrument_id)
  WHERE order_type IN ('stop', 'stop_limit', 'trailing_stop', 'pegged')
    AND status IN ('pending', 'working', 'partial_fill', 'pending_cancel', 'pending_replace');

-- a pegged order's re-price is a cancel/replace like a client's modification, recorded as such
ALTER TABLE order_modifications DROP CONSTRAINT order_modifications_kind_check;
ALTER TABLE order_modifications ADD CONSTRAINT order_modifications_kind_check
  CHECK (kind IN ('modify', 'cancel', 'reprice'));
