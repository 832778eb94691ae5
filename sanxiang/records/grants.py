"""Standing grants: people outside the case team who open a case's records by their office,
without the head's approval, for as long as that office lasts.

The first is the 法制审核人员 assigned to an open review round (issue 10 item 10: 证据是否合法
充分, 法制审核 §四(三)4, cannot be reviewed without the evidence). ``records`` does not know
review (dependencies point down): the ``review`` app registers a provider from its AppConfig.

A grant changes nothing else: every opening is still a retrieval logged by
``services.log_access`` (the ``record.accessed`` entry names the grant), a 商业秘密/个人隐私
record still needs a stated reason, and a record of another agency is still ``not_found``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Grant:
    source: str  # English code written into the ledger payload, e.g. "legal_review"
    ref: int  # what the grant rests on, e.g. the review round's id
    label: str  # Chinese, shown on the record page

    def payload(self) -> dict[str, object]:
        return {"grant": self.source, "grant_ref": self.ref}


# A provider answers, for one user and some cases, which of those cases it grants (case id →
# grant). It must be set-based: the case page asks once for all its records.
GrantProvider = Callable[[Any, Collection[int]], dict[int, Grant]]

_PROVIDERS: list[GrantProvider] = []


def register(provider: GrantProvider) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def grants_for(user: Any, case_ids: Collection[int]) -> dict[int, Grant]:
    """The standing grants ``user`` holds on any of ``case_ids`` now."""
    if not getattr(user, "is_authenticated", False) or not case_ids:
        return {}
    found: dict[int, Grant] = {}
    for provider in _PROVIDERS:
        for case_id, grant in provider(user, case_ids).items():
            found.setdefault(case_id, grant)
    return found


def grant_on(user: Any, case_id: int) -> Grant | None:
    return grants_for(user, [case_id]).get(case_id)
