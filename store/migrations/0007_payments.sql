-- Payments across several providers (the checkout method the buyer
-- chose), reconciliation, and an append-only ledger enforced by the
-- database itself.

ALTER TABLE billing_orders ADD COLUMN method TEXT NOT NULL DEFAULT '';

CREATE INDEX billing_orders_pending ON billing_orders (status, provider, created_at);

-- The ledger is append-only: UPDATE and DELETE fail.
-- only sqlite
CREATE TRIGGER billing_ledger_no_update BEFORE UPDATE ON billing_ledger BEGIN SELECT RAISE(ABORT, 'billing_ledger is append-only'); END;
CREATE TRIGGER billing_ledger_no_delete BEFORE DELETE ON billing_ledger BEGIN SELECT RAISE(ABORT, 'billing_ledger is append-only'); END;
-- only postgres
CREATE FUNCTION billing_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'billing_ledger is append-only'; END $$;
CREATE TRIGGER billing_ledger_no_change BEFORE UPDATE OR DELETE ON billing_ledger FOR EACH ROW EXECUTE FUNCTION billing_ledger_append_only();
CREATE TRIGGER billing_ledger_no_truncate BEFORE TRUNCATE ON billing_ledger FOR EACH STATEMENT EXECUTE FUNCTION billing_ledger_append_only();
-- only end
