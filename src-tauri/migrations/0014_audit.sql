-- Regulars schema: the audit trail. Who (the owner, or the staff member at
-- the desk) did what and when: exports, imports and their undo, deletes,
-- restores, setting changes, the owner PIN and its failed attempts. It
-- holds ids and counts, never a customer's words. Rows are only ever
-- added: the triggers refuse any change or delete, whoever asks.
CREATE TABLE audit_log (
    id     INTEGER PRIMARY KEY,
    at     TEXT NOT NULL,
    who    TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);

CREATE TRIGGER audit_log_is_append_only_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'The audit trail cannot be changed.');
END;

CREATE TRIGGER audit_log_is_append_only_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'The audit trail cannot be changed.');
END;
