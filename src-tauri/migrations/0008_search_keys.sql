-- Regulars schema, version 8: a lighter search index, so importing a large
-- spreadsheet stays quick (issue 8). See search.rs for what the keys are.
--
-- Every suffix of a phone's digits used to be a full-text term, with its
-- prefixes. Names and phones now share one table of short keys, keyed by
-- the key itself so a batch of keys written in order fills it page by
-- page; `search_entries` lists each customer's keys for removal, in place
-- of a second index. The search module removes a customer's rows itself
-- (no foreign keys to check on every insert).
--
-- The new tables start empty: store.rs runs search::rebuild_all after this
-- file, in the same transaction.

DROP TABLE search_names;

CREATE TABLE search_keys (
    key         TEXT NOT NULL,
    customer_pk INTEGER NOT NULL,
    PRIMARY KEY (key, customer_pk)
) WITHOUT ROWID;

CREATE TABLE search_entries (
    customer_pk INTEGER PRIMARY KEY,
    keys        TEXT NOT NULL            -- newline-separated search_keys.key
);

-- The full-text index without phone digits; `contact` holds email words.
-- (detail=column would be smaller, but a typed word the tokenizer splits
-- in two becomes a phrase, which only detail=full can match.) No prefix
-- index for one letter any more: a one-letter query is answered by the
-- name keys, and each prefix index costs as much to write as the words.
DROP TABLE search_text;
CREATE VIRTUAL TABLE search_text USING fts5(
    name, contact, people, notes,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);
