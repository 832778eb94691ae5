"""Test set-up: a licence's terms recorded as an officer would (before the draft is saved)."""

from __future__ import annotations

from datetime import date
from typing import Any

from .models import LicenceTerms
from .services import TermsData, set_terms

CERTIFICATE = "宗教活动场所登记证"
NUMBER = "兴民宗登字〔2026〕第001号"


def record_terms(actor: Any, case_id: int, **changes: Any) -> LicenceTerms:
    from sanxiang.cases.models import Case

    opened: date = Case.objects.values_list("opened_on", flat=True).get(pk=case_id)
    values: dict[str, Any] = {
        "category": "registration",
        "content": "准予宗教活动场所登记",
        "valid_from": opened,
        "valid_until": None,
        "certificate_name": CERTIFICATE,
        "licence_number": NUMBER,
    }
    return set_terms(actor=actor, case_id=case_id, data=TermsData(**(values | changes)))
