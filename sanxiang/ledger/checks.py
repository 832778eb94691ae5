"""``manage.py check --deploy``: the app must not connect as the owner of the ledger tables.

The owner can drop the append-only triggers and rewrite rows (docs/operations.md, 数据库账户);
the web and task processes should connect as a role that may only read and append.
"""

from __future__ import annotations

from typing import Any

from django.core.checks import Warning as CheckWarning
from django.core.checks import register
from django.db import connection
from django.db.utils import DatabaseError

LEDGER_TABLES = ("ledger_entry", "ledger_node", "ledger_checkpoint", "ledger_cosignature")


@register("database", deploy=True)
def ledger_role(app_configs: Any = None, **kwargs: Any) -> list[CheckWarning]:
    if connection.vendor != "postgresql":
        return [
            CheckWarning(
                "账本存于 SQLite 文件：能写该文件的人都能删除触发器并改写账本；"
                "生产部署请用 PostgreSQL 并分设账户（docs/operations.md）。",
                id="sanxiang.W101",
            )
        ]
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT tablename, tableowner = current_user, "
                "has_table_privilege(current_user, quote_ident(tablename), 'DELETE') "
                "OR has_table_privilege(current_user, quote_ident(tablename), 'TRUNCATE') "
                "FROM pg_tables WHERE schemaname = current_schema() AND tablename = ANY(%s)",
                [list(LEDGER_TABLES)],
            )
            rows = cursor.fetchall()
    except DatabaseError:
        return []  # no database yet: "migrate" reports that
    warnings = []
    owned = sorted(name for name, is_owner, _ in rows if is_owner)
    if owned:
        warnings.append(
            CheckWarning(
                f"应用以账本表的所有者身份连接数据库（{', '.join(owned)}）：所有者可删除只追加"
                "触发器并改写账本。",
                hint="迁移用所有者账户，Web 与任务进程用只读加追加的账户（docs/operations.md）。",
                id="sanxiang.W102",
            )
        )
    deletable = sorted(name for name, is_owner, may_delete in rows if may_delete and not is_owner)
    if deletable:
        warnings.append(
            CheckWarning(
                f"应用账户对账本表有 DELETE/TRUNCATE 权限（{', '.join(deletable)}）。",
                hint="REVOKE UPDATE, DELETE, TRUNCATE …（docs/operations.md）。",
                id="sanxiang.W103",
            )
        )
    return warnings
