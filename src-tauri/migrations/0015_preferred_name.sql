-- Regulars schema: the name the desk calls a customer by ("Liz" for
-- Elizabeth, "Bobby"), beside the first and last name. Empty for every
-- card until someone types one, so the search index needs no refill: a
-- card with no preferred name is filed under exactly the keys it had.
ALTER TABLE customers ADD COLUMN preferred_name TEXT NOT NULL DEFAULT '';
