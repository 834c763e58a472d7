"""Reviewer links: a random token shown once; only its sha256 is stored."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from previz.web.models import Project, Share
from previz.web.services._access import Principal, require_editor
from previz.web.services._errors import NotFoundError

__all__ = [
    "create_share",
    "hash_token",
    "list_shares",
    "resolve_share",
    "revoke_share",
    "share_project_id",
]


# Built once: every reviewer request runs this, and building a statement costs more than
# running it (SQLAlchemy caches the compiled SQL; only the bound values change).
_SHARE_BY_TOKEN_HASH = select(Share).where(Share.token_sha256 == bindparam("token_sha256"))


def hash_token(token: str) -> str:
    """The stored form of a share token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_share(
    db: Session, principal: Principal, project: Project, label: str = ""
) -> tuple[Share, str]:
    """A new reviewer link for ``project``.

    Returns:
        The share and its raw token (show it once; it cannot be recovered).

    Raises:
        NotFoundError / ForbiddenError: not the principal's project / a reviewer.
    """
    user = require_editor(principal, project)
    token = secrets.token_urlsafe(32)
    share = Share(
        project_id=project.id,
        token_sha256=hash_token(token),
        label=label.strip()[:200],
        created_by_id=user.id,
    )
    db.add(share)
    db.commit()
    return share, token


def resolve_share(db: Session, token: str) -> Share | None:
    """The live share for a raw token; ``None`` when unknown, revoked or its project deleted."""
    if not token or len(token) > 200:
        return None
    share = db.scalars(_SHARE_BY_TOKEN_HASH, {"token_sha256": hash_token(token)}).first()
    if share is None or share.revoked or share.project.deleted:
        return None
    return share


def share_project_id(db: Session, share: Share) -> str:
    """The public id of the share's project."""
    project = db.get(Project, share.project_id)
    if project is None:
        raise NotFoundError(f"the project of share {share.id} no longer exists")
    return project.public_id


def list_shares(db: Session, principal: Principal, project: Project) -> list[Share]:
    """The project's links, newest first (revoked ones included)."""
    require_editor(principal, project)
    query = select(Share).where(Share.project_id == project.id).order_by(Share.id.desc())
    return list(db.scalars(query))


def revoke_share(db: Session, principal: Principal, project: Project, share_id: int) -> None:
    """Revoke a link of ``project``; its token stops working at once.

    Raises:
        NotFoundError: no such link on this project, or not the principal's project.
    """
    require_editor(principal, project)
    share = db.get(Share, share_id)
    if share is None or share.project_id != project.id:
        raise NotFoundError(f"no share {share_id} on project {project.public_id!r}")
    share.revoked = True
    db.commit()
