"""``check --deploy`` warns when the application could rewrite the ledger itself."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import TestCase

from sanxiang.ledger.checks import ledger_role


def ids() -> list[str]:
    return [str(w.id) for w in ledger_role()]


class DeployCheckTests(TestCase):
    def test_sqlite_is_named_as_unfit_for_an_append_only_ledger(self) -> None:
        if connection.vendor != "sqlite":
            pytest.skip("SQLite deployments only")
        assert ids() == ["sanxiang.W101"]

    def test_connecting_as_the_owner_of_the_ledger_tables_is_warned(self) -> None:
        if connection.vendor != "postgresql":
            pytest.skip("PostgreSQL roles")
        assert "sanxiang.W102" in ids()

    def test_an_append_only_role_passes_and_one_that_may_delete_is_warned(self) -> None:
        if connection.vendor != "postgresql":
            pytest.skip("PostgreSQL roles")
        with connection.cursor() as cursor:
            cursor.execute("CREATE ROLE sx_app_check NOLOGIN")
            cursor.execute("GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO sx_app_check")
            cursor.execute("SET ROLE sx_app_check")
        try:
            assert ids() == []
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET ROLE")
        with connection.cursor() as cursor:
            cursor.execute("GRANT DELETE ON ledger_entry TO sx_app_check")
            cursor.execute("SET ROLE sx_app_check")
        try:
            assert ids() == ["sanxiang.W103"]
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET ROLE")
