"""The web app's services: everything routes may do, with authorisation built in.

Every function takes a SQLAlchemy ``Session`` first and, where it reads or changes a
project, the *principal* acting (a :class:`~previz.web.models.User` or a
:class:`~previz.web.models.Share`). A project the principal may not see raises
:class:`NotFoundError` (HTTP 404, never 403); a reviewer trying what only the owner may do
(edit, restore, share, delete) raises :class:`ForbiddenError`, a subclass of it. Bad
values raise :class:`WebError` or another :class:`~previz.errors.PrevizError` (HTTP 422).
Services commit their own changes and never import FastAPI.

Modules: :mod:`.users`, :mod:`.projects`, :mod:`.versions`, :mod:`.comments`,
:mod:`.reviews`, :mod:`.shares`, :mod:`.jobs`.
"""

from previz.web.services import comments, jobs, projects, reviews, shares, users, versions
from previz.web.services._access import Principal
from previz.web.services._errors import ForbiddenError, NotFoundError, WebError

__all__ = [
    "ForbiddenError",
    "NotFoundError",
    "Principal",
    "WebError",
    "comments",
    "jobs",
    "projects",
    "reviews",
    "shares",
    "users",
    "versions",
]
