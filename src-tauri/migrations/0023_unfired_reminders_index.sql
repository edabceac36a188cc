-- Regulars schema: the reminders that have not fired yet, in due order.
-- The scheduler asks for them on every pass (what is due now, and when
-- to wake next). `reminders_open` also holds the fired ones that are not
-- done yet, and a shop that lets them wait keeps thousands (12,000 in the
-- benchmark's shop of 100,000 customers): each pass walked all of them
-- and looked each up in the table, 16,000 pages a pass, before finding
-- the first that had not fired.
CREATE INDEX reminders_unfired ON reminders(coalesce(snoozed_until, due_at))
    WHERE done_at IS NULL AND dismissed_at IS NULL AND notified_at IS NULL;
