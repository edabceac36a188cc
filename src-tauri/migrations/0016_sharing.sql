-- Regulars schema: what a shop shared between devices keeps (see
-- db/sharing.rs and ARCHITECTURE.md, "A shared shop"). Every table here is
-- this device's own: none of it is ever sent as a record.

-- This device and where it stands: one row, made when sharing is turned
-- on or the device joins. `capture` is 1 while changes are recorded in the
-- outbox; an apply of another device's change sets it to 0 inside its own
-- transaction and back before it commits, so a change is never echoed.
CREATE TABLE sync_state (
    only_row          INTEGER PRIMARY KEY CHECK (only_row = 1),
    device_id         TEXT NOT NULL,
    device_name       TEXT NOT NULL,
    capture           INTEGER NOT NULL DEFAULT 1,
    clock_wall_ms     INTEGER NOT NULL DEFAULT 0,   -- the hybrid logical clock's last reading
    clock_counter     INTEGER NOT NULL DEFAULT 0,
    applied_seq       INTEGER NOT NULL DEFAULT 0    -- the last stream sequence applied here
);

-- Row changes waiting to be sent, in the order they were made. The
-- capture triggers write `change_id IS NULL` rows; `db::sharing::seal`
-- gives a transaction's rows one change id and clock reading before it
-- commits. `customer_id` names whose card a row belongs to, so "delete
-- completely" can take a customer's unsent rows out of the outbox too.
CREATE TABLE sync_outbox (
    seq          INTEGER PRIMARY KEY,
    change_id    TEXT,
    clock        TEXT,
    table_name   TEXT NOT NULL,
    row_key      TEXT NOT NULL,
    op           TEXT NOT NULL,           -- 'insert', 'update', 'delete', 'erase'
    customer_id  TEXT,
    row_data     TEXT NOT NULL DEFAULT '{}',  -- JSON: the columns sent
    changed      TEXT NOT NULL DEFAULT '[]'   -- JSON: the columns an update changed
);
CREATE INDEX sync_outbox_unsealed ON sync_outbox(change_id) WHERE change_id IS NULL;
CREATE INDEX sync_outbox_customer ON sync_outbox(customer_id) WHERE customer_id IS NOT NULL;

-- Which clock reading last set each field of a shared row: a field takes
-- another device's value only when that change's reading is later.
CREATE TABLE sync_clocks (
    table_name  TEXT NOT NULL,
    row_key     TEXT NOT NULL,
    column_name TEXT NOT NULL,
    clock       TEXT NOT NULL,
    PRIMARY KEY (table_name, row_key, column_name)
) WITHOUT ROWID;

-- Every change applied here (made here or received), by id: a change
-- delivered twice is applied once.
CREATE TABLE sync_applied (
    change_id  TEXT PRIMARY KEY,
    seq        INTEGER
) WITHOUT ROWID;

-- Customers deleted completely: the id only. Every later change for one
-- of them is dropped.
CREATE TABLE sync_tombstones (
    customer_id TEXT PRIMARY KEY
) WITHOUT ROWID;
