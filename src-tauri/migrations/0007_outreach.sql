-- Regulars schema, version 7: review requests, referrals, and visits marked
-- as a win (a good moment to ask for a review).

ALTER TABLE interactions ADD COLUMN win INTEGER NOT NULL DEFAULT 0;
CREATE INDEX interactions_wins ON interactions(happened_at) WHERE win = 1 AND undone_at IS NULL;

-- One request for a review: why it was a good moment, how it was sent, and
-- what came of it. One follow-up, `follow_up_days` after asking.
CREATE TABLE review_requests (
    id              TEXT PRIMARY KEY,
    customer_id     TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    reason          TEXT NOT NULL,
    channel         TEXT NOT NULL CHECK (channel IN ('copy', 'email', 'sms', 'print')),
    status          TEXT NOT NULL DEFAULT 'asked' CHECK (status IN ('asked', 'reviewed', 'declined', 'no_answer')),
    asked_at        TEXT NOT NULL,
    staff_name      TEXT NOT NULL DEFAULT '',
    follow_up_on    TEXT,                 -- local date; NULL once followed up or answered
    followed_up_at  TEXT,
    answered_at     TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX review_requests_customer ON review_requests(customer_id, asked_at);
CREATE INDEX review_requests_follow_up ON review_requests(follow_up_on) WHERE follow_up_on IS NOT NULL;

-- Who referred whom. The referrer's bonus is given once, when the new
-- customer's first visit is logged; `bonus_awarded_at` makes it once.
CREATE TABLE referrals (
    id               TEXT PRIMARY KEY,
    referrer_id      TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    referred_id      TEXT NOT NULL UNIQUE REFERENCES customers(id) ON DELETE CASCADE,
    bonus_points     INTEGER NOT NULL DEFAULT 0,
    bonus_awarded_at TEXT,
    thanked_at       TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX referrals_referrer ON referrals(referrer_id);
