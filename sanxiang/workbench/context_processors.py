from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

# (label, url name). An entry whose page does not exist yet is left out of the menu.
NAV = [
    ("工作台", "workbench:home"),
    ("待办", "workbench:inbox"),
    ("案件办理", "cases:list"),
    ("法制审核", "review:queue"),
    ("公示管理", "disclosure:queue"),
    ("数据交换", "exchange:inbox"),
    ("执法主体", "directory:agencies"),
    ("执法人员", "directory:officers"),
    ("执法事项", "catalog:matters"),
    ("工作日历", "catalog:calendar"),
    ("全过程记录", "ledger:home"),
    ("公示平台", "portal:home"),
]

BADGES = {
    "workbench:inbox": "workbench:inbox_count",
}


def _nav(request: HttpRequest) -> list[dict[str, Any]]:
    items = []
    for label, name in NAV:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        active = request.path == url or (url != "/" and request.path.startswith(url))
        item = {"label": label, "url": url, "active": active}
        if name in BADGES:
            # The count is fetched by htmx after the page, so no page pays for the inbox.
            item["badge_url"] = reverse(BADGES[name])
        items.append(item)
    return items


def platform(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {"platform_name": "三项制度执法监督平台", "platform_short": "三项"}
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        context["nav_items"] = _nav(request)
    return context
