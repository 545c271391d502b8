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

-- Payouts: the platform's commission per teacher (the default is a flag)
-- and the monthly statements admins marked paid, frozen.
CREATE TABLE billing_commissions (
	teacher_id TEXT PRIMARY KEY REFERENCES accounts (id),
	bps BIGINT NOT NULL CHECK (bps BETWEEN 0 AND 10000),
	updated_at BIGINT NOT NULL
);

CREATE TABLE billing_statements (
	teacher_id TEXT NOT NULL REFERENCES accounts (id),
	month TEXT NOT NULL,
	currency TEXT NOT NULL,
	orders BIGINT NOT NULL,
	gross BIGINT NOT NULL,
	refunds BIGINT NOT NULL,
	commission_bps BIGINT NOT NULL,
	commission BIGINT NOT NULL,
	net BIGINT NOT NULL,
	paid_at BIGINT NOT NULL,
	paid_by TEXT NOT NULL,
	paid_ref TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (teacher_id, month, currency),
	CHECK (gross - refunds - commission = net)
);
