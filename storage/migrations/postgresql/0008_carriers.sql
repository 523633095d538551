-- 0008: carriers — the Twilio-compatible facade's calls and messages, the dialers' callback
-- PostgreSQL pair of ../0008_carriers.sql (same tables, columns and indexes).
-- signing tokens, a number → case index for requests that name no case, number-scoped ceases
-- (a STOP reply) that a START reply may lift, and the log of inbound SMS replies.
-- (0005–0007 belong to other branches; versions are applied by number, so the order is free.)

-- A stop request may be limited to one number (a STOP reply stops SMS to the number it came
-- from), says where it came from, and may be lifted (only a reply-made stop, by a START reply,
-- where the case's packs allow it). Lifted ceases stay as evidence.
ALTER TABLE ceases ADD COLUMN number TEXT;
ALTER TABLE ceases ADD COLUMN source TEXT NOT NULL DEFAULT 'api';
ALTER TABLE ceases ADD COLUMN lifted_at TEXT;
ALTER TABLE ceases ADD COLUMN lifted_reason TEXT;
CREATE INDEX ceases_number ON ceases (number) WHERE number IS NOT NULL;

-- Every number on a case (the debtor's phones and the contacts'), kept by triggers from the
-- stored case document, so that a request naming only `To` finds its case by an index.
CREATE TABLE case_numbers (
    case_id    TEXT NOT NULL REFERENCES cases (case_id),
    agency_id  TEXT NOT NULL,
    number     TEXT NOT NULL,
    party      TEXT NOT NULL CHECK (party IN ('debtor', 'third_party')),
    contact_id TEXT
);
CREATE INDEX case_numbers_agency_number ON case_numbers (agency_id, number);
CREATE INDEX case_numbers_number ON case_numbers (number);
CREATE INDEX case_numbers_case ON case_numbers (case_id);

CREATE FUNCTION case_numbers_of(of_case TEXT, of_agency TEXT, of_doc TEXT)
RETURNS TABLE (case_id TEXT, agency_id TEXT, number TEXT, party TEXT, contact_id TEXT)
LANGUAGE sql IMMUTABLE AS $$
    SELECT $1, $2, p ->> 'number', 'debtor', NULL
    FROM jsonb_array_elements(coalesce($3::jsonb -> 'debtor' -> 'phones', '[]'::jsonb)) AS p
    WHERE p ->> 'number' IS NOT NULL
    UNION ALL
    SELECT $1, $2, c ->> 'number', 'third_party', c ->> 'contact_id'
    FROM jsonb_array_elements(coalesce($3::jsonb -> 'contacts', '[]'::jsonb)) AS c
    WHERE c ->> 'number' IS NOT NULL
$$;

CREATE FUNCTION case_numbers_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        DELETE FROM case_numbers WHERE case_numbers.case_id = OLD.case_id;
    END IF;
    INSERT INTO case_numbers (case_id, agency_id, number, party, contact_id)
        SELECT * FROM case_numbers_of(NEW.case_id, NEW.agency_id, NEW.doc);
    RETURN NEW;
END;
$$;
CREATE TRIGGER case_numbers_insert AFTER INSERT ON cases
    FOR EACH ROW EXECUTE FUNCTION case_numbers_sync();
CREATE TRIGGER case_numbers_update AFTER UPDATE OF doc, agency_id ON cases
    FOR EACH ROW EXECUTE FUNCTION case_numbers_sync();

-- The cases stored before this migration.
INSERT INTO case_numbers (case_id, agency_id, number, party, contact_id)
    SELECT n.* FROM cases, case_numbers_of(cases.case_id, cases.agency_id, cases.doc) AS n;

-- A call or message created through the Twilio-compatible facade. `sid` is the upstream's (what
-- the dialer sees); `doc` the upstream's latest JSON for it (refreshed by its status callbacks).
-- The dialer's own callback URLs are kept here, since the upstream is given callwarden's.
CREATE TABLE twilio_resources (
    sid                       TEXT PRIMARY KEY,
    kind                      TEXT NOT NULL CHECK (kind IN ('call', 'message')),
    account_sid               TEXT NOT NULL,   -- the dialer's AccountSid (its URL and Basic user)
    key_id                    TEXT NOT NULL,   -- the dialer key that created it
    agency_id                 TEXT NOT NULL,
    case_id                   TEXT NOT NULL REFERENCES cases (case_id),
    attempt_id                TEXT NOT NULL REFERENCES attempts (attempt_id),
    to_number                 TEXT NOT NULL,
    from_number               TEXT NOT NULL,
    status                    TEXT NOT NULL,
    status_callback           TEXT,
    status_callback_method    TEXT,
    recording_callback        TEXT,
    recording_callback_method TEXT,
    recording_id              TEXT,
    doc                       TEXT NOT NULL,
    created_at                TEXT NOT NULL,
    updated_at                TEXT NOT NULL
);
CREATE INDEX twilio_resources_account ON twilio_resources (account_sid, kind, created_at);
CREATE INDEX twilio_resources_attempt ON twilio_resources (attempt_id);
-- Inbound replies: the messages sent from an agency number to a debtor number, newest first.
CREATE INDEX twilio_resources_route ON twilio_resources (to_number, from_number, created_at);

-- The token each dialer signs its own callbacks with is its dialer key (its Twilio "auth token"),
-- which is otherwise stored only as a hash: kept here AES-GCM-wrapped under the master key file,
-- only for keys that used the facade, only to re-sign the callbacks forwarded to that dialer.
CREATE TABLE twilio_dialer_tokens (
    key_id        TEXT PRIMARY KEY REFERENCES api_keys (key_id),
    master_key_id TEXT NOT NULL,
    wrapped       BYTEA NOT NULL,
    updated_at    TEXT NOT NULL
);

-- Every inbound SMS reply the facade's webhook received, what it meant and what was done.
CREATE TABLE sms_replies (
    reply_id     BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    at           TEXT NOT NULL,
    message_sid  TEXT,
    from_number  TEXT NOT NULL,          -- the debtor's (or a contact's) number
    to_number    TEXT NOT NULL,          -- the agency's sending number
    action       TEXT NOT NULL,          -- stop | start | none
    keyword      TEXT,
    rule         TEXT,
    result       TEXT NOT NULL,          -- ceased | lifted | kept | no_case | ignored
    case_ids     TEXT NOT NULL,          -- JSON list of the cases it was applied to
    detail       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sms_replies_from ON sms_replies (from_number, at);
