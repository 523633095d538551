-- 0001: agencies, cases, ceases, contact attempts, decisions, API keys.
-- Instants are UTC text 'YYYY-MM-DDTHH:MM:SS.ffffffZ' (fixed width, so they sort and range-scan).

CREATE TABLE agencies (
    agency_id      TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'terminated')),
    contract_start TEXT,
    contract_end   TEXT,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);

CREATE TABLE cases (
    case_id     TEXT PRIMARY KEY,
    agency_id   TEXT NOT NULL REFERENCES agencies (agency_id),
    debtor_id   TEXT NOT NULL,
    status      TEXT NOT NULL,
    region      TEXT NOT NULL,
    doc         TEXT NOT NULL,          -- the case body as accepted (JSON, numbers in E.164)
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX cases_agency ON cases (agency_id);
CREATE INDEX cases_debtor ON cases (debtor_id);

CREATE TABLE ceases (
    cease_id    INTEGER PRIMARY KEY,
    case_id     TEXT NOT NULL REFERENCES cases (case_id),
    channels    TEXT NOT NULL,          -- JSON list
    contact_id  TEXT,                   -- set: a third party's refusal, blocks only that contact
    reason      TEXT NOT NULL DEFAULT '',
    at          TEXT NOT NULL,
    actor_key_id TEXT
);
CREATE INDEX ceases_case ON ceases (case_id);

CREATE TABLE attempts (
    attempt_id     TEXT PRIMARY KEY,
    decision_id    TEXT NOT NULL,
    case_id        TEXT NOT NULL REFERENCES cases (case_id),
    debtor_id      TEXT NOT NULL,
    agency_id      TEXT NOT NULL,
    channel        TEXT NOT NULL,
    to_number      TEXT NOT NULL,
    from_number    TEXT,
    party          TEXT NOT NULL,
    contact_id     TEXT,
    at             TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'reserved' CHECK (status IN ('reserved', 'released')),
    released_reason TEXT,
    carrier_ref    TEXT,
    result         TEXT,
    spoke_with     TEXT,
    started_at     TEXT,
    ended_at       TEXT,
    outcome_at     TEXT
);
-- The hot-path history read: one debtor's (or one number's) attempts inside the packs' windows.
CREATE INDEX attempts_debtor_at ON attempts (debtor_id, at);
CREATE INDEX attempts_to_at ON attempts (to_number, at);
CREATE INDEX attempts_contact ON attempts (case_id, contact_id) WHERE contact_id IS NOT NULL;
CREATE INDEX attempts_agency_at ON attempts (agency_id, at);

CREATE TABLE decisions (
    decision_id     TEXT PRIMARY KEY,
    at              TEXT NOT NULL,
    endpoint        TEXT NOT NULL,
    key_id          TEXT,
    case_id         TEXT NOT NULL,
    agency_id       TEXT NOT NULL,
    channel         TEXT NOT NULL,
    to_number       TEXT NOT NULL,
    party           TEXT NOT NULL,
    contact_id      TEXT,
    allowed         INTEGER NOT NULL,
    reasons         TEXT NOT NULL,      -- JSON list of reason objects
    packs           TEXT NOT NULL,      -- JSON list of pinned packs, "name@version#sha256:<digest>"
    next_allowed_at TEXT,
    attempt_id      TEXT
);
CREATE INDEX decisions_case_at ON decisions (case_id, at);
CREATE INDEX decisions_agency_at ON decisions (agency_id, at);

CREATE TABLE api_keys (
    key_id       TEXT PRIMARY KEY,
    secret_hash  TEXT NOT NULL,         -- SHA-256 of the 32-byte random secret; the key is never stored
    role         TEXT NOT NULL CHECK (role IN ('admin', 'dialer', 'inspector', 'security')),
    agency_id    TEXT,
    name         TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    revoked_at   TEXT,
    CHECK ((role = 'dialer') = (agency_id IS NOT NULL) OR role IN ('inspector', 'security'))
);
