-- Review of new materials, trusted teachers and bouncing addresses.
--
-- A material added to a published course by an account that is neither
-- trusted nor an administrator waits for a reviewer (review 'pending'),
-- hidden from students; a reviewer approves it or rejects it with a reason
-- the teacher sees. Materials made before this migration stay approved.
ALTER TABLE materials ADD COLUMN review TEXT NOT NULL DEFAULT 'approved';
ALTER TABLE materials ADD COLUMN review_note TEXT NOT NULL DEFAULT '';
ALTER TABLE materials ADD COLUMN reviewed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE materials ADD COLUMN reviewed_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX materials_review ON materials (review, created_at);

-- trusted_at: when an administrator marked the account trusted (its new
-- materials need no review); 0 when not trusted.
ALTER TABLE accounts ADD COLUMN trusted_at BIGINT NOT NULL DEFAULT 0;

-- Bounces: an address the receiving server refused for good (SMTP 5xx to
-- RCPT or DATA). Mail to it is kept unsent (held_at > 0, the reason in
-- last_error) until the mark is cleared, when its owner asks for a new
-- verification link or opens one.
CREATE TABLE mail_bounces (
	addr TEXT PRIMARY KEY,
	bounced_at BIGINT NOT NULL,
	reason TEXT NOT NULL
);
ALTER TABLE mail_outbox ADD COLUMN held_at BIGINT NOT NULL DEFAULT 0;
