-- Access: accounts an admin disabled (0 = enabled; else when, Unix ms).

ALTER TABLE accounts ADD COLUMN disabled_at BIGINT NOT NULL DEFAULT 0;
