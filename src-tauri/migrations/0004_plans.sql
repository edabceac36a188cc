-- Regulars schema, version 4: onboarding plans.
--
-- Plan templates and the shop's contact details are JSON rows in
-- `settings` (keys 'plan_templates' and 'shop_contact'). A customer's plan
-- copies its template when it starts, so editing a template later never
-- changes a plan already promised.

CREATE TABLE plans (
    id           TEXT PRIMARY KEY,
    customer_id  TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    start_on     TEXT NOT NULL,          -- local calendar date, YYYY-MM-DD
    welcome      TEXT NOT NULL DEFAULT '',
    promise      TEXT NOT NULL DEFAULT '{}', -- JSON: the promise block
    completed_at TEXT,                   -- UTC; set when the last task is ticked
    cancelled_at TEXT,                   -- UTC; a removed plan
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX plans_customer ON plans(customer_id, created_at);
-- One plan in progress per customer.
CREATE UNIQUE INDEX plans_one_open ON plans(customer_id)
    WHERE completed_at IS NULL AND cancelled_at IS NULL;
CREATE INDEX plans_completed ON plans(completed_at) WHERE completed_at IS NOT NULL;

CREATE TABLE plan_tasks (
    id             TEXT PRIMARY KEY,
    plan_id        TEXT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    customer_id    TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    title          TEXT NOT NULL,
    owner_kind     TEXT NOT NULL CHECK (owner_kind IN ('customer', 'staff', 'shop')),
    owner_staff_id TEXT,                 -- when owner_kind = 'staff'
    owner_name     TEXT NOT NULL DEFAULT '', -- the staff member's name when the plan started
    due_on         TEXT NOT NULL,        -- local calendar date, YYYY-MM-DD
    milestone      INTEGER NOT NULL DEFAULT 0, -- 1: the first-value milestone
    done_at        TEXT,
    done_by        TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX plan_tasks_plan ON plan_tasks(plan_id, position);
CREATE INDEX plan_tasks_open_due ON plan_tasks(due_on) WHERE done_at IS NULL;
