-- Regulars schema, version 5: spreadsheet imports, each undoable as a whole.

-- One import of one file: what it did, in numbers, and when it was undone.
CREATE TABLE import_batches (
    id          TEXT PRIMARY KEY,
    file_name   TEXT NOT NULL,
    imported    INTEGER NOT NULL DEFAULT 0,
    merged      INTEGER NOT NULL DEFAULT 0,
    skipped     INTEGER NOT NULL DEFAULT 0,
    rejected    INTEGER NOT NULL DEFAULT 0,
    undone_at   TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- Each card an import created or merged into. For a merge, `before` is the
-- card as it was (JSON) and `added` the people and notes the merge added,
-- so an undo puts the card back exactly. Deleting the customer deletes
-- these rows too (they name the customer).
CREATE TABLE import_rows (
    id          TEXT PRIMARY KEY,
    batch_id    TEXT NOT NULL REFERENCES import_batches(id) ON DELETE CASCADE,
    customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    action      TEXT NOT NULL CHECK (action IN ('created', 'merged')),
    before      TEXT,                     -- JSON card before a merge
    added       TEXT,                     -- JSON {"people": [ids], "notes": [ids]}
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX import_rows_batch ON import_rows(batch_id);
CREATE INDEX import_rows_customer ON import_rows(customer_id);
