-- Regulars schema: the habits the front-desk search weighs a customer by
-- (see kernel::rhythm::habits), kept beside the usual gap by the same
-- rhythm refresh. Empty until a customer's next visit after the upgrade:
-- the regulars the ranking is for come back within days.
ALTER TABLE customers ADD COLUMN usual_minute INTEGER;
ALTER TABLE customers ADD COLUMN usual_weekdays INTEGER NOT NULL DEFAULT 0;
