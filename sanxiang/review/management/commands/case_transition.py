"""Move a case one step from the command line, through the same service (and so the same
guards, e.g. the legal-review gate) as the web and the API:

    python manage.py case_transition 12 decision --as head
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sanxiang.accounts.models import User
from sanxiang.cases.services import transition
from sanxiang.lib.errors import DomainError


class Command(BaseCommand):
    help = "以指定用户的身份推进案件阶段（经过与网页、接口相同的校验）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("case_id", type=int)
        parser.add_argument("target", help="目标阶段代码，如 decision")
        parser.add_argument("--as", dest="username", required=True, help="操作人用户名")
        parser.add_argument("--note", default="", help="说明")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(username=options["username"], is_active=True).first()
        if actor is None:
            raise CommandError(f"forbidden: 用户“{options['username']}”不存在或已停用。")
        try:
            case = transition(
                actor=actor,
                case_id=options["case_id"],
                target=options["target"],
                note=options["note"],
            )
        except DomainError as error:
            raise CommandError(f"{error.code}: {error.message}") from None
        self.stdout.write(f"{case.number} 已进入“{case.stage_label}”。")
