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

-- The balance indexes serve "top spenders" and "close to a reward", which
-- only ever want customers with something on the balance. A new card has
-- zero in all three, so it now costs three index entries less. The
-- dashboard's queries repeat the `> 0` so SQLite can use these indexes.
DROP INDEX customers_lifetime;
DROP INDEX customers_points;
DROP INDEX customers_stamps;
CREATE INDEX customers_lifetime ON customers(lifetime_cents) WHERE archived_at IS NULL AND lifetime_cents > 0;
CREATE INDEX customers_points ON customers(points_balance) WHERE archived_at IS NULL AND points_balance > 0;
CREATE INDEX customers_stamps ON customers(stamps_balance) WHERE archived_at IS NULL AND stamps_balance > 0;
