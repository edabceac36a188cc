-- Regulars schema, version 11: a photo for a customer and for each person
-- or pet on their card, kept small inside the shop file so backups,
-- export and erase cover it like any other row.
--
-- `id` is what the window asks for (regulars-photo://localhost/<id>/64);
-- a replaced photo gets a new id, so the window never shows an old copy.
-- `person_id` NULL is the customer's own photo. Both references cascade:
-- a person taken off the card, or a customer deleted, takes their photo
-- along (erase also finds the table by its customer_id column).
-- The small columns come first and the 64 px JPEG before the 256 px one:
-- SQLite reads a row's columns in order, so a list's thumbnail never reads
-- past it.
CREATE TABLE photos (
    id          TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    person_id   TEXT REFERENCES people(id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    small       BLOB NOT NULL,   -- 64 x 64 JPEG, for lists
    large       BLOB NOT NULL    -- 256 x 256 JPEG, for the card and the printed plan
);
-- One photo per customer (person_id NULL) and one per person: the
-- expression makes NULL a value the unique index compares. It also serves
-- "this customer's photos" (the card, erase, export, the cascade).
CREATE UNIQUE INDEX photos_subject ON photos(customer_id, ifnull(person_id, ''));
-- The cascade from people looks a person's photo up by person_id.
CREATE INDEX photos_person ON photos(person_id);
