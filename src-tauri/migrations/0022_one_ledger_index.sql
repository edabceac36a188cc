-- Regulars schema: one index on a customer's loyalty ledger, not two. The
-- balance sums (`loyalty::totals`, covered: every column they read is in
-- it), the newest lines (`recent_ledger`) and the birthday-bonus check all
-- start from the customer and read it in time order. Every check-in that
-- earns points adds a line: two indexes keyed by the customer meant two
-- scattered pages written (and, in a shared shop, two on every device
-- that applies it); one index means one.
DROP INDEX points_ledger_customer;
DROP INDEX points_ledger_recent;
CREATE INDEX points_ledger_customer ON points_ledger(customer_id, created_at, kind, points, stamps);
