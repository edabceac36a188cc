-- Regulars schema, version 9: a new card costs fewer writes, which a large
-- spreadsheet import multiplies by every row.

-- A card an import created names that import on its own row, instead of in a row of import_rows per card (writing
-- 100,000 of those, each with two indexes and two foreign-key checks, was
-- a tenth of a large import). import_rows keeps what merges changed.
--
-- No index: only an undo looks cards up by their import, and it is rare
-- enough that reading the customers table once is the better trade than
-- an index entry for every imported card. No foreign key: batches are
-- never deleted (an undo marks its batch), and the check would cost every
-- imported card a lookup.
ALTER TABLE customers ADD COLUMN import_batch TEXT;

UPDATE customers SET import_batch = (
    SELECT r.batch_id FROM import_rows r WHERE r.customer_id = customers.id AND r.action = 'created'
)
WHERE id IN (SELECT customer_id FROM import_rows WHERE action = 'created');

DELETE FROM import_rows WHERE action = 'created';

-- The stamps index serves "one stamp short of a reward", which never asks
-- for zero stamps. A new card has none, so it now costs one index entry
-- less. The dashboard's count repeats the `> 0` so SQLite can use it.
-- (The points and lifetime indexes stay whole: their queries are ranges
-- and ordered walks, and an extra `> 0` bound made SQLite start the range
-- at zero instead of at the caller's bound.)
DROP INDEX customers_stamps;
CREATE INDEX customers_stamps ON customers(stamps_balance) WHERE archived_at IS NULL AND stamps_balance > 0;
