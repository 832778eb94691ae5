from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from sanxiang.accounts.decorators import acting_user, staff_view
from sanxiang.accounts.models import Role
from sanxiang.accounts.queries import home_agency, require_role, visible_agency_ids
from sanxiang.imports import respond
from sanxiang.lib import workdays
from sanxiang.lib.errors import DomainError, ValidationFailed

from . import calendar_sheet, queries, services, sheets
from .forms import MatterForm, matter_initial
from .models import CalendarDay, CalendarYear, Matter, MatterVersion

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def parse_as_of(raw: str | None) -> date:
    if not raw:
        return timezone.localdate()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed("日期格式应为 2026-01-31。", field="as_of") from None


def _matter_for(request: HttpRequest, pk: int) -> Matter:
    matter = Matter.objects.filter(pk=pk, agency_id__in=visible_agency_ids(request.user)).first()
    if matter is None:
        raise DomainError("not_found", "未找到该事项，或无权访问。")
    return matter


@staff_view
def matters(request: HttpRequest) -> HttpResponse:
    as_of = parse_as_of(request.GET.get("as_of"))
    rows = queries.matters_as_of(visible_agency_ids(request.user), as_of)
    q = request.GET.get("q", "").strip()
    if q:
        rows = rows.filter(Q(name__contains=q) | Q(matter__code__contains=q))
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    context = {"page": page, "as_of": as_of, "q": q, "extra_query": f"as_of={as_of:%Y-%m-%d}"}
    context["is_admin"] = acting_user(request).role == Role.ADMIN
    return render(request, "catalog/matters.html", context)


@staff_view
def matter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    matter = _matter_for(request, pk)
    versions = list(queries.history(matter.pk))
    return render(request, "catalog/matter_detail.html", {"matter": matter, "versions": versions})


def _save_matter(request: HttpRequest, form: MatterForm, matter: Matter | None) -> MatterVersion:
    data = form.cleaned_data
    actor = acting_user(request)
    if matter is None:
        return services.create_matter(
            actor=actor,
            agency_id=home_agency(actor).pk,
            code=data["code"],
            content=form.content(),
            valid_from=data["valid_from"],
        )
    current = matter.versions.get(valid_to__isnull=True)
    return services.revise_matter(
        actor=actor,
        matter_id=matter.pk,
        content=form.content(services.MatterContent.from_version(current)),
        valid_from=data["valid_from"],
        note=data["note"],
    )


@staff_view
def matter_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require_role(request.user, Role.ADMIN)
    matter = _matter_for(request, pk) if pk else None
    initial = matter_initial(matter.versions.get(valid_to__isnull=True)) if matter else {}
    form = MatterForm(request.POST or None, initial=initial)
    if matter:
        form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            version = _save_matter(request, form, matter)
        except DomainError as err:
            form.add_error(err.field if err.field in form.fields else None, err.message)
        else:
            messages.success(request, f"已保存“{version.name}”第{version.number}版。")
            return redirect("catalog:matter", pk=version.matter_id)
    return render(request, "catalog/matter_form.html", {"form": form, "matter": matter})


@staff_view
def matters_export(request: HttpRequest) -> HttpResponse:
    rows = list(queries.current_versions(visible_agency_ids(request.user)))
    return respond.xlsx_file(sheets.export_matters(rows), "matters.xlsx")


@require_POST
@staff_view
def matters_import(request: HttpRequest) -> HttpResponse:
    require_role(request.user, Role.ADMIN)
    actor = acting_user(request)
    return respond.import_sheet(
        request,
        back=reverse("catalog:matters"),
        filename="matters",
        run=lambda data: sheets.import_matters(
            actor=actor, agency_id=home_agency(actor).pk, data=data
        ),
    )


@staff_view
def calendar_export(request: HttpRequest) -> HttpResponse:
    return respond.xlsx_file(calendar_sheet.export_calendar(), "calendar.xlsx")


@require_POST
@staff_view
def calendar_import(request: HttpRequest) -> HttpResponse:
    require_role(request.user, Role.ADMIN)
    actor = acting_user(request)
    return respond.import_sheet(
        request,
        back=reverse("catalog:calendar"),
        filename="calendar",
        run=lambda data: calendar_sheet.import_calendar(actor=actor, data=data),
    )


def _parse_days(text: str, year: int) -> tuple[dict[date, bool], dict[date, str]]:
    """Lines like ``2027-01-01 休 元旦`` or ``2027-02-07 班 春节调休``."""
    days: dict[date, bool] = {}
    notes: dict[date, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        try:
            day = date.fromisoformat(parts[0])
        except ValueError:
            raise ValidationFailed(f"第{number}行：“{parts[0]}”不是日期。", field="days") from None
        if len(parts) < 2 or parts[1] not in {"休", "班"}:
            raise ValidationFailed(f"第{number}行：请注明“休”或“班”。", field="days")
        days[day] = parts[1] == "班"
        notes[day] = " ".join(parts[2:])
    return days, notes


@staff_view
def calendar(request: HttpRequest) -> HttpResponse:
    error = None
    if request.method == "POST":
        require_role(request.user, Role.ADMIN)
        try:
            year = int(request.POST.get("year", ""))
        except ValueError:
            error = "请填写年度。"
        else:
            try:
                days, notes = _parse_days(request.POST.get("days", ""), year)
                services.record_calendar_year(
                    actor=acting_user(request),
                    year=year,
                    source=request.POST.get("source", ""),
                    days=days,
                    notes=notes,
                )
            except DomainError as err:
                error = err.message
            else:
                messages.success(request, f"已录入{year}年节假日安排。")
                return redirect("catalog:calendar")
    context = {
        "years": CalendarYear.objects.order_by("-year"),
        "days": CalendarDay.objects.order_by("-day")[:60],
        "known": sorted(workdays.known_years()),
        "provisional": [
            (y, sorted(workdays.statutory_holidays(y).items()))
            for y in sorted(workdays.provisional_years())
            if y >= timezone.localdate().year
        ],
        "error": error,
        "is_admin": acting_user(request).role == Role.ADMIN,
    }
    return render(request, "catalog/calendar.html", context)
