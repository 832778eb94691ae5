"""The refinements openapi.py writes into the generated schema: present, meaning what the
services check, and loud when they point at something that no longer exists."""

from __future__ import annotations

import re
import sys
from unittest import mock

import pytest
from django.test import Client

from sanxiang.api import openapi


@pytest.fixture(scope="module")
def served(django_db_blocker):
    with django_db_blocker.unblock():
        return Client().get("/api/v1/openapi.json").json()


def _target(schema, where, name):
    if " " in where:
        method, path = where.split(" ", 1)
        parameters = schema["paths"][path][method.lower()]["parameters"]
        return next(p["schema"] for p in parameters if p["name"] == name)
    return schema["components"]["schemas"][where]["properties"][name]


def test_the_served_openapi_carries_every_refinement(served):
    for (where, name), extra in openapi._refinements().items():
        target = _target(served, where, name)
        assert {k: target.get(k) for k in extra} == extra, (where, name)


def test_nonblank_is_what_strip_leaves_something_of():
    pattern = re.compile(openapi.NONBLANK)
    for code in range(0, sys.maxunicode + 1, 1):
        char = chr(code)
        if 0xD800 <= code <= 0xDFFF:
            continue
        assert bool(pattern.search(char)) == bool(char.strip()), hex(code)


def test_a_refinement_of_a_property_that_is_gone_fails_loudly(served):
    with (
        mock.patch.object(openapi, "_refinements", return_value={("ExcludeIn", "gone"): {}}),
        pytest.raises(KeyError),
    ):
        openapi.complete({"components": {"schemas": served["components"]["schemas"]}, "paths": {}})


def test_the_exchange_text_fields_are_refused_blank_as_documented(served):
    transfer = served["components"]["schemas"]["TransferIn"]["properties"]
    for name in ("external_id", "title", "from_agency", "summary"):
        assert transfer[name]["pattern"] == openapi.NONBLANK, name


def test_the_signed_scheme_says_how_to_sign_and_each_signed_operation_names_its_refusals(served):
    scheme = served["components"]["securitySchemes"]["SignedClient"]
    for header in ("X-Sanxiang-Key", "X-Sanxiang-Timestamp", "X-Sanxiang-Nonce"):
        assert header in scheme["description"], header
    assert "X-Sanxiang-Signature" in scheme["description"]
    assert "HMAC-SM3" in scheme["description"] and "Idempotency-Key" in scheme["description"]
    codes = served["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]
    signed = [
        operation
        for path, item in served["paths"].items()
        if path.startswith("/api/v1/exchange/")
        for operation in item.values()
    ]
    assert len(signed) == 6
    for operation in signed:
        assert operation["security"] == [{"SignedClient": []}]
        named = {
            int(status): set(answer["content"]["application/json"]["examples"])
            for status, answer in operation["responses"].items()
            if int(status) in openapi.SIGNED_ERRORS
        }
        assert named[401] >= {"signature_invalid", "request_expired"}
        assert named[409] >= {"request_replayed"}
        assert named[413] == {"payload_too_large"}
        assert named[422] >= {"idempotency_mismatch", "validation_error"}
        for status, answer in operation["responses"].items():
            for example in answer["content"]["application/json"].get("examples", {}).values():
                assert example["value"]["error"]["code"] in codes["enum"], status
