-- 0002: the recording vault: recordings, their wrapped data keys, legal holds, tombstones,
-- scrub findings, job runs and the hash-chained access log.

CREATE TABLE recordings (
    recording_id   TEXT PRIMARY KEY,
    attempt_id     TEXT NOT NULL REFERENCES attempts (attempt_id),
    case_id        TEXT NOT NULL,
    agency_id      TEXT NOT NULL,
    to_number      TEXT NOT NULL,
    sha256         TEXT NOT NULL,          -- of the original bytes, as uploaded
    bytes          INTEGER NOT NULL,
    content_type   TEXT NOT NULL,
    filename       TEXT,
    source         TEXT NOT NULL CHECK (source IN ('http', 'cli', 'spool')),
    blob_sha256    TEXT NOT NULL UNIQUE,   -- of the encrypted file: its name in the store
    blob_bytes     INTEGER NOT NULL,
    recorded_at    TEXT NOT NULL,          -- when the call took place (the attempt's start)
    received_at    TEXT NOT NULL,
    retention_days INTEGER NOT NULL,
    retain_until   TEXT NOT NULL,
    legal_hold     INTEGER NOT NULL DEFAULT 0,
    status         TEXT NOT NULL DEFAULT 'ingested' CHECK (status IN ('ingested', 'purging')),
    replica_status TEXT NOT NULL CHECK (replica_status IN ('ok', 'pending', 'disabled')),
    replica_error  TEXT,
    replica_at     TEXT,
    scrubbed_at    TEXT,
    scrub_status   TEXT CHECK (scrub_status IN ('ok', 'healed', 'bad'))
);
-- Idempotent upload: the same bytes for the same attempt are one recording.
CREATE UNIQUE INDEX recordings_attempt_sha ON recordings (attempt_id, sha256);
CREATE INDEX recordings_agency_at ON recordings (agency_id, recorded_at);
CREATE INDEX recordings_case_at ON recordings (case_id, recorded_at);
CREATE INDEX recordings_number_at ON recordings (to_number, recorded_at);
CREATE INDEX recordings_at ON recordings (recorded_at);
CREATE INDEX recordings_expiry ON recordings (retain_until) WHERE legal_hold = 0;
CREATE INDEX recordings_replica_pending ON recordings (replica_status) WHERE replica_status = 'pending';
CREATE INDEX recordings_scrubbed ON recordings (scrubbed_at);

-- The per-recording data key, wrapped (AES-256-GCM) by the master key `master_key_id`.
-- Deleting this row is the crypto-shredding step of a purge.
CREATE TABLE recording_keys (
    recording_id  TEXT PRIMARY KEY REFERENCES recordings (recording_id),
    master_key_id TEXT NOT NULL,
    wrapped_key   BLOB NOT NULL
);

CREATE TABLE legal_holds (
    hold_id      INTEGER PRIMARY KEY,
    recording_id TEXT NOT NULL,
    action       TEXT NOT NULL CHECK (action IN ('on', 'off')),
    reason       TEXT NOT NULL,
    actor_key_id TEXT,
    at           TEXT NOT NULL
);
CREATE INDEX legal_holds_recording ON legal_holds (recording_id, hold_id);

CREATE TABLE tombstones (
    recording_id TEXT PRIMARY KEY,
    attempt_id   TEXT NOT NULL,
    case_id      TEXT NOT NULL,
    agency_id    TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    bytes        INTEGER NOT NULL,
    blob_sha256  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    retain_until TEXT NOT NULL,
    purged_at    TEXT NOT NULL,
    job_id       TEXT NOT NULL
);
CREATE INDEX tombstones_agency_at ON tombstones (agency_id, recorded_at);

CREATE TABLE scrub_findings (
    finding_id   INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    job_id       TEXT NOT NULL,
    recording_id TEXT,
    blob_sha256  TEXT NOT NULL,
    copy         TEXT NOT NULL CHECK (copy IN ('primary', 'replica')),
    problem      TEXT NOT NULL,          -- missing | hash_mismatch | unreadable | decrypt_failed | orphan
    action       TEXT NOT NULL,          -- healed | recopied | none
    detail       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX scrub_findings_recording ON scrub_findings (recording_id);

CREATE TABLE job_runs (
    job_id      TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,          -- purge | scrub | replica | anchor
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    summary     TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX job_runs_kind ON job_runs (kind, started_at);

-- Append-only access log. hash = SHA-256(prev_hash || canonical row); see storage/audit.py.
CREATE TABLE access_log (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    at           TEXT NOT NULL,
    actor_key_id TEXT,
    role         TEXT NOT NULL,
    agency_id    TEXT,
    action       TEXT NOT NULL,
    object_type  TEXT NOT NULL,
    object_id    TEXT NOT NULL,
    reason       TEXT,
    source       TEXT NOT NULL,
    result       TEXT NOT NULL,
    details      TEXT NOT NULL,          -- canonical JSON object
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);
CREATE INDEX access_log_actor ON access_log (actor_key_id, seq);
CREATE INDEX access_log_object ON access_log (object_id, seq);
CREATE INDEX access_log_at ON access_log (at);

-- The application never updates or deletes log rows. These triggers stop mistakes; the hash
-- chain and the anchors file catch anyone who drops them.
CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN
    SELECT RAISE (ABORT, 'access_log is append-only');
END;
CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
BEGIN
    SELECT RAISE (ABORT, 'access_log is append-only');
END;
