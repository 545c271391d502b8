-- Billing: prices, free-preview lessons, coupons, orders, the append-only
-- ledger, provider events, entitlements and refunds.
-- Money is BIGINT minor units with an ISO 4217 code; times Unix milliseconds.

CREATE TABLE billing_prices (
	course_id TEXT PRIMARY KEY REFERENCES courses (id) ON DELETE CASCADE,
	amount BIGINT NOT NULL CHECK (amount >= 0),
	currency TEXT NOT NULL,
	refund_window_seconds BIGINT NOT NULL CHECK (refund_window_seconds >= 0),
	refund_lessons_percent BIGINT NOT NULL CHECK (refund_lessons_percent BETWEEN 0 AND 100),
	updated_at BIGINT NOT NULL
);

CREATE TABLE billing_free_lessons (
	lesson_id TEXT PRIMARY KEY REFERENCES lessons (id) ON DELETE CASCADE,
	course_id TEXT NOT NULL REFERENCES courses (id) ON DELETE CASCADE
);

CREATE INDEX billing_free_lessons_course ON billing_free_lessons (course_id);

CREATE TABLE billing_coupons (
	id TEXT PRIMARY KEY,
	teacher_id TEXT NOT NULL REFERENCES accounts (id),
	course_id TEXT NOT NULL DEFAULT '',
	code TEXT NOT NULL,
	percent_off BIGINT NOT NULL DEFAULT 0,
	amount_off BIGINT NOT NULL DEFAULT 0,
	currency TEXT NOT NULL DEFAULT '',
	expires_at BIGINT NOT NULL,
	max_redemptions BIGINT NOT NULL,
	redeemed BIGINT NOT NULL DEFAULT 0,
	created_at BIGINT NOT NULL,
	CHECK (redeemed >= 0 AND redeemed <= max_redemptions)
);

CREATE UNIQUE INDEX billing_coupons_code ON billing_coupons (teacher_id, code);

CREATE TABLE billing_orders (
	id TEXT PRIMARY KEY,
	account_id TEXT NOT NULL REFERENCES accounts (id),
	course_id TEXT NOT NULL REFERENCES courses (id),
	teacher_id TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'partially_refunded', 'refunded', 'expired', 'cancelled')),
	list_amount BIGINT NOT NULL,
	discount BIGINT NOT NULL,
	amount BIGINT NOT NULL CHECK (amount >= 0),
	currency TEXT NOT NULL,
	coupon_id TEXT NOT NULL DEFAULT '',
	coupon_code TEXT NOT NULL DEFAULT '',
	idempotency_key TEXT NOT NULL,
	request_hash TEXT NOT NULL,
	provider TEXT NOT NULL,
	checkout_ref TEXT NOT NULL DEFAULT '',
	checkout_url TEXT NOT NULL DEFAULT '',
	payment_ref TEXT NOT NULL DEFAULT '',
	refunded BIGINT NOT NULL DEFAULT 0,
	refund_pending BIGINT NOT NULL DEFAULT 0,
	version BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	expires_at BIGINT NOT NULL,
	paid_at BIGINT NOT NULL DEFAULT 0,
	CHECK (list_amount - discount = amount),
	CHECK (refunded >= 0 AND refund_pending >= 0 AND refunded + refund_pending <= amount)
);

CREATE UNIQUE INDEX billing_orders_idempotency ON billing_orders (account_id, idempotency_key);
CREATE UNIQUE INDEX billing_orders_one_pending ON billing_orders (account_id, course_id) WHERE status = 'pending';
CREATE INDEX billing_orders_account ON billing_orders (account_id, created_at);
CREATE INDEX billing_orders_course ON billing_orders (course_id, created_at);
CREATE INDEX billing_orders_expiry ON billing_orders (status, expires_at);

CREATE TABLE billing_ledger (
	order_id TEXT NOT NULL REFERENCES billing_orders (id),
	seq BIGINT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('created', 'payment', 'rejected', 'expired', 'cancelled', 'refund')),
	amount BIGINT NOT NULL,
	currency TEXT NOT NULL,
	course_id TEXT NOT NULL,
	teacher_id TEXT NOT NULL,
	account_id TEXT NOT NULL,
	month TEXT NOT NULL,
	at BIGINT NOT NULL,
	ref TEXT NOT NULL DEFAULT '',
	actor_id TEXT NOT NULL DEFAULT '',
	note TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (order_id, seq)
);

CREATE INDEX billing_ledger_teacher_month ON billing_ledger (teacher_id, month);
CREATE INDEX billing_ledger_course_month ON billing_ledger (course_id, month);

CREATE TABLE billing_events (
	provider TEXT NOT NULL,
	event_id TEXT NOT NULL,
	type TEXT NOT NULL,
	order_id TEXT NOT NULL DEFAULT '',
	outcome TEXT NOT NULL DEFAULT '',
	received_at BIGINT NOT NULL,
	PRIMARY KEY (provider, event_id)
);

CREATE TABLE billing_entitlements (
	account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	course_id TEXT NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
	order_id TEXT NOT NULL REFERENCES billing_orders (id),
	granted_at BIGINT NOT NULL,
	revoked_at BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (account_id, course_id)
);

CREATE TABLE billing_refunds (
	id TEXT PRIMARY KEY,
	order_id TEXT NOT NULL REFERENCES billing_orders (id),
	account_id TEXT NOT NULL,
	course_id TEXT NOT NULL,
	teacher_id TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('requested', 'declined', 'processing', 'succeeded', 'failed')),
	requested BIGINT NOT NULL,
	amount BIGINT NOT NULL,
	currency TEXT NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	note TEXT NOT NULL DEFAULT '',
	requested_by TEXT NOT NULL,
	decided_by TEXT NOT NULL DEFAULT '',
	provider_ref TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL,
	decided_at BIGINT NOT NULL DEFAULT 0,
	completed_at BIGINT NOT NULL DEFAULT 0
);

CREATE UNIQUE INDEX billing_refunds_one_open ON billing_refunds (order_id) WHERE status IN ('requested', 'processing');
CREATE INDEX billing_refunds_teacher ON billing_refunds (teacher_id, created_at);
CREATE INDEX billing_refunds_account ON billing_refunds (account_id, created_at);
CREATE INDEX billing_refunds_status ON billing_refunds (status, created_at);
