"""Domain errors carry an Indonesian message; the web layer maps them to 4xx."""


class ForumError(Exception):
    """Base class: `message` is shown to the user as is."""
    status_code = 400

    def __init__(self, message: str, field: str | None = None, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = dict(fields or {})
        if field:
            self.fields.setdefault(field, message)


class ValidationFailed(ForumError):
    status_code = 400


class NotFound(ForumError):
    status_code = 404


class PermissionDenied(ForumError):
    status_code = 403


class NotAuthenticated(ForumError):
    status_code = 401


class Conflict(ForumError):
    status_code = 409


class RateLimited(ForumError):
    status_code = 429
    retry_after: int | None = None  # seconds until the oldest counted event leaves the window, when known
