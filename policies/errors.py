"""The one error hierarchy of callwarden.

Every error the product raises on purpose is a `CallwardenError` with a stable `code`, a
`status` (the HTTP status it stands for; the CLI maps the same classes to exit codes), a
human `message` and machine-readable `details`. The web layer renders them in one place
(`gateway.web.errors`), the CLI in one place (`gateway.cli.common.exit_code`); both walk the
class hierarchy, so a new subclass needs no new handler.

It lives in `policies` because that is the package every other package may import; it holds no
HTTP knowledge beyond the status number.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "CallwardenError",
    "Conflict",
    "DefinitionError",
    "Forbidden",
    "InputError",
    "MissingField",
    "NotFound",
    "PayloadTooLarge",
    "ServiceUnavailable",
    "SetupError",
    "TooManyRequests",
    "Unauthenticated",
    "UnsupportedMediaType",
]


class CallwardenError(Exception):
    """Base class: `code`, `status`, `message`, `details`."""

    status: int = 500
    code: str = "internal_error"

    def __init__(
        self,
        message: str,
        details: dict[str, Any] | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = dict(details or {})
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status

    def __str__(self) -> str:
        return self.message


class InputError(CallwardenError):
    """A client-supplied value is malformed or out of range (nothing was changed)."""

    status = 400
    code = "invalid_field"

    def __init__(self, field: str | None, message: str, *, code: str | None = None) -> None:
        super().__init__(message, {"field": field} if field else {}, code=code)
        self.field = field


class MissingField(InputError):
    code = "missing_field"

    def __init__(self, field: str, message: str | None = None) -> None:
        super().__init__(field, message or f"{field} is required")


class Unauthenticated(CallwardenError):
    status = 401
    code = "unauthenticated"


class Forbidden(CallwardenError):
    status = 403
    code = "forbidden"


class NotFound(CallwardenError):
    """No such object, or not visible to the caller's agency (its existence is not disclosed)."""

    status = 404
    code = "not_found"

    def __init__(self, kind: str, object_id: str) -> None:
        super().__init__(f"{kind} {object_id!r} not found", {"kind": kind, "id": object_id})
        self.kind = kind
        self.object_id = object_id


class Conflict(CallwardenError):
    """The request conflicts with the stored state."""

    status = 409
    code = "conflict"


class PayloadTooLarge(CallwardenError):
    status = 413
    code = "too_large"


class UnsupportedMediaType(CallwardenError):
    status = 415
    code = "unsupported_media_type"


class TooManyRequests(CallwardenError):
    status = 429
    code = "too_many_requests"


class ServiceUnavailable(CallwardenError):
    """A dependency (the database's write lock, the store) did not answer in time; retry later.
    Nothing was changed."""

    status = 503
    code = "unavailable"


class SetupError(CallwardenError):
    """The installation or configuration cannot work as it is (a missing tool, model or setting);
    the message says how to fix it."""

    status = 500
    code = "setup_error"


class DefinitionError(SetupError):
    """A data file (policy pack, lexicon) that cannot be used: `file`, `key` (dotted path) and
    `problem`."""

    def __init__(self, file: str, key: str, problem: str) -> None:
        super().__init__(f"{file}: {key}: {problem}" if key else f"{file}: {problem}")
        self.file = file
        self.key = key
        self.problem = problem
