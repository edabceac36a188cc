-- Regulars schema, version 6: feedback, complaints, late payments, and the
-- per-customer figures the dashboard reads without scanning the history.

-- A payment the desk marked as late (on a visit or purchase with an amount).
ALTER TABLE interactions ADD COLUMN paid_late INTEGER NOT NULL DEFAULT 0;

-- An NPS (0-10) or CSAT (1-5) answer.
CREATE TABLE feedback (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('nps', 'csat')),
    score       INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10),
    comment     TEXT NOT NULL DEFAULT '',
    staff_id    TEXT,
    staff_name  TEXT NOT NULL DEFAULT '',
    answered_at TEXT NOT NULL,
    task_id     TEXT,                    -- the follow-up a detractor answer opened
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX feedback_customer ON feedback(customer_id, answered_at);
-- Covering index for the monthly NPS and CSAT figures.
CREATE INDEX feedback_answered ON feedback(answered_at, kind, score);

-- A complaint: one owner, a next checkpoint while open, a recap when closed.
CREATE TABLE complaints (
    id            TEXT PRIMARY KEY,
    customer_id   TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    summary       TEXT NOT NULL,
    owner_id      TEXT,
    owner_name    TEXT NOT NULL,
    checkpoint_at TEXT,                  -- UTC; the next time someone looks at it
    opened_at     TEXT NOT NULL,
    opened_by     TEXT NOT NULL DEFAULT '',
    closed_at     TEXT,
    closed_by     TEXT NOT NULL DEFAULT '',
    recap         TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX complaints_customer ON complaints(customer_id, closed_at);
CREATE INDEX complaints_open_checkpoint ON complaints(checkpoint_at) WHERE closed_at IS NULL;

CREATE TABLE complaint_updates (
    id           TEXT PRIMARY KEY,
    complaint_id TEXT NOT NULL REFERENCES complaints(id) ON DELETE CASCADE,
    body         TEXT NOT NULL,
    staff_name   TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX complaint_updates_complaint ON complaint_updates(complaint_id, created_at);

-- Maintained per customer, in the same transaction as the change that
-- moves them (tests compare them with a recount):
--   lifetime_cents   sum of the amounts of interactions that still stand
--   points_balance   sum(points) of the ledger; stamps_balance sum(stamps)
--   health_yellow_from  from when the customer is at least yellow; health_red_from: red.
--                       UTC; '0' when an event (complaint, payments, feedback) makes it so
--                       already; NULL when only a future event could. "Red now" is then one
--                       index range: health_red_from <= now.
ALTER TABLE customers ADD COLUMN lifetime_cents INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN points_balance INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN stamps_balance INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN health_yellow_from TEXT;
ALTER TABLE customers ADD COLUMN health_red_from TEXT;

UPDATE customers SET
    lifetime_cents = coalesce((SELECT sum(amount_cents) FROM interactions i
                               WHERE i.customer_id = customers.id AND i.undone_at IS NULL), 0),
    points_balance = coalesce((SELECT sum(points) FROM points_ledger l WHERE l.customer_id = customers.id), 0),
    stamps_balance = coalesce((SELECT sum(stamps) FROM points_ledger l WHERE l.customer_id = customers.id), 0);
-- Health columns are filled by the app on first start after this migration
-- (the rules live in Rust); see health::ensure_fresh.

CREATE INDEX customers_lifetime ON customers(lifetime_cents) WHERE archived_at IS NULL;
CREATE INDEX customers_points ON customers(points_balance) WHERE archived_at IS NULL;
CREATE INDEX customers_stamps ON customers(stamps_balance) WHERE archived_at IS NULL;
-- Covering: counting at-risk customers and picking the most valuable of
-- them reads these indexes alone.
CREATE INDEX customers_health_red ON customers(health_red_from, lifetime_cents) WHERE archived_at IS NULL;
CREATE INDEX customers_health_yellow ON customers(health_yellow_from, health_red_from, lifetime_cents) WHERE archived_at IS NULL;
CREATE INDEX customers_created ON customers(created_at);

-- Feedback answers counted per UTC month, kind and score, kept with every
-- answer recorded or customer deleted: the NPS trend reads a few hundred rows.
CREATE TABLE feedback_months (
    month   TEXT NOT NULL,
    kind    TEXT NOT NULL,
    score   INTEGER NOT NULL,
    answers INTEGER NOT NULL,
    PRIMARY KEY (month, kind, score)
) WITHOUT ROWID;

-- Who came in (a visit or purchase that stands) in which month (UTC), and
-- per month how many came in and how many of those also came in the month
-- before: retention without scanning a million visits.
CREATE TABLE activity_months (
    customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    month       TEXT NOT NULL,           -- 'YYYY-MM'
    visits      INTEGER NOT NULL,
    PRIMARY KEY (customer_id, month)
) WITHOUT ROWID;

CREATE TABLE month_stats (
    month    TEXT PRIMARY KEY,
    active   INTEGER NOT NULL DEFAULT 0,
    retained INTEGER NOT NULL DEFAULT 0  -- active this month and the month before
);

INSERT INTO activity_months (customer_id, month, visits)
    SELECT customer_id, substr(happened_at, 1, 7), count(*) FROM interactions
    WHERE kind IN ('visit', 'purchase') AND undone_at IS NULL
    GROUP BY customer_id, substr(happened_at, 1, 7);

INSERT INTO month_stats (month, active, retained)
    SELECT a.month, count(*),
           sum(EXISTS (SELECT 1 FROM activity_months p WHERE p.customer_id = a.customer_id
                       AND p.month = strftime('%Y-%m', a.month || '-01', '-1 month')))
    FROM activity_months a GROUP BY a.month;
