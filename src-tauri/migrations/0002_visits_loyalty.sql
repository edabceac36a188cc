-- Regulars schema, version 2: visits and interactions, next steps, and the
-- loyalty points ledger.

-- A visit, call, message or purchase. Never deleted by the desk: an undo
-- sets undone_at, and the points it earned are taken back by a ledger entry.
CREATE TABLE interactions (
    id           TEXT PRIMARY KEY,
    customer_id  TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('visit', 'call', 'message', 'purchase')),
    summary      TEXT NOT NULL DEFAULT '',
    amount_cents INTEGER,                 -- NULL when no money changed hands
    staff_id     TEXT,
    staff_name   TEXT NOT NULL DEFAULT '', -- as it was then, so renames keep history true
    happened_at  TEXT NOT NULL,
    undone_at    TEXT,
    undo_reason  TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX interactions_customer ON interactions(customer_id, happened_at);

-- Next steps (and later other follow-ups): open until done_at is set.
CREATE TABLE tasks (
    id             TEXT PRIMARY KEY,
    customer_id    TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    interaction_id TEXT REFERENCES interactions(id) ON DELETE SET NULL,
    source         TEXT NOT NULL DEFAULT 'next_step',
    title          TEXT NOT NULL,
    due_on         TEXT NOT NULL,          -- local calendar date, YYYY-MM-DD
    staff_id       TEXT,
    staff_name     TEXT NOT NULL DEFAULT '',
    done_at        TEXT,
    done_by        TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX tasks_customer ON tasks(customer_id, done_at, due_on);
CREATE INDEX tasks_open_due ON tasks(due_on) WHERE done_at IS NULL;

-- The append-only points ledger. A balance is the sum of `points`; the
-- punch-card stamps are the sum of `stamps`. Rows are never updated.
CREATE TABLE points_ledger (
    id             TEXT PRIMARY KEY,
    customer_id    TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    kind           TEXT NOT NULL CHECK (kind IN ('earn', 'bonus', 'redeem', 'adjust', 'reverse')),
    points         INTEGER NOT NULL,
    stamps         INTEGER NOT NULL DEFAULT 0,
    memo           TEXT NOT NULL,
    staff_id       TEXT,
    staff_name     TEXT NOT NULL DEFAULT '',
    interaction_id TEXT REFERENCES interactions(id) ON DELETE SET NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
-- Covering index: balance, stamps and lifetime points of one customer
-- are read from the index alone.
CREATE INDEX points_ledger_customer ON points_ledger(customer_id, kind, points, stamps);
CREATE INDEX points_ledger_recent ON points_ledger(customer_id, created_at);
CREATE INDEX points_ledger_interaction ON points_ledger(interaction_id);
