-- 0007: the console (server-side sessions), money for the agency assessment (balances, payments,
-- PostgreSQL pair of ../0007_console.sql (same tables, columns and indexes).
-- commission rates per contract), complaint resolution and the legal holds an open complaint places,
-- and the runs of the access log's chain verification.
-- (0005 and 0006 are other branches' numbers: the ledger applies whatever is missing, in order.)

-- One row per signed-in console session. Only the SHA-256 of the session token is stored, so a copy
-- of the database signs nobody in. A session lapses `console.idle_timeout_s` after `last_seen_at`.
CREATE TABLE console_sessions (
    token_hash   TEXT PRIMARY KEY,
    key_id       TEXT NOT NULL REFERENCES api_keys (key_id),
    role         TEXT NOT NULL,
    agency_id    TEXT,
    csrf_token   TEXT NOT NULL,
    lang         TEXT NOT NULL,
    source       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    ended_at     TEXT,                  -- signed out (or the key revoked)
    end_reason   TEXT
);
CREATE INDEX console_sessions_key ON console_sessions (key_id);
CREATE INDEX console_sessions_seen ON console_sessions (last_seen_at) WHERE ended_at IS NULL;

-- The balance a case was assigned with (per currency: the denominator of the recovery rate).
CREATE TABLE case_balances (
    case_id      TEXT PRIMARY KEY REFERENCES cases (case_id),
    amount_minor BIGINT NOT NULL CHECK (amount_minor >= 0),   -- in the currency's minor unit
    currency     TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);

-- Payments received on a case; `agency_id` is the case's agency when the payment was recorded.
CREATE TABLE payments (
    payment_id   TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases (case_id),
    agency_id    TEXT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    currency     TEXT NOT NULL,
    paid_on      TEXT NOT NULL,         -- YYYY-MM-DD
    reference    TEXT,                  -- the lender's own id: the same reference twice is one payment
    source       TEXT NOT NULL,         -- api | import
    actor_key_id TEXT,
    created_at   TEXT NOT NULL
);
CREATE INDEX payments_agency_on ON payments (agency_id, paid_on);
CREATE INDEX payments_case ON payments (case_id, paid_on);
CREATE UNIQUE INDEX payments_reference ON payments (case_id, reference) WHERE reference IS NOT NULL;

-- An agency's commission rate per contract (a renewed contract is a new row; a payment earns the
-- rate of the contract in force on the day it was paid).
CREATE TABLE agency_contracts (
    agency_id       TEXT NOT NULL REFERENCES agencies (agency_id),
    starts_on       TEXT NOT NULL,      -- YYYY-MM-DD
    ends_on         TEXT,
    commission_rate TEXT NOT NULL,      -- decimal text, 0 to 1 (0.18 = 18 % of what is recovered)
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (agency_id, starts_on)
);

-- Complaints are resolved with a note; while open they hold the case's recordings.
ALTER TABLE complaints ADD COLUMN status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved'));
ALTER TABLE complaints ADD COLUMN resolved_at TEXT;
ALTER TABLE complaints ADD COLUMN resolution TEXT;
ALTER TABLE complaints ADD COLUMN resolver_key_id TEXT;

-- Which recordings each complaint holds. `was_held`: the recording was already under a hold that is
-- not this complaint's (a manual one), so resolving the complaint must not lift it.
CREATE TABLE complaint_holds (
    complaint_id TEXT NOT NULL REFERENCES complaints (complaint_id),
    recording_id TEXT NOT NULL,
    was_held     BIGINT NOT NULL,
    placed_at    TEXT NOT NULL,
    released_at  TEXT,
    PRIMARY KEY (complaint_id, recording_id)
);
CREATE INDEX complaint_holds_recording ON complaint_holds (recording_id) WHERE released_at IS NULL;

-- Complaints recorded before this migration are closed as they were: they never held anything.
UPDATE complaints SET status = 'resolved', resolved_at = created_at,
    resolution = 'recorded before complaint tracking (migration 0007)';

-- The console's flag queue: open flags by severity (worst first), then age, one page at a time.
CREATE INDEX flags_by_severity ON flags (
    status,
    (CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END),
    created_at,
    flag_id
) WHERE active = 1;
-- Counts per category of the console's queue, from the index alone.
CREATE INDEX flags_status_category ON flags (status, category) WHERE active = 1;
