-- Regulars schema: news by email to a group, from the shop's own account.
--
-- Consent is kept like a record, one row per customer (its id derived from
-- the customer's, so two devices that record it make one row): whether they
-- agreed to news by email, when and how ("asked at the desk", "import:
-- Square subscription column"), and when they withdrew. A withdrawal keeps
-- when and how they had agreed.
CREATE TABLE email_consent (
    id           TEXT PRIMARY KEY,
    customer_id  TEXT NOT NULL UNIQUE REFERENCES customers(id) ON DELETE CASCADE,
    agreed       INTEGER NOT NULL CHECK (agreed IN (0, 1)),
    agreed_at    TEXT,
    how          TEXT NOT NULL DEFAULT '',
    withdrawn_at TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

-- A message written once for a group, sent from this device (which holds
-- the mail account's password): what it says as written, how sending
-- stands ('sending', 'paused', 'cancelled', 'done').
CREATE TABLE mail_messages (
    id          TEXT PRIMARY KEY,
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    group_name  TEXT NOT NULL DEFAULT '',
    state       TEXT NOT NULL CHECK (state IN ('sending', 'paused', 'cancelled', 'done')),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- One row per recipient per message, personalised when the message was
-- queued: 'queued', then 'sending' (committed before it is handed to the
-- server), then 'sent' (in the same transaction as the history line) or
-- 'failed' with the server's reason; 'cancelled' when the owner cancelled
-- before it went. A row found 'sending' at start was cut off mid-hand-over
-- and becomes 'failed' with a reason that says so (at most once: never
-- re-sent without the owner's retry).
CREATE TABLE mail_outbox (
    id           TEXT PRIMARY KEY,
    message_id   TEXT NOT NULL REFERENCES mail_messages(id) ON DELETE CASCADE,
    customer_id  TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    address      TEXT NOT NULL,
    subject      TEXT NOT NULL,
    body         TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'cancelled')),
    reason       TEXT NOT NULL DEFAULT '',
    sent_at      TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (message_id, customer_id)
);
CREATE INDEX mail_outbox_state ON mail_outbox(message_id, state);
CREATE INDEX mail_outbox_sent ON mail_outbox(sent_at) WHERE sent_at IS NOT NULL;
CREATE INDEX mail_outbox_customer ON mail_outbox(customer_id);

-- A line on the customer's history for each message they were sent
-- ("Newsletter: Spring opening hours"); only ever added.
CREATE TABLE mail_sent (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    message_id  TEXT NOT NULL,
    subject     TEXT NOT NULL,
    sent_at     TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX mail_sent_customer ON mail_sent(customer_id, sent_at);
