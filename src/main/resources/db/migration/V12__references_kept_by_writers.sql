-- The order path's references are kept by the transactions that write them, not by foreign keys on the child
-- rows. A foreign key checks every inserted child row with a query of its own that also takes a KEY SHARE lock on
-- the parent row: on the order path that was one such query per order for its account, its instrument, and per leg,
-- routing decision and fill for its order. The instrument rows are shared by every trader, so concurrent
-- transactions turned their locks into multixacts. Every such child is written in the transaction that inserted or
-- locked its parent (legs and routing decisions with their order, fills and positions with their locked order and
-- account), or names an account and instrument the service read just before, so the check only found again what
-- the writer had in hand; dropping them took about 8% of PostgreSQL's CPU per order (docs/benchmarks.md).
--
-- What a foreign key also did on the parent's side stays: a referenced account, instrument or order cannot be
-- deleted, and no id of theirs can change or their tables be truncated (triggers below, which cost nothing on the
-- order path: orders are deleted only by a submission batch that could not fund them, before anything refers to
-- them, and no statement of the service sets an id).
-- The foreign keys of the modify and cancel path (order_modifications, leg_changes) stay as they were.
ALTER TABLE orders DROP CONSTRAINT orders_account_id_fkey, DROP CONSTRAINT orders_instrument_id_fkey;
ALTER TABLE order_legs DROP CONSTRAINT order_legs_order_id_fkey;
ALTER TABLE routing_decisions DROP CONSTRAINT routing_decisions_order_id_fkey;
ALTER TABLE fills DROP CONSTRAINT fills_order_id_fkey, DROP CONSTRAINT fills_account_id_fkey;
ALTER TABLE positions DROP CONSTRAINT positions_account_id_fkey, DROP CONSTRAINT positions_instrument_id_fkey;

-- Arguments: pairs of (referencing table, referencing column). Refuses to delete a row while any of them refers to
-- it, with the SQLSTATE a foreign key gives (23503). Row triggers on DELETE only: a row-level UPDATE trigger would make
-- every update of an order or account read and lock its row once more before writing it.
CREATE FUNCTION refuse_if_referenced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  i integer := 0;
  referenced boolean;
BEGIN
  WHILE i < TG_NARGS LOOP
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE %I = $1)', TG_ARGV[i], TG_ARGV[i + 1])
      INTO referenced USING OLD.id;
    IF referenced THEN
      RAISE EXCEPTION 'DELETE: % % is still referenced from %.%', TG_TABLE_NAME, OLD.id, TG_ARGV[i], TG_ARGV[i + 1]
        USING ERRCODE = 'foreign_key_violation';
    END IF;
    i := i + 2;
  END LOOP;
  RETURN OLD;
END;
$$;

-- Ids never change (nothing in the service sets one): refused for the whole statement, checked once per statement
-- that names the column, never per row.
CREATE FUNCTION refuse_id_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'UPDATE of %.id is not allowed: other tables refer to its rows by id', TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE FUNCTION refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'TRUNCATE of % is not allowed: other tables refer to its rows', TG_TABLE_NAME
    USING ERRCODE = 'foreign_key_violation';
END;
$$;

CREATE TRIGGER accounts_referenced BEFORE DELETE ON accounts
  FOR EACH ROW EXECUTE FUNCTION refuse_if_referenced('orders', 'account_id', 'fills', 'account_id', 'positions', 'account_id');
CREATE TRIGGER instruments_referenced BEFORE DELETE ON instruments
  FOR EACH ROW EXECUTE FUNCTION refuse_if_referenced('orders', 'instrument_id', 'positions', 'instrument_id');
CREATE TRIGGER orders_referenced BEFORE DELETE ON orders
  FOR EACH ROW EXECUTE FUNCTION refuse_if_referenced('order_legs', 'order_id', 'routing_decisions', 'order_id', 'fills', 'order_id');
CREATE TRIGGER accounts_id_fixed BEFORE UPDATE OF id ON accounts FOR EACH STATEMENT EXECUTE FUNCTION refuse_id_change();
CREATE TRIGGER instruments_id_fixed BEFORE UPDATE OF id ON instruments FOR EACH STATEMENT EXECUTE FUNCTION refuse_id_change();
CREATE TRIGGER orders_id_fixed BEFORE UPDATE OF id ON orders FOR EACH STATEMENT EXECUTE FUNCTION refuse_id_change();
CREATE TRIGGER accounts_no_truncate BEFORE TRUNCATE ON accounts FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate();
CREATE TRIGGER instruments_no_truncate BEFORE TRUNCATE ON instruments FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate();
CREATE TRIGGER orders_no_truncate BEFORE TRUNCATE ON orders FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate();
