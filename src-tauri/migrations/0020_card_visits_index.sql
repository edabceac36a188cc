-- Regulars schema, version 20: a card's interactions index carries the
-- columns its rhythm, health and last-contact queries filter on (kind,
-- whether undone, the amount and whether paid late), so they are answered
-- from the index alone. Before, each read the rows themselves: about ten
-- pages scattered through the table per card, each one decrypted, for
-- every check-in made here or applied from another device.
DROP INDEX interactions_customer;
CREATE INDEX interactions_customer ON interactions(customer_id, happened_at, kind, undone_at, amount_cents, paid_late);
