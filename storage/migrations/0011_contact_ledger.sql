-- 0011: one row per debtor (and per number, for packs that cap per number) that the
-- check-and-reserve transaction locks on PostgreSQL (a FOR UPDATE row lock, taken with
-- INSERT ... ON CONFLICT DO UPDATE so a new debtor's row is made and locked in the same statement),
-- so instances decide different debtors in parallel and the same debtor one at a time. SQLite serialises every
-- decision on its write lock and never touches this table. Portable SQL: the same file runs on both.
CREATE TABLE contact_ledger (
    ledger_key TEXT PRIMARY KEY,   -- 'debtor:<debtor_id>' or 'number:<E.164>'
    created_at TEXT NOT NULL,
    decided_at TEXT NOT NULL       -- the last check-and-reserve that held the row
);
