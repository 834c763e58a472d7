"""Errors of the web services (HTTP status mapping lives in the routes)."""

from __future__ import annotations

from previz.errors import PrevizError

__all__ = ["ForbiddenError", "NotFoundError", "WebError"]


class WebError(PrevizError):
    """A web service refused a request (bad values: HTTP 422)."""


class NotFoundError(WebError):
    """No such thing, or the principal may not see it (HTTP 404, never 403)."""


class ForbiddenError(NotFoundError):
    """The principal may see the project but not do this (a reviewer editing); HTTP 404 too."""
