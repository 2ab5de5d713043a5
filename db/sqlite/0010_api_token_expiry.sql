-- Issue #14: an API token lives for a bounded time (Biobank:ApiTokenDays, 90 by default). Tokens issued before this
-- migration get the same lifetime counted from their creation, rather than dying at the upgrade or living forever.
ALTER TABLE api_token ADD COLUMN expires_utc TEXT NULL;
UPDATE api_token SET expires_utc = strftime('%Y-%m-%d %H:%M:%f', created_utc, '+90 days');
