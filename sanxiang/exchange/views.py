"""Staff pages of 数据交换: the 移送/交办 inbox, API keys, push endpoints, the outbox, 双公示."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from sanxiang.accounts.decorators import acting_user, staff_view
from sanxiang.accounts.models import Role
from sanxiang.accounts.queries import require_role, visible_agencies, visible_agency_ids
from sanxiang.directory.models import AgencyLevel
from sanxiang.lib.errors import DomainError, ValidationFailed
from sanxiang.workbench.forms import StyledForm

from . import exports, outbox, queries, services
from .forms import ClientForm, EndpointForm, HandleForm
from .models import ApiClient, Endpoint, MessageStatus, OutboxMessage

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _invalid(form: StyledForm) -> ValidationFailed:
    field, errors = next(iter(form.errors.items()))
    label = form.fields[field].label if field in form.fields else ""
    return ValidationFailed(f"{label}：{errors[0]}", field=field)


def _bodies(request: HttpRequest) -> list[tuple[int, str]]:
    return [
        (a.pk, a.name)
        for a in visible_agencies(request.user).exclude(level=AgencyLevel.UNIT).order_by("pk")
    ]


@staff_view
def inbox(request: HttpRequest) -> HttpResponse:
    items = queries.transfers_for(visible_agency_ids(request.user)).order_by("status", "-pk")[:100]
    return render(request, "exchange/inbox.html", {"items": items, "form": HandleForm()})


@staff_view
@require_POST
def handle(request: HttpRequest, pk: int) -> HttpResponse:
    form = HandleForm(request.POST)
    form.is_valid()
    item = services.handle_transfer(
        actor=acting_user(request),
        transfer_id=pk,
        accept=request.POST.get("action") == "accept",
        note=form.cleaned_data.get("note", ""),
    )
    messages.success(request, f"{item.get_status_display()}：{item.title}")
    return redirect("exchange:inbox")


@staff_view
def clients(request: HttpRequest) -> HttpResponse:
    require_role(request.user, Role.ADMIN)
    form = ClientForm(request.POST or None, agencies=_bodies(request))
    created = None
    if request.method == "POST":
        if not form.is_valid():
            raise _invalid(form)
        created = services.create_client(
            actor=acting_user(request), data=services.ClientData(**form.cleaned_data)
        )
        form = ClientForm(agencies=_bodies(request))
    context = {
        "form": form,
        "created": created,
        "clients": ApiClient.objects.prefetch_related("agencies")[:100],
        "uses": queries.recent_uses(30),
    }
    return render(request, "exchange/clients.html", context)


@staff_view
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    client = services.revoke_client(actor=acting_user(request), client_id=pk)
    messages.success(request, f"已吊销密钥 {client.key_id}")
    return redirect("exchange:clients")


@staff_view
def endpoints(request: HttpRequest) -> HttpResponse:
    require_role(request.user, Role.ADMIN)
    form = EndpointForm(request.POST or None, agencies=_bodies(request))
    created = None
    if request.method == "POST":
        if not form.is_valid():
            raise _invalid(form)
        created = outbox.create_endpoint(
            actor=acting_user(request), data=outbox.EndpointData(**form.cleaned_data)
        )
        form = EndpointForm(agencies=_bodies(request))
    counts = queries.outbox_counts()
    rows = [(e, counts.get(e.pk, {})) for e in Endpoint.objects.all()]
    context = {"form": form, "created": created, "rows": rows}
    return render(request, "exchange/endpoints.html", context)


@staff_view
@require_POST
def switch(request: HttpRequest, pk: int) -> HttpResponse:
    active = request.POST.get("active") == "1"
    endpoint = outbox.set_endpoint_active(actor=acting_user(request), endpoint_id=pk, active=active)
    if active:
        messages.success(request, f"已启用 {endpoint.name}：暂停期间的消息将按顺序补发")
    else:
        messages.success(request, f"已停用 {endpoint.name}：事件照常记录，启用后按顺序补发")
    return redirect("exchange:endpoints")


@staff_view
def messages_page(request: HttpRequest) -> HttpResponse:
    require_role(request.user, Role.ADMIN)
    status = request.GET.get("status", "")
    rows = OutboxMessage.objects.select_related("endpoint").order_by("-pk")
    if status in MessageStatus.values:
        rows = rows.filter(status=status)
    context = {
        "rows": rows[:200],
        "status": status,
        "statuses": MessageStatus.choices,
        "counts": queries.outbox_counts(),
    }
    return render(request, "exchange/messages.html", context)


@staff_view
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    message = outbox.retry_dead(actor=acting_user(request), message_id=pk)
    messages.success(request, f"消息 #{message.pk} 已重新排队投递")
    return redirect("exchange:messages")


def _year(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        raise ValidationFailed("年度应为数字。", field="year") from None


def _file(body: bytes, fmt: str, name: str) -> HttpResponse:
    kind = XLSX if fmt == "xlsx" else "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _format(fmt: str) -> None:
    if fmt not in ("csv", "xlsx"):
        raise DomainError("not_found", "只提供 CSV 或 XLSX 格式。")


@staff_view
def credit_file(request: HttpRequest, fmt: str) -> HttpResponse:
    """行政处罚 双公示 file of the year."""
    _format(fmt)
    year = _year(request)
    items = exports.published_in(visible_agency_ids(request.user), year)
    body = exports.credit_xlsx(items) if fmt == "xlsx" else exports.credit_csv(items)
    return _file(body, fmt, f"shuanggongshi-{year}")


@staff_view
def licence_file(request: HttpRequest, fmt: str) -> HttpResponse:
    """行政许可 双公示 file of the year (准予, 撤销, 撤回 with 当前状态)."""
    _format(fmt)
    year = _year(request)
    items = exports.licences_in(visible_agency_ids(request.user), year)
    body = exports.licence_xlsx(items) if fmt == "xlsx" else exports.licence_csv(items)
    return _file(body, fmt, f"shuanggongshi-xuke-{year}")
