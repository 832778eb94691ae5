"""The 人员库's side of ``verify_ledger``'s state check (``ledger.reconcile``).

Every officer version was written by an ``officer.*`` entry that names it with its content
hash; a version edited, inserted or re-dated behind the application, or an officer row that no
longer says what its latest version says, is named with the entry that says otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sanxiang.ledger.reconcile import Divergence, Fact, Reconciler

from . import versioning
from .models import OFFICER_KIND, REGISTER_FIELDS, Officer, OfficerVersion

EVENT_TYPES = ("officer.created", "officer.updated", "officer.certificate_status")


def check(facts: Sequence[Fact]) -> Iterable[Divergence]:
    rows = Officer.objects.filter(version__gt=0)
    caches = versioning.current_hashes(rows, OFFICER_KIND, REGISTER_FIELDS)
    yield from versioning.reconcile_versions(
        kind=OFFICER_KIND,
        table="directory_officerversion",
        facts=facts,
        versions=OfficerVersion.objects.order_by("pk"),
        fields=REGISTER_FIELDS,
        caches=caches,
        owner="officer_id",
    )


RECONCILER = Reconciler("directory", EVENT_TYPES, check)
