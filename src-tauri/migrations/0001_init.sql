-- Regulars schema, version 1.
--
-- Public keys are UUIDv7 text ids made in Rust. The integer `pk` of
-- customers is internal: the search index is keyed by it and it never
-- leaves the storage layer. Child rows reference the public id so that a
-- replicated engine can merge them later. Times are UTC RFC 3339 text.

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,          -- JSON
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE staff (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1,
    position   INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE customers (
    pk                 INTEGER PRIMARY KEY,
    id                 TEXT NOT NULL UNIQUE,
    first_name         TEXT NOT NULL DEFAULT '',
    last_name          TEXT NOT NULL DEFAULT '',
    display_name       TEXT NOT NULL,
    sort_name          TEXT NOT NULL,     -- folded display name, for ordering
    phone              TEXT NOT NULL DEFAULT '',
    phone_digits       TEXT NOT NULL DEFAULT '',
    email              TEXT NOT NULL DEFAULT '',
    birthday           TEXT,              -- 'YYYY-MM-DD' or '--MM-DD' when the year is unknown
    preferred_channel  TEXT NOT NULL DEFAULT '',  -- '', 'text', 'email', 'phone'
    best_time          TEXT NOT NULL DEFAULT '',
    tags               TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
    heard_from         TEXT NOT NULL DEFAULT '',
    discovery          TEXT NOT NULL DEFAULT '{}', -- JSON object of the six first-visit answers
    last_contact_at    TEXT,
    archived_at        TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX customers_sort_name ON customers(sort_name);
CREATE INDEX customers_phone_digits ON customers(phone_digits);
CREATE INDEX customers_email ON customers(email COLLATE NOCASE);

-- People and pets around a customer: a dog, a child, a partner ...
CREATE TABLE people (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL DEFAULT '',
    details     TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX people_customer ON people(customer_id, position);

CREATE TABLE notes (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    body        TEXT NOT NULL,
    pinned      INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX notes_customer ON notes(customer_id, created_at);

-- Search, part 1: every word-start of a customer's folded name, so that a
-- typed prefix is a B-tree range scan that comes back already in order.
CREATE TABLE search_names (
    key         TEXT NOT NULL,
    customer_pk INTEGER NOT NULL REFERENCES customers(pk) ON DELETE CASCADE
);
CREATE INDEX search_names_key ON search_names(key, customer_pk);
CREATE INDEX search_names_customer ON search_names(customer_pk);

-- Search, part 2: a contentless full-text index over folded text; rowid is
-- customers.pk. The storage layer rewrites a customer's row in the same
-- transaction as any change to the customer, their people or their notes.
CREATE VIRTUAL TABLE search_text USING fts5(
    name, contact, people, notes,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);
