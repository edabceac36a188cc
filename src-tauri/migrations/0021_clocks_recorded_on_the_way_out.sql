-- Regulars schema: a change made at the desk of a shared shop writes no
-- clock row. The clock readings of the fields this device's unsent
-- changes edited are recorded in `sync_clocks` on the way to the server
-- (before another device's changes are applied here, and before outbox
-- rows leave), from the outbox rows after `clocks_to`. See
-- `db::sharing::record_own_clocks`.
ALTER TABLE sync_state ADD COLUMN clocks_to INTEGER NOT NULL DEFAULT 0;
