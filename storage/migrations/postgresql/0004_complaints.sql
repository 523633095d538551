-- 0004: complaints (debtors' or regulators' complaints about an agency's contact), counted on the
-- PostgreSQL pair of ../0004_complaints.sql (same tables, columns and indexes).
-- agency's scorecard (storage/supervision.py).

CREATE TABLE complaints (
    complaint_id TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases (case_id),
    agency_id    TEXT NOT NULL,          -- the case's agency when the complaint was recorded
    attempt_id   TEXT REFERENCES attempts (attempt_id),
    received_at  TEXT NOT NULL,
    channel      TEXT NOT NULL,
    summary      TEXT NOT NULL,
    actor_key_id TEXT,
    created_at   TEXT NOT NULL
);
CREATE INDEX complaints_agency_at ON complaints (agency_id, received_at);
CREATE INDEX complaints_case ON complaints (case_id);
