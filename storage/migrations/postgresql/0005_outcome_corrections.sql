-- 0005: admin corrections of a reported outcome (PUT /v1/attempts/{id}/outcome). The attempt row
-- PostgreSQL pair of ../0005_outcome_corrections.sql (same tables, columns and indexes).
-- holds the current outcome; every correction keeps the value it replaced, who changed it and why.

CREATE TABLE outcome_corrections (
    correction_id  TEXT PRIMARY KEY,
    attempt_id     TEXT NOT NULL REFERENCES attempts (attempt_id),
    corrected_at   TEXT NOT NULL,
    actor_key_id   TEXT,
    reason         TEXT NOT NULL,
    old_result     TEXT,
    old_spoke_with TEXT,
    old_started_at TEXT,
    old_ended_at   TEXT,
    new_result     TEXT NOT NULL,
    new_spoke_with TEXT NOT NULL,
    new_started_at TEXT,
    new_ended_at   TEXT
);
CREATE INDEX outcome_corrections_attempt ON outcome_corrections (attempt_id, corrected_at);
