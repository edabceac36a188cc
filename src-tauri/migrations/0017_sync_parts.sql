-- Regulars schema: the parts of a shared shop's change too large for one
-- message (a large import made while shared), kept on the receiving device
-- until the last part arrives, then applied as one change and removed.
CREATE TABLE sync_parts (
    change_id  TEXT NOT NULL,
    part       INTEGER NOT NULL,
    row_data   TEXT NOT NULL,   -- JSON: the part's rows
    PRIMARY KEY (change_id, part)
) WITHOUT ROWID;

-- A check-in in a shared shop writes as few pages as it can: one
-- transaction's outbox rows are the last ones (found from the end, by
-- sequence), not kept in an index of unsealed rows, and "delete completely"
-- scans the outbox (small: it holds only what waits to be sent) instead of
-- keeping an index by customer.
DROP INDEX sync_outbox_unsealed;
DROP INDEX sync_outbox_customer;
