-- 0006: conversations the debtor started (POST /v1/cases/{id}/inbound), the relation of a
-- PostgreSQL pair of ../0006_regulatory.sql (same tables, columns and indexes).
-- third-party attempt's contact (packs count contacts by relation: WA pools the spouse with the
-- debtor), and the notes a decision carries (consent, time-barred debt, validation period).
-- (0005 is reserved.)

CREATE TABLE inbound_contacts (
    inbound_id   TEXT PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases (case_id),
    debtor_id    TEXT NOT NULL,
    agency_id    TEXT NOT NULL,          -- the case's agency when it was recorded
    channel      TEXT NOT NULL CHECK (channel IN ('call', 'sms')),
    number       TEXT NOT NULL,          -- the number the debtor used (E.164)
    started_at   TEXT NOT NULL,
    ended_at     TEXT,
    actor_key_id TEXT,
    recorded_at  TEXT NOT NULL
);
-- Read with the debtor's attempts on the decision hot path.
CREATE INDEX inbound_debtor_at ON inbound_contacts (debtor_id, started_at);
CREATE INDEX inbound_case_at ON inbound_contacts (case_id, started_at);

ALTER TABLE attempts ADD COLUMN relation TEXT;
ALTER TABLE decisions ADD COLUMN notes TEXT;  -- JSON list of note objects, NULL when none
