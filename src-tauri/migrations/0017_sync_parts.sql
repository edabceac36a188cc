-- Regulars schema: the parts of a shared shop's change too large for one
-- message (a large import made while shared), kept on the receiving device
-- until the last part arrives, then applied as one change and removed.
CREATE TABLE sync_parts (
    change_id  TEXT NOT NULL,
    part       INTEGER NOT NULL,
    row_data   TEXT NOT NULL,   -- JSON: the part's rows
    PRIMARY KEY (change_id, part)
) WITHOUT ROWID;
