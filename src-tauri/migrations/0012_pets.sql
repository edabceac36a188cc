-- Regulars schema: pet records. A pet is a row of `people` with an
-- animal kind ("dog"); its record and vaccinations hang off that row and
-- go with it. Both name the customer too, so export and "delete
-- completely" find them from the schema.

CREATE TABLE pets (
    person_id      TEXT PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
    customer_id    TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    breed          TEXT NOT NULL DEFAULT '',
    birthday       TEXT,                     -- YYYY-MM-DD
    vet_name       TEXT NOT NULL DEFAULT '',
    vet_phone      TEXT NOT NULL DEFAULT '',
    allergies      TEXT NOT NULL DEFAULT '',
    medication     TEXT NOT NULL DEFAULT '',
    feeding        TEXT NOT NULL DEFAULT '',
    on_lead        TEXT NOT NULL DEFAULT '',  -- "Harness only, pulls"
    recall         TEXT NOT NULL DEFAULT '',  -- "Good", "Stays on lead"
    reactive_to_dogs INTEGER NOT NULL DEFAULT 0,
    handling       TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX pets_customer ON pets(customer_id);

-- Vaccinations as given; a newer one of the same name replaces an older
-- one for health and reminders, the older stays as history.
CREATE TABLE vaccinations (
    id          TEXT PRIMARY KEY,
    person_id   TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    given_on    TEXT,                        -- YYYY-MM-DD
    expires_on  TEXT NOT NULL,               -- YYYY-MM-DD, the last day it covers
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX vaccinations_customer ON vaccinations(customer_id, person_id);
CREATE INDEX vaccinations_expires ON vaccinations(expires_on);
