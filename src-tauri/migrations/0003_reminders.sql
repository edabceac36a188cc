-- Regulars schema, version 3: memberships, reminders, and each customer's
-- visit rhythm for "gone quiet".

CREATE TABLE memberships (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    plan_name   TEXT NOT NULL,
    price_cents INTEGER NOT NULL,
    term        TEXT NOT NULL CHECK (term IN ('week', 'month', 'quarter', 'year')),
    renews_on   TEXT NOT NULL,         -- local calendar date, YYYY-MM-DD
    ended_at    TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX memberships_customer ON memberships(customer_id);
CREATE INDEX memberships_renews ON memberships(renews_on) WHERE ended_at IS NULL;

-- A next step may carry a time of day ("call back at 14:30").
ALTER TABLE tasks ADD COLUMN due_time TEXT;  -- HH:MM[:SS] local, NULL for "during the day"

-- Every reminder, from any source. `dedup_key` names the source, the
-- customer and the occasion, so the same reminder can never exist twice.
CREATE TABLE reminders (
    id            TEXT PRIMARY KEY,
    dedup_key     TEXT NOT NULL UNIQUE,
    customer_id   TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    source        TEXT NOT NULL,
    source_id     TEXT,
    title         TEXT NOT NULL,
    detail        TEXT NOT NULL DEFAULT '',
    due_at        TEXT NOT NULL,        -- UTC
    snoozed_until TEXT,                 -- UTC; when set, the reminder is due then instead
    notified_at   TEXT,                 -- when a notification covered it (NULL: not yet)
    notified_how  TEXT,                 -- 'live' or 'away:<start time>' (the start-up summary)
    done_at       TEXT,
    dismissed_at  TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX reminders_open ON reminders(coalesce(snoozed_until, due_at))
    WHERE done_at IS NULL AND dismissed_at IS NULL;
CREATE INDEX reminders_customer ON reminders(customer_id);

-- Visit rhythm, kept by the storage layer on every visit and undo:
-- quiet_after is when this customer counts as "gone quiet".
ALTER TABLE customers ADD COLUMN last_visit_at TEXT;
ALTER TABLE customers ADD COLUMN usual_gap_days REAL;
ALTER TABLE customers ADD COLUMN quiet_after TEXT;
CREATE INDEX customers_quiet_after ON customers(quiet_after) WHERE quiet_after IS NOT NULL;
CREATE INDEX customers_birthday_day ON customers(substr(birthday, -5)) WHERE birthday IS NOT NULL;
