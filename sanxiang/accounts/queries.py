"""Who may see what. Every staff query is scoped through these functions."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from sanxiang.directory.models import Agency
from sanxiang.lib.errors import DomainError

from .models import Role, User

WRITE_ROLES = {Role.OFFICER, Role.REVIEWER, Role.HEAD, Role.ADMIN}


def visible_agency_ids(user: Any) -> set[int]:
    """Agencies whose data ``user`` may read.

    Staff see their enforcement body (执法主体: the department, even when they sit in one of its
    units such as the 法制股) and all its units; a supervisor (司法局) also sees every agency it
    supervises, with their units; a superuser sees all.
    """
    if not getattr(user, "is_authenticated", False):
        return set()
    # A page asks several times (each workbench panel, the view itself): walk the tree once per
    # user object, i.e. once per request, and recompute if the user's agency or role changed.
    key = (user.agency_id, user.role, user.is_superuser)
    cached = getattr(user, "_sanxiang_scope", None)
    if cached is None or cached[0] != key:
        cached = (key, frozenset(_scope_of(user)))
        user._sanxiang_scope = cached
    return set(cached[1])


def _scope_of(user: Any) -> set[int]:
    if user.is_superuser:
        return set(Agency.objects.values_list("pk", flat=True))
    if user.agency_id is None:
        return set()
    # A member of a unit (e.g. the 法制股) works for the unit's enforcement body and sees all of it.
    roots = {user.agency.enforcement_body().pk}
    if user.role == Role.SUPERVISOR:
        roots |= set(
            Agency.objects.filter(supervised_by_id=user.agency_id).values_list("pk", flat=True)
        )
    return Agency.subtree_ids(roots)


def visible_agencies(user: Any) -> QuerySet[Agency]:
    return Agency.objects.filter(pk__in=visible_agency_ids(user))


def home_agency(user: User) -> Agency:
    """The agency (执法主体) a user works for: their unit's nearest enforcement body."""
    if user.agency is None:
        raise DomainError("forbidden", "该账户未关联执法主体，请联系管理员。")
    return user.agency.enforcement_body()


def require_role(user: Any, *roles: str) -> None:
    if user.is_superuser:
        return
    if getattr(user, "role", None) not in roles:
        names = "、".join(str(Role(r).label) for r in roles)
        raise DomainError("forbidden", f"此操作仅限{names}。")


def require_agency_access(user: Any, agency_id: int, *, write: bool = False) -> None:
    """Refuse access to another agency's data; supervisors are read-only everywhere."""
    if agency_id not in visible_agency_ids(user):
        raise DomainError("not_found", "未找到该记录，或无权访问。")
    if write and not user.is_superuser and user.role not in WRITE_ROLES:
        raise DomainError("forbidden", "执法监督人员只能查看，不能修改。")
