-- 0003: transcription jobs, transcripts, flags and their reviews.
-- PostgreSQL pair of ../0003_transcription.sql (same tables, columns and indexes).
-- See storage/speechjobs.py (the queue) and storage/transcripts.py (transcripts, flags, reviews).

-- One job per recording. A worker claims a job atomically (UPDATE ... RETURNING inside
-- BEGIN IMMEDIATE) and holds a lease it renews while it works; a job whose lease expired (the
-- worker died) is claimed again. Failures are retried with exponential backoff up to
-- max_attempts, then the job is `failed` with the last error.
CREATE TABLE transcription_jobs (
    job_id        TEXT PRIMARY KEY,
    recording_id  TEXT NOT NULL UNIQUE REFERENCES recordings (recording_id) ON DELETE CASCADE,
    status        TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    attempts      BIGINT NOT NULL DEFAULT 0,   -- claims so far (a claim after a lease expiry counts)
    max_attempts  BIGINT NOT NULL,
    not_before    TEXT NOT NULL,                -- queued: not claimed before (backoff)
    lease_token   TEXT,                         -- running: the claim's token
    lease_until   TEXT,                         -- running: claimed again after this
    worker        TEXT,                         -- host:pid of the last claimer
    enqueued_at   TEXT NOT NULL,
    started_at    TEXT,                         -- of the last claim
    finished_at   TEXT,
    updated_at    TEXT NOT NULL,
    language      TEXT,
    engine        TEXT,
    model         TEXT,
    duration      DOUBLE PRECISION,                         -- seconds of audio
    rtf           DOUBLE PRECISION,                         -- processing seconds per second of audio
    timings       TEXT,                         -- JSON {decode, transcribe, flag, store}
    warnings      TEXT NOT NULL DEFAULT '[]',   -- JSON list
    error         TEXT,                         -- the last error (decoder's message, ...)
    error_kind    TEXT,                         -- decode | model | decrypt | worker_died | internal
    errors        TEXT NOT NULL DEFAULT '[]'    -- JSON list of {attempt, at, worker, kind, error}
);
CREATE INDEX transcription_jobs_queued ON transcription_jobs (not_before) WHERE status = 'queued';
CREATE INDEX transcription_jobs_running ON transcription_jobs (lease_until) WHERE status = 'running';
CREATE INDEX transcription_jobs_status ON transcription_jobs (status, updated_at);

-- Every recording already stored gets its job.
INSERT INTO transcription_jobs (job_id, recording_id, status, max_attempts, not_before, enqueued_at, updated_at)
SELECT 'tj_' || substr(md5(random()::text || recording_id), 1, 20), recording_id, 'queued', 3, received_at, received_at, received_at
FROM recordings WHERE status = 'ingested';

-- The masked transcript of a recording (numbers replaced by [kind] placeholders).
CREATE TABLE transcripts (
    recording_id     TEXT PRIMARY KEY REFERENCES recordings (recording_id) ON DELETE CASCADE,
    job_id           TEXT NOT NULL,
    language         TEXT NOT NULL,
    engine           TEXT NOT NULL,
    model            TEXT NOT NULL,
    duration         DOUBLE PRECISION NOT NULL,
    channels         TEXT NOT NULL,       -- JSON [{channel, role, audience, words}]
    segments         TEXT NOT NULL,       -- JSON [{channel, speaker, start, end, text, confidence, words}]
    masked           TEXT NOT NULL,       -- JSON [{channel, kind, start, end}]
    lexicon_versions TEXT NOT NULL,       -- JSON list, of the last flagging (transcription or reprocess)
    warnings         TEXT NOT NULL,       -- JSON list
    created_at       TEXT NOT NULL,
    flagged_at       TEXT NOT NULL        -- last (re)flagging
);

-- Flags are kept after their recording is purged (a confirmed violation still counts on the
-- scorecard); the purge trigger below removes the transcript text they quote.
CREATE TABLE flags (
    flag_id         TEXT PRIMARY KEY,
    recording_id    TEXT NOT NULL,
    attempt_id      TEXT NOT NULL,
    case_id         TEXT NOT NULL,
    agency_id       TEXT NOT NULL,
    recorded_at     TEXT NOT NULL,
    category        TEXT NOT NULL,
    severity        TEXT NOT NULL,       -- info marks a statement to verify; anything else a violation
    match           TEXT NOT NULL,
    sentence        TEXT NOT NULL,
    start_s         DOUBLE PRECISION NOT NULL,       -- seconds into the recording
    end_s           DOUBLE PRECISION NOT NULL,
    channel         TEXT NOT NULL,       -- left | right | mono
    speaker         TEXT NOT NULL,       -- agent | debtor | mixed
    rule            TEXT NOT NULL,
    lexicon_version TEXT NOT NULL,
    confidence      DOUBLE PRECISION NOT NULL,       -- mean ASR confidence of the words matched
    source          TEXT NOT NULL,       -- lexicon | privacy | disclosure
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'confirmed', 'dismissed')),
    reviewed_at     TEXT,
    reviewer_key_id TEXT,
    review_note     TEXT,
    active          BIGINT NOT NULL DEFAULT 1,  -- 0: a later flagging no longer raises it
    superseded_at   TEXT,
    superseded_by   TEXT,                -- the lexicon versions of that flagging
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX flags_recording ON flags (recording_id, start_s);
CREATE INDEX flags_queue ON flags (status, created_at, flag_id) WHERE active = 1;
CREATE INDEX flags_agency ON flags (agency_id, created_at, flag_id) WHERE active = 1;
CREATE INDEX flags_agency_recorded ON flags (agency_id, recorded_at);

CREATE TABLE flag_reviews (
    review_id    BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    flag_id      TEXT NOT NULL REFERENCES flags (flag_id),
    disposition  TEXT NOT NULL CHECK (disposition IN ('confirmed', 'dismissed')),
    note         TEXT NOT NULL DEFAULT '',
    actor_key_id TEXT,
    at           TEXT NOT NULL
);
CREATE INDEX flag_reviews_flag ON flag_reviews (flag_id, review_id);

-- A purge removes what the call said with the audio: the transcript and the job go (by the
-- foreign keys); the flags keep category, times, rule and review, not the words they quoted.
CREATE FUNCTION recordings_purged_redact_flags() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE flags SET match = '', sentence = '' WHERE recording_id = OLD.recording_id;
    RETURN OLD;
END;
$$;
CREATE TRIGGER recordings_purged_redact_flags AFTER DELETE ON recordings
    FOR EACH ROW EXECUTE FUNCTION recordings_purged_redact_flags();
