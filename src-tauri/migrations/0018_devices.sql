-- Regulars schema: the devices of a shared shop, the card fields another
-- device's edit overwrote here (see ARCHITECTURE.md, "A shared shop"), and
-- the overdrawn cards the reminder pass looks for.

-- Every device of a shared shop, shared like a record: a device adds
-- itself when it starts sharing or joins; the owner removes one
-- (`removed_at`), after which every device drops the changes that device
-- sends, and the device itself stops sharing when it hears of it.
CREATE TABLE devices (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    added_at    TEXT NOT NULL,
    removed_at  TEXT,
    updated_at  TEXT NOT NULL
);

-- A card's field as it was before another device's later edit replaced it
-- here, so the card's history can say what changed, on which device and
-- when, and keep the value that was overwritten. This device's own (each
-- device keeps what it saw overwritten); erased with the card.
CREATE TABLE overwritten_fields (
    id           INTEGER PRIMARY KEY,
    customer_id  TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    field        TEXT NOT NULL,
    old_value    TEXT,
    device_id    TEXT NOT NULL,
    changed_at   TEXT NOT NULL
);
CREATE INDEX overwritten_fields_customer ON overwritten_fields(customer_id, changed_at);

-- The customers whose points or stamps are below zero (two desks that
-- redeemed offline): the reminder pass looks for them on every run, and
-- this keeps that a look at a few rows, not a read of every card. Only
-- such a customer has an entry, so no other write touches it.
CREATE INDEX customers_overdrawn ON customers(id) WHERE points_balance < 0 OR stamps_balance < 0;
