from __future__ import annotations

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
from sanxiang.accounts.queries import require_agency_access, require_role, visible_agency_ids
from sanxiang.imports import respond
from sanxiang.lib.errors import DomainError

from . import queries, services, sheets
from .forms import AgencyForm, OfficerForm, officer_initial
from .models import Agency, Officer

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _officer_for(request: HttpRequest, pk: int) -> Officer:
    officer = Officer.objects.select_related("agency").filter(pk=pk).first()
    if officer is None or officer.agency_id not in visible_agency_ids(request.user):
        raise DomainError("not_found", "未找到该执法人员，或无权访问。")
    return officer


@staff_view
def agencies(request: HttpRequest) -> HttpResponse:
    scope = visible_agency_ids(request.user)
    rows = Agency.objects.filter(pk__in=scope).select_related("parent", "entrusted_by")
    today = timezone.localdate()
    bodies = [(a, queries.reviewer_ratio(a, on=today)) for a in rows if a.level == "department"]
    return render(request, "directory/agencies.html", {"agencies": rows, "bodies": bodies})


@staff_view
def agency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if pk not in visible_agency_ids(request.user):
        raise DomainError("not_found", "未找到该执法主体，或无权访问。")
    agency = Agency.objects.select_related("parent", "entrusted_by", "supervised_by").get(pk=pk)
    context = {
        "agency": agency,
        "units": agency.children.order_by("pk"),
        "officers": queries.officers_in({agency.pk}).order_by("pk"),
        "ratio": queries.reviewer_ratio(agency, on=timezone.localdate()),
    }
    return render(request, "directory/agency_detail.html", context)


@staff_view
def agency_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_role(request.user, Role.ADMIN)
    require_agency_access(request.user, pk, write=True)
    agency = Agency.objects.get(pk=pk)
    initial = {f: getattr(agency, f) for f in AgencyForm.base_fields}
    form = AgencyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_agency(
                actor=acting_user(request), agency_id=pk, data=form.to_data(agency)
            )
        except DomainError as err:
            form.add_error(err.field if err.field in form.fields else None, err.message)
        else:
            messages.success(request, "已保存。")
            return redirect("directory:agencies")
    return render(request, "directory/agency_form.html", {"form": form, "agency": agency})


@staff_view
def officers(request: HttpRequest) -> HttpResponse:
    scope = visible_agency_ids(request.user)
    rows = queries.officers_in(scope).order_by("agency_id", "pk")
    q = request.GET.get("q", "").strip()
    if q:
        rows = rows.filter(Q(name__contains=q) | Q(certificate_no__contains=q))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    today = timezone.localdate()
    items = [(o, o.certificate_state(today)) for o in page]
    context = {"page": page, "items": items, "q": q, "today": today}
    context["is_admin"] = acting_user(request).role == Role.ADMIN
    return render(request, "directory/officers.html", context)


@staff_view
def officer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    officer = _officer_for(request, pk)
    state = officer.certificate_state(timezone.localdate())
    return render(request, "directory/officer_detail.html", {"officer": officer, "state": state})


@staff_view
def officer_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require_role(request.user, Role.ADMIN)
    officer = _officer_for(request, pk) if pk else None
    scope = visible_agency_ids(request.user)
    initial = officer_initial(officer) if officer else {}
    form = OfficerForm(request.POST or None, initial=initial, scope=scope)
    if request.method == "POST" and form.is_valid():
        try:
            if officer:
                saved = services.update_officer(
                    actor=acting_user(request), officer_id=officer.pk, data=form.to_data()
                )
            else:
                saved = services.create_officer(actor=acting_user(request), data=form.to_data())
        except DomainError as err:
            form.add_error(err.field if err.field in form.fields else None, err.message)
        else:
            messages.success(request, f"已保存执法人员“{saved.name}”。")
            return redirect("directory:officer", pk=saved.pk)
    return render(request, "directory/officer_form.html", {"form": form, "officer": officer})


@staff_view
def officers_export(request: HttpRequest) -> HttpResponse:
    rows = list(queries.officers_in(visible_agency_ids(request.user)).order_by("agency_id", "pk"))
    return respond.xlsx_file(sheets.export_officers(rows), "officers.xlsx")


@require_POST
@staff_view
def officers_import(request: HttpRequest) -> HttpResponse:
    require_role(request.user, Role.ADMIN)
    scope = visible_agency_ids(request.user)
    return respond.import_sheet(
        request,
        back=reverse("directory:officers"),
        filename="officers",
        run=lambda data: sheets.import_officers(actor=acting_user(request), data=data, scope=scope),
    )
