-- Mail sent once per event of another table (a receipt per paid order, a
-- refund's outcome): inserting the key claims the mail, which is queued
-- in the same transaction.
CREATE TABLE mail_keys (
	mail_key TEXT PRIMARY KEY,
	created_at BIGINT NOT NULL
);

-- What was paid or decided before this migration is not mailed now.
INSERT INTO mail_keys (mail_key, created_at)
	SELECT 'receipt:' || id, 0 FROM billing_orders WHERE paid_at > 0;
INSERT INTO mail_keys (mail_key, created_at)
	SELECT 'refund:' || id || ':' || status, 0 FROM billing_refunds WHERE status IN ('declined', 'succeeded', 'failed');

-- An address is verified when its owner opened the link mailed to it.
-- Accounts made before this migration start unverified.
ALTER TABLE accounts ADD COLUMN email_verified_at BIGINT NOT NULL DEFAULT 0;

CREATE INDEX billing_orders_paid ON billing_orders (paid_at);
CREATE INDEX billing_refunds_done ON billing_refunds (completed_at);
