-- A second payment for an order already paid (a buyer who paid twice, a
-- provider's duplicate): recorded once per provider payment and refunded
-- automatically, its ID being the refund's idempotency number at the
-- provider.
CREATE TABLE billing_extra_payments (
	id TEXT PRIMARY KEY,
	order_id TEXT NOT NULL REFERENCES billing_orders (id),
	provider TEXT NOT NULL,
	payment_ref TEXT NOT NULL,
	event_id TEXT NOT NULL,
	amount BIGINT NOT NULL CHECK (amount > 0),
	currency TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('refunding', 'refunded', 'failed')),
	refund_ref TEXT NOT NULL DEFAULT '',
	note TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	completed_at BIGINT NOT NULL DEFAULT 0
);

CREATE UNIQUE INDEX billing_extra_payments_ref ON billing_extra_payments (provider, payment_ref);
CREATE INDEX billing_extra_payments_order ON billing_extra_payments (order_id);
CREATE INDEX billing_extra_payments_status ON billing_extra_payments (status, created_at);

-- WeChat Pay JSAPI (paying inside WeChat's browser): the payer's openid
-- for the merchant's AppID, obtained through WeChat's OAuth.
CREATE TABLE billing_wechat_openids (
	account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	app_id TEXT NOT NULL,
	openid TEXT NOT NULL,
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (account_id, app_id)
);
