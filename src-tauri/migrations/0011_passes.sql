-- Regulars schema: passes and packages ("10-class pass", "5 walks").
--
-- A pass is sold once and never changed: what it was called, how many
-- sessions it held, what it cost and until when it can be used. What is
-- left is the sum of its ledger, which is only ever appended to (sold,
-- used, returned, expired, adjusted), like points_ledger.

CREATE TABLE passes (
    id             TEXT PRIMARY KEY,
    customer_id    TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    -- The pass type in the settings it was sold from (kept as it was sold).
    type_id        TEXT NOT NULL,
    name           TEXT NOT NULL,
    sessions       INTEGER NOT NULL CHECK (sessions > 0),
    price_cents    INTEGER NOT NULL CHECK (price_cents >= 0),
    sold_on        TEXT NOT NULL,            -- YYYY-MM-DD, the shop's day
    expires_on     TEXT,                     -- the last day it can be used; NULL: never
    -- The purchase on the history that sold it.
    interaction_id TEXT REFERENCES interactions(id) ON DELETE SET NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX passes_customer ON passes(customer_id, expires_on);
CREATE INDEX passes_expires ON passes(expires_on) WHERE expires_on IS NOT NULL;

CREATE TABLE pass_ledger (
    id             TEXT PRIMARY KEY,
    pass_id        TEXT NOT NULL REFERENCES passes(id) ON DELETE CASCADE,
    customer_id    TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    kind           TEXT NOT NULL CHECK (kind IN ('sold', 'used', 'returned', 'expired', 'adjusted')),
    sessions       INTEGER NOT NULL,
    memo           TEXT NOT NULL DEFAULT '',
    staff_id       TEXT,
    staff_name     TEXT NOT NULL DEFAULT '',
    -- The visit that used a session, or whose undo gave it back.
    interaction_id TEXT REFERENCES interactions(id) ON DELETE SET NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
-- Covers "what is left" (sum of sessions per pass) without the table.
CREATE INDEX pass_ledger_pass ON pass_ledger(pass_id, sessions);
CREATE INDEX pass_ledger_interaction ON pass_ledger(interaction_id) WHERE interaction_id IS NOT NULL;
