"""The event-type registry (issue 9, item 1)."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import TestCase

from sanxiang.ledger import registry, services
from sanxiang.ledger.models import Entry
from sanxiang.lib.errors import DomainError


class Registry(TestCase):
    def test_append_refuses_a_type_no_app_declared(self):
        with pytest.raises(DomainError) as refused, transaction.atomic():
            services.append(event_type="case.opend", payload={})
        assert refused.value.code == "event_type_unregistered"
        assert not Entry.objects.filter(event_type="case.opend").exists()

    def test_a_legacy_code_reads_as_its_successor_but_cannot_be_written(self):
        assert registry.lookup("transition") == registry.lookup("case.transition")
        assert registry.label_of("opened") == "立案"
        with pytest.raises(DomainError, match=r"已更名为 case\.opened"), transaction.atomic():
            services.append(event_type="opened", payload={})

    def test_declaring_one_code_two_ways_is_an_error(self):
        with pytest.raises(ValueError):
            registry.register(registry.EventType("case.opened", "别的含义"))

    def test_every_app_declares_the_types_it_writes(self):
        codes = {t.code for t in registry.all_types()}
        for code in (
            "case.opened",
            "review.opinion",
            "document.issued",
            "disclosure.published",
            "record.added",
            "officer.created",
            "matter.created",
            "exchange.client_created",
        ):
            assert code in codes
        assert "case.transition" in registry.codes_with(timeline=True)
