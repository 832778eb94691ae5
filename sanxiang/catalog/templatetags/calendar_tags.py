"""The 暂定 mark of a date counted in a year whose State Council notice is not yet entered."""

from __future__ import annotations

from datetime import date

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from sanxiang.lib import workdays

register = template.Library()


@register.filter
def provisional(value: date | None) -> SafeString | str:
    """A small 暂定 badge after a deadline that lies in a provisionally computed year."""
    if not isinstance(value, date) or not workdays.is_provisional(value):
        return ""
    return format_html(
        ' <span class="badge text-bg-secondary" data-testid="provisional" title="{}">暂定</span>',
        f"{value.year}年节假日通知尚未录入，按《全国年节及纪念日放假办法》暂定计算",
    )
