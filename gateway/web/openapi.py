"""The OpenAPI 3.1 description of the HTTP API, served at `/v1/openapi.json` and kept in
docs/openapi.json (`python -m gateway.web.openapi > docs/openapi.json`; a test checks both that
the file is current and that every route of the app is described and every described route
exists). Schemathesis fuzzes the live server against it in the test suite.

Every operation also documents `default`: the single error shape, which is what every 4xx (and
the 5xx the API can give on purpose) must look like.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from policies.parse import MAX_SMS_BODY
from storage.keys import Role

__all__ = ["SPEC", "openapi", "query_names", "routes"]

routes = web.RouteTableDef()

J = dict[str, Any]
ID = {"type": "string", "pattern": "^[A-Za-z0-9._:-]{1,128}$"}
QID = {"type": "string", "pattern": "^([A-Za-z0-9._:-]{1,128})?$", "description": "an id; empty = not given"}
TS = {"type": "string", "format": "date-time", "description": "RFC 3339 instant"}
QTS = {"anyOf": [TS, {"const": ""}], "description": "RFC 3339 instant; empty = not given"}
NTS = {"type": ["string", "null"], "description": "RFC 3339 instant"}
NSTR = {"type": ["string", "null"]}
ANY_OBJ: J = {"type": "object"}


def ref(name: str) -> J:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(required: list[str], props: J, extra: bool = True) -> J:
    out: J = {"type": "object", "required": required, "properties": props}
    if not extra:
        out["additionalProperties"] = False
    return out


def nullable(schema: J) -> J:
    return {"anyOf": [schema, {"type": "null"}]}


SCHEMAS: J = {
    "Error": obj(
        ["error", "message", "details"],
        {"error": {"type": "string"}, "message": {"type": "string"}, "details": ANY_OBJ},
    ),
    "Reason": obj(
        ["code", "rule", "message"],
        {
            "code": {"type": "string"},
            "rule": {"type": "string"},
            "message": {"type": "string"},
            "max": {"type": "integer"},
            "window": {"type": "string"},
            "used": {"type": "integer"},
            "lifts_at": TS,
        },
    ),
    "Decision": obj(
        ["allowed", "reasons", "next_allowed_at", "local_time", "local_times", "packs", "evaluated_at"],
        {
            "allowed": {"type": "boolean"},
            "reasons": {"type": "array", "items": ref("Reason")},
            "next_allowed_at": NTS,
            "local_time": NSTR,
            "local_times": {
                "type": "array",
                "items": obj(["zone", "local_time"], {"zone": {"type": "string"}, "local_time": TS}),
            },
            "packs": {"type": "array", "items": {"type": "string"}},
            "evaluated_at": TS,
            "attempt_id": NSTR,
            "decision_id": NSTR,
        },
    ),
    "Agency": obj(
        ["agency_id", "name", "status"],
        {
            "agency_id": {"type": "string"},
            "name": {"type": "string"},
            "status": {"enum": ["active", "suspended", "terminated"]},
            "contract_start": NSTR,
            "contract_end": NSTR,
        },
    ),
    "Case": obj(
        ["agency_id", "packs", "debtor"],
        {"agency_id": {"type": "string"}, "packs": {"type": "array"}, "debtor": ANY_OBJ},
    ),
    "Attempt": obj(
        ["attempt_id", "case_id", "agency_id", "channel", "to", "at", "status"],
        {
            "attempt_id": {"type": "string"},
            "case_id": {"type": "string"},
            "agency_id": {"type": "string"},
            "channel": {"enum": ["call", "sms"]},
            "to": {"type": "string"},
            "at": TS,
            "status": {"enum": ["reserved", "released"]},
            "outcome": nullable(ANY_OBJ),
        },
    ),
    "Recording": obj(
        [
            "recording_id",
            "attempt_id",
            "case_id",
            "agency_id",
            "sha256",
            "bytes",
            "retain_until",
            "legal_hold",
        ],
        {
            "recording_id": {"type": "string"},
            "attempt_id": {"type": "string"},
            "case_id": {"type": "string"},
            "agency_id": {"type": "string"},
            "sha256": {"type": "string"},
            "bytes": {"type": "integer"},
            "content_type": {"type": "string"},
            "recorded_at": TS,
            "received_at": TS,
            "retention_days": {"type": "integer"},
            "retain_until": TS,
            "legal_hold": {"type": "boolean"},
            "replica": ANY_OBJ,
            "scrub": ANY_OBJ,
        },
    ),
    "Purged": obj(
        ["recording_id", "status", "tombstone"],
        {"recording_id": {"type": "string"}, "status": {"const": "purged"}, "tombstone": ANY_OBJ},
    ),
    "Flag": obj(
        ["flag_id", "recording_id", "category", "severity", "status"],
        {
            "flag_id": {"type": "string"},
            "recording_id": {"type": "string"},
            "category": {"type": "string"},
            "severity": {"type": "string"},
            "status": {"enum": ["open", "confirmed", "dismissed"]},
            "start": {"type": ["number", "null"]},
            "end": {"type": ["number", "null"]},
            "rule": {"type": "string"},
            "citation": NSTR,
        },
    ),
    "Transcript": obj(
        ["recording_id", "segments"], {"recording_id": {"type": "string"}, "segments": {"type": "array"}}
    ),
    "AccessLogEntry": obj(
        ["seq", "at", "action", "object_type", "object_id", "result", "prev_hash", "hash"],
        {
            "seq": {"type": "integer"},
            "at": TS,
            "action": {"type": "string"},
            "object_type": {"type": "string"},
            "object_id": {"type": "string"},
            "result": {"type": "string"},
            "prev_hash": {"type": "string"},
            "hash": {"type": "string"},
        },
    ),
    "Complaint": obj(
        ["complaint_id", "case_id", "agency_id", "received_at", "channel", "summary"],
        {
            "complaint_id": {"type": "string"},
            "case_id": {"type": "string"},
            "agency_id": {"type": "string"},
            "attempt_id": NSTR,
            "received_at": TS,
            "channel": {"type": "string"},
            "summary": {"type": "string"},
        },
    ),
}

CHANNEL = {"enum": ["call", "sms"]}
CONTACT_BODY = obj(
    ["case_id", "to", "channel"],
    {
        "case_id": ID,
        "to": {"type": "string", "examples": ["+12125550123"]},
        "channel": CHANNEL,
        "party": {"enum": ["debtor", "third_party"]},
        "contact_id": ID,
        "body": {
            "type": ["string", "null"],
            "minLength": 1,
            "maxLength": MAX_SMS_BODY,
            "description": "required for sms; Twilio's limit for one message",
        },
    },
)
PLACE_BODY = obj(
    ["case_id", "to", "channel", "from"],
    {**CONTACT_BODY["properties"], "from": {"type": "string", "examples": ["+12125550100"]}},
)
OUTCOME_BODY = obj(
    ["result"],
    {
        "result": {"enum": ["no_answer", "busy", "failed", "voicemail", "connected"]},
        "spoke_with": {"enum": ["debtor", "third_party", "none"]},
        "started_at": TS,
        "ended_at": TS,
    },
)
REASON_BODY = obj(["reason"], {"reason": {"type": "string", "minLength": 3, "maxLength": 500}})


def _optional_nullable(schema: J) -> J:
    """A request object whose optional members may also be null (read as "not given")."""
    if schema.get("type") != "object" or "properties" not in schema:
        return schema
    required = set(schema.get("required", []))
    props = {
        name: sub if name in required else {"anyOf": [sub, {"type": "null"}]}
        for name, sub in schema["properties"].items()
    }
    return {**schema, "properties": props}


def json_body(schema: J, required: bool = True) -> J:
    return {"required": required, "content": {"application/json": {"schema": _optional_nullable(schema)}}}


def ok(status: int, schema: J | None, description: str = "OK", media: str = "application/json") -> J:
    body: J = {"description": description}
    if schema is not None:
        body["content"] = {media: {"schema": schema}}
    return {str(status): body}


def op(
    summary: str,
    roles: str,
    responses: J,
    *,
    params: list[J] | None = None,
    body: J | None = None,
    public: bool = False,
) -> J:
    out: J = {
        "summary": summary,
        "description": f"Roles: {roles}.",
        "responses": {**responses, "default": {"description": "error", "content": _error}},
    }
    if params:
        out["parameters"] = params
    if body is not None:
        out["requestBody"] = body
    if public:
        out["security"] = []
    return out


_error: J = {"application/json": {"schema": ref("Error")}}


def path_id(name: str) -> J:
    return {"name": name, "in": "path", "required": True, "schema": ID}


def query(name: str, schema: J, description: str = "") -> J:
    out: J = {"name": name, "in": "query", "required": False, "schema": schema}
    if description:
        out["description"] = description
    return out


def required_query(name: str, schema: J) -> J:
    return {"name": name, "in": "query", "required": True, "schema": schema}


LIMIT = query("limit", {"anyOf": [{"type": "integer", "minimum": 1, "maximum": 1000}, {"const": ""}]})
CURSOR = query("cursor", {"type": "string"})
REASON_Q = {
    "name": "reason",
    "in": "query",
    "required": True,
    "description": "why the evidence is read (printable text)",
    "schema": {"type": "string", "minLength": 3, "maxLength": 500},
}
HOLD_REASON_Q = query("reason", {"type": "string", "minLength": 3, "maxLength": 500})
OPTIONAL_REASON_BODY = obj([], {"reason": {"type": "string", "minLength": 3, "maxLength": 500}})
# A file's bytes: any text is a file (rows it cannot use are refused one by one in the report).
IMPORT_BODY = {
    "required": True,
    "content": {
        "application/x-ndjson": {"schema": {"description": "JSON Lines, one case or payment a line"}},
        "text/csv": {"schema": {"description": "CSV with a header row"}},
    },
}
MONTH = {"type": "string", "pattern": "^((19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2]))?$", "description": "YYYY-MM"}

PATHS: J = {
    "/healthz": {"get": op("Liveness", "none", ok(200, ANY_OBJ), public=True)},
    "/readyz": {
        "get": op(
            "Readiness: the database takes a write and the recording store a file",
            "none",
            {**ok(200, ANY_OBJ), **ok(503, ANY_OBJ, "not ready")},
            public=True,
        )
    },
    "/metrics": {
        "get": op("Prometheus metrics", "none", ok(200, {"type": "string"}, media="text/plain"), public=True)
    },
    "/v1/openapi.json": {"get": op("This description", "none", ok(200, ANY_OBJ), public=True)},
    "/v1/agencies/{agency_id}": {
        "parameters": [path_id("agency_id")],
        "put": op(
            "Create or replace an agency",
            "admin",
            {**ok(200, ref("Agency")), **ok(201, ref("Agency"), "created")},
            body=json_body(
                obj(
                    ["name"],
                    {
                        "name": {"type": "string", "minLength": 1, "maxLength": 200},
                        "status": {"enum": ["active", "suspended", "terminated"]},
                        "contract_start": {"type": ["string", "null"], "format": "date"},
                        "contract_end": {"type": ["string", "null"], "format": "date"},
                    },
                )
            ),
        ),
        "get": op("An agency", "admin, dialer (own), inspector, security", ok(200, ref("Agency"))),
    },
    "/v1/cases/{case_id}": {
        "parameters": [path_id("case_id")],
        "put": op(
            "Create or replace a case",
            "admin",
            {**ok(200, ref("Case")), **ok(201, ref("Case"), "created")},
            body=json_body(
                obj(
                    ["agency_id", "packs", "debtor"],
                    {
                        "agency_id": ID,
                        "packs": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                        "region": {"type": "string"},
                        "overdue_days": {"type": "integer", "minimum": 0},
                        "debtor": ANY_OBJ,
                        "contacts": {"type": "array", "items": ANY_OBJ},
                        "facts": ANY_OBJ,
                        "preferences": ANY_OBJ,
                        "language": {"type": "string"},
                    },
                )
            ),
        ),
        "get": op(
            "A case with its stop requests (numbers masked for inspectors and security)",
            "admin, dialer (own), inspector, security",
            ok(200, ref("Case")),
        ),
    },
    "/v1/cases/{case_id}/cease": {
        "parameters": [path_id("case_id")],
        "post": op(
            "Record a stop request (the debtor's, or a third party's with contact_id)",
            "admin, dialer (own)",
            ok(201, ANY_OBJ, "recorded"),
            body=json_body(
                obj(
                    [],
                    {
                        "channels": {"type": "array", "items": CHANNEL, "minItems": 1},
                        "reason": {"type": "string", "maxLength": 2000},
                        "contact_id": ID,
                    },
                )
            ),
        ),
    },
    "/v1/cases/{case_id}/inbound": {
        "parameters": [path_id("case_id")],
        "post": op(
            "Record a conversation the debtor started (not an attempt; may start cool-offs)",
            "admin, dialer (own)",
            ok(201, ANY_OBJ, "recorded"),
            body=json_body(
                obj(
                    ["channel", "number", "started_at"],
                    {"channel": CHANNEL, "number": {"type": "string"}, "started_at": TS, "ended_at": TS},
                )
            ),
        ),
    },
    "/v1/authorize": {
        "post": op(
            "Decide a contact and reserve an attempt when allowed (200 whenever a decision was made)",
            "dialer",
            ok(200, ref("Decision")),
            body=json_body(CONTACT_BODY),
        )
    },
    "/v1/calls": {
        "post": op(
            "Decide and place a call through the carrier",
            "dialer",
            ok(201, obj(["attempt_id", "decision", "carrier_ref"], {"decision": ref("Decision")}), "placed"),
            body=json_body(PLACE_BODY),
        )
    },
    "/v1/messages": {
        "post": op(
            "Decide and send an SMS through the carrier",
            "dialer",
            ok(201, obj(["attempt_id", "decision", "carrier_ref"], {"decision": ref("Decision")}), "sent"),
            body=json_body(PLACE_BODY),
        )
    },
    "/v1/attempts/{attempt_id}": {
        "parameters": [path_id("attempt_id")],
        "get": op("An attempt", "admin, dialer (own), inspector, security", ok(200, ref("Attempt"))),
    },
    "/v1/attempts/{attempt_id}/outcome": {
        "parameters": [path_id("attempt_id")],
        "post": op(
            "Report how an attempt ended (times checked against its decision)",
            "dialer (own)",
            ok(200, ref("Attempt")),
            body=json_body(OUTCOME_BODY),
        ),
        "put": op(
            "Correct a reported outcome (the old value is kept; logged)",
            "admin",
            ok(200, ref("Attempt")),
            body=json_body(
                {
                    **OUTCOME_BODY,
                    "required": ["result", "reason"],
                    "properties": {**OUTCOME_BODY["properties"], **REASON_BODY["properties"]},
                }
            ),
        ),
    },
    "/v1/recordings": {
        "post": op(
            "Upload the recording of an attempt (streamed; raw audio or multipart field `file`)",
            "dialer (own attempts)",
            {**ok(200, ref("Recording"), "the same bytes again"), **ok(201, ref("Recording"), "stored")},
            params=[required_query("attempt_id", ID)],
            body={
                "required": True,
                "content": {
                    "audio/wav": {"schema": {"type": "string", "format": "binary"}},
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
                },
            },
        ),
        "get": op(
            "Search recordings, newest first (flagged: not for dialers)",
            "admin, dialer (own), inspector, security",
            ok(
                200,
                obj(
                    ["recordings", "next_cursor"],
                    {"recordings": {"type": "array", "items": ref("Recording")}},
                ),
            ),
            params=[
                query("case_id", QID),
                query("number", {"type": "string"}),
                query("agency_id", QID),
                query("from", QTS),
                query("to", QTS),
                query("flagged", {"enum": ["true", "false"]}),
                LIMIT,
                CURSOR,
            ],
        ),
    },
    "/v1/recordings/{recording_id}": {
        "parameters": [path_id("recording_id")],
        "get": op(
            "A recording with its holds, transcription status and flags (not for dialers), or its tombstone",
            "admin, dialer (own), inspector, security",
            ok(200, {"anyOf": [ref("Recording"), ref("Purged")]}),
        ),
        "delete": op(
            "Purge a recording past its retention (403 retention_locked before, or under hold)",
            "admin, security",
            ok(200, ref("Purged")),
            params=[query("reason", {"type": "string", "minLength": 3, "maxLength": 500})],
        ),
    },
    "/v1/recordings/{recording_id}/audio": {
        "parameters": [path_id("recording_id")],
        "get": op(
            "The recording's bytes (Range supported); a reason is required and logged",
            "inspector, security",
            {
                **ok(200, {"type": "string", "format": "binary"}, media="application/octet-stream"),
                **ok(
                    206, {"type": "string", "format": "binary"}, "a range", media="application/octet-stream"
                ),
            },
            params=[
                REASON_Q,
                {"name": "Range", "in": "header", "required": False, "schema": {"type": "string"}},
            ],
        ),
    },
    "/v1/recordings/{recording_id}/legal-hold": {
        "parameters": [path_id("recording_id")],
        "post": op(
            "Place a legal hold (a reason in the body or the query)",
            "admin, security",
            ok(200, ref("Recording")),
            params=[HOLD_REASON_Q],
            body=json_body(OPTIONAL_REASON_BODY, False),
        ),
        "delete": op(
            "Lift a legal hold (a reason in the body or the query)",
            "admin, security",
            ok(200, ref("Recording")),
            params=[HOLD_REASON_Q],
            body=json_body(OPTIONAL_REASON_BODY, False),
        ),
    },
    "/v1/recordings/{recording_id}/transcript": {
        "parameters": [path_id("recording_id")],
        "get": op(
            "The masked transcript; a reason is required and logged (409 transcript_not_ready)",
            "inspector, security",
            ok(200, ref("Transcript")),
            params=[REASON_Q],
        ),
    },
    "/v1/flags": {
        "get": op(
            "The flag queue (oldest first)",
            "inspector",
            ok(200, obj(["flags", "next_cursor"], {"flags": {"type": "array", "items": ref("Flag")}})),
            params=[
                query("status", {"enum": ["open", "confirmed", "dismissed"]}),
                query("category", {"type": "string"}),
                query("severity", {"enum": ["info", "low", "medium", "high", "critical"]}),
                query("agency_id", QID),
                query("case_id", QID),
                query("recording_id", QID),
                query("since", QTS),
                LIMIT,
                CURSOR,
            ],
        )
    },
    "/v1/flags/{flag_id}": {
        "parameters": [path_id("flag_id")],
        "get": op("One flag", "inspector", ok(200, ref("Flag"))),
    },
    "/v1/flags/{flag_id}/review": {
        "parameters": [path_id("flag_id")],
        "post": op(
            "Confirm or dismiss a flag",
            "inspector",
            ok(200, ref("Flag")),
            body=json_body(
                obj(
                    ["disposition"],
                    {
                        "disposition": {"enum": ["confirmed", "dismissed"]},
                        "note": {"type": "string", "maxLength": 2000},
                    },
                )
            ),
        ),
    },
    "/v1/complaints": {
        "get": op(
            "Complaints, newest first",
            "admin, inspector, security",
            ok(200, obj(["complaints"], {"complaints": {"type": "array"}})),
            params=[
                query("status", {"enum": ["open", "resolved", ""]}),
                query("agency_id", QID),
                query("case_id", QID),
                LIMIT,
            ],
        ),
        "post": op(
            "Record a complaint",
            "admin, inspector",
            ok(201, ref("Complaint"), "recorded"),
            body=json_body(
                obj(
                    ["case_id", "received_at", "channel", "summary"],
                    {
                        "case_id": ID,
                        "attempt_id": ID,
                        "received_at": TS,
                        "channel": {
                            "enum": [
                                "call",
                                "sms",
                                "email",
                                "letter",
                                "web",
                                "in_person",
                                "regulator",
                                "other",
                            ]
                        },
                        "summary": {"type": "string", "minLength": 1, "maxLength": 4000},
                    },
                )
            ),
        ),
    },
    "/v1/reports/scorecard": {
        "get": op(
            "Agency scorecards for a month",
            "admin, inspector, security",
            ok(200, obj(["month", "generated_at", "scorecards"], {"scorecards": {"type": "array"}})),
            params=[query("agency_id", QID), query("month", MONTH)],
        )
    },
    "/v1/agencies": {
        "get": op(
            "Every agency (an agency-bound key: its own)",
            "admin, inspector, security",
            ok(200, obj(["agencies"], {"agencies": {"type": "array", "items": ANY_OBJ}})),
        )
    },
    "/v1/cases": {
        "get": op(
            "Search cases by id or number (numbers masked)",
            "admin, inspector, security",
            ok(200, obj(["cases", "next_after"], {"cases": {"type": "array", "items": ANY_OBJ}})),
            params=[
                query("agency_id", QID),
                query("q", {"type": "string", "maxLength": 100}),
                query("after", {"type": "string"}),
                LIMIT,
            ],
        )
    },
    "/v1/cases/{case_id}/decisions": {
        "parameters": [path_id("case_id")],
        "get": op(
            "A case's decision history, newest first, each with its reasons",
            "admin, inspector, security",
            ok(200, obj(["decisions", "next_before"], {"decisions": {"type": "array", "items": ANY_OBJ}})),
            params=[query("before", QTS), LIMIT],
        ),
    },
    "/v1/cases/{case_id}/payments": {
        "parameters": [path_id("case_id")],
        "post": op(
            "Record a payment on a case (the same reference again is the same payment)",
            "admin",
            {**ok(200, ANY_OBJ, "already recorded"), **ok(201, ANY_OBJ, "recorded")},
            body=json_body(
                obj(
                    ["amount", "currency", "paid_on"],
                    {
                        "amount": {"type": ["string", "number"]},
                        "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
                        "paid_on": {"type": "string", "format": "date"},
                        "reference": {"type": "string", "minLength": 1, "maxLength": 200},
                    },
                )
            ),
        ),
        "get": op(
            "A case's payments",
            "admin, inspector, security",
            ok(200, obj(["payments"], {"payments": {"type": "array"}})),
        ),
    },
    "/v1/cases/import": {
        "post": op(
            "Bulk case import (JSONL or CSV) with a per-row error report",
            "admin",
            ok(200, obj(["created", "updated", "rejected"], {})),
            params=[query("format", {"enum": ["jsonl", "csv", ""]})],
            body=IMPORT_BODY,
        )
    },
    "/v1/payments/import": {
        "post": op(
            "Bulk payment import (JSONL or CSV) with a per-row error report",
            "admin",
            ok(200, obj(["created", "updated", "rejected"], {})),
            params=[query("format", {"enum": ["jsonl", "csv", ""]})],
            body=IMPORT_BODY,
        )
    },
    "/v1/keys": {
        "get": op(
            "API keys (never their secrets)", "admin", ok(200, obj(["keys"], {"keys": {"type": "array"}}))
        ),
        "post": op(
            "Create an API key (the key is in this answer only)",
            "admin",
            ok(201, obj(["key_id", "role", "key"], {"key": {"type": "string"}}), "created"),
            body=json_body(
                obj(
                    ["role"],
                    {
                        "role": {"enum": [str(r) for r in Role]},
                        "agency_id": ID,
                        "name": {"type": "string", "maxLength": 200},
                    },
                )
            ),
        ),
    },
    "/v1/keys/{key_id}": {
        "parameters": [path_id("key_id")],
        "delete": op("Revoke an API key", "admin", ok(200, obj(["key_id", "revoked_at"], {}))),
    },
    "/v1/complaints/{complaint_id}/resolve": {
        "parameters": [path_id("complaint_id")],
        "post": op(
            "Resolve a complaint (its automatic legal holds are lifted; logged)",
            "admin, inspector",
            ok(200, ANY_OBJ),
            body=json_body(
                obj(["resolution"], {"resolution": {"type": "string", "minLength": 1, "maxLength": 4000}})
            ),
        ),
    },
    "/v1/audit/access-log": {
        "get": op(
            "The access log in seq order",
            "security",
            ok(
                200,
                obj(
                    ["entries", "next_after"], {"entries": {"type": "array", "items": ref("AccessLogEntry")}}
                ),
            ),
            params=[
                query("actor", {"type": "string"}),
                query("object", {"type": "string"}),
                query("action", {"type": "string"}),
                query("result", {"type": "string"}),
                query("from", QTS),
                query("to", QTS),
                query("after", {"anyOf": [{"type": "integer", "minimum": 0}, {"const": ""}]}),
                LIMIT,
            ],
        )
    },
    "/v1/audit/verify": {
        "get": op(
            "Verify the access log's hash chain and anchors",
            "security",
            ok(200, obj(["ok", "rows", "head", "anchors"], {"ok": {"type": "boolean"}})),
        )
    },
    "/v1/retention/report": {
        "get": op(
            "Retention per agency and month (JSON, or CSV with Accept: text/csv)",
            "security",
            ok(200, obj(["generated_at", "rows"], {"rows": {"type": "array"}})),
            params=[query("agency_id", QID), query("month", MONTH)],
        )
    },
}

SPEC: J = {
    "openapi": "3.1.0",
    "info": {
        "title": "callwarden",
        "version": "1",
        "description": "Compliance gateway for debt-collection contact centres. Prose: docs/api.md.",
    },
    "servers": [{"url": "/"}],
    "security": [{"bearer": []}],
    "components": {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "description": "cw_<id>_<secret>"}
        },
        "schemas": SCHEMAS,
    },
    "paths": PATHS,
}


def query_names() -> dict[tuple[str, str], frozenset[str]]:
    """(METHOD, path template) → the query parameters the operation takes."""
    out: dict[tuple[str, str], frozenset[str]] = {}
    for path, item in PATHS.items():
        shared = [p for p in item.get("parameters", []) if p["in"] == "query"]
        for method, operation in item.items():
            if method == "parameters":
                continue
            params = shared + [p for p in operation.get("parameters", []) if p["in"] == "query"]
            out[(method.upper(), path)] = frozenset(p["name"] for p in params)
    return out


def openapi() -> str:
    return json.dumps(SPEC, indent=2, ensure_ascii=False) + "\n"


@routes.get("/v1/openapi.json")
async def openapi_handler(request: web.Request) -> web.Response:
    return web.Response(text=openapi(), content_type="application/json")


if __name__ == "__main__":
    print(openapi(), end="")
