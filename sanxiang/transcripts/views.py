"""Pages of a 笔录: new, edit, the signing page (a canvas per person), seal, the sealed view."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from sanxiang.accounts.decorators import acting_user, staff_view
from sanxiang.documents import queries as document_queries
from sanxiang.lib.errors import HTTP_STATUS, DomainError

from . import form, forms, queries, rights, services
from .models import Role


@require_http_methods(["GET", "POST"])
@staff_view
def new(request: HttpRequest, case_id: int) -> HttpResponse:
    actor = acting_user(request)
    case = document_queries.case_for(actor, case_id, issue=True)
    kind = request.POST.get("kind") or request.GET.get("kind") or "inquiry_record"
    error = None
    if request.method == "POST":
        try:
            data = forms.parse(request.POST, kind=kind)
            t = services.create_transcript(actor=actor, case_id=case.pk, data=data)
            return redirect("transcripts:detail", pk=t.pk)
        except DomainError as refused:
            if refused.code in {"not_found", "forbidden"}:
                raise
            error = refused
    post = request.POST if request.method == "POST" else None
    context = {**forms.page_context(case, None, post), "kind": kind, "error": error}
    return render(request, "transcripts/edit.html", context, status=422 if error else 200)


@require_http_methods(["GET", "POST"])
@staff_view
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = acting_user(request)
    t = queries.transcript_for(actor, pk, write=True)
    if t.is_sealed:
        raise DomainError("record_signed", services.SIGNED)
    error = None
    if request.method == "POST":
        try:
            data = forms.parse(request.POST, kind=t.kind)
            services.update_transcript(actor=actor, transcript_id=t.pk, data=data)
            return redirect("transcripts:detail", pk=t.pk)
        except DomainError as refused:
            if refused.code in {"not_found", "forbidden"}:
                raise
            error = refused
    post = request.POST if request.method == "POST" else None
    context = {**forms.page_context(t.case, t, post), "kind": t.kind, "error": error}
    return render(request, "transcripts/edit.html", context, status=422 if error else 200)


@staff_view
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = acting_user(request)
    t = queries.transcript_for(actor, pk)
    try:
        queries.transcript_for(actor, pk, write=True)
        may_write = not t.is_sealed
    except DomainError:
        may_write = False
    people = queries.people_of(t)
    context = {
        "t": t,
        "case": t.case,
        "people": people,
        "witnesses": [p for p in people if p.role == Role.WITNESS and not p.refused],
        "told": [r for r in rights.RIGHTS if r.code in t.rights],
        "time_text": form.time_text(t),
        "may_write": may_write,
    }
    return render(request, "transcripts/detail.html", context)


@require_http_methods(["GET", "POST"])
@staff_view
def sign(request: HttpRequest, pk: int, participant_id: int) -> HttpResponse:
    """GET: the full-screen canvas; POST: the drawn PNG (``signature`` file), JSON answer."""
    actor = acting_user(request)
    t = queries.transcript_for(actor, pk, write=True)
    if request.method == "GET":
        person = t.participants.filter(pk=participant_id).first()
        if person is None:
            raise DomainError("not_found", queries.NOT_FOUND)
        if t.is_sealed or person.is_done:
            return redirect("transcripts:detail", pk=t.pk)
        return render(request, "transcripts/sign.html", {"t": t, "person": person})
    upload = request.FILES.get("signature")
    png = upload.read(services.MAX_SIGNATURE_READ) if upload is not None else b""
    try:
        services.sign(actor=actor, transcript_id=t.pk, participant_id=participant_id, png=png)
    except DomainError as refused:
        body = {"error": {"code": refused.code, "message": refused.message}}
        return JsonResponse(body, status=HTTP_STATUS.get(refused.code, 400))
    return JsonResponse({"next": f"/transcripts/{t.pk}/"})


@require_POST
@staff_view
def refuse(request: HttpRequest, pk: int, participant_id: int) -> HttpResponse:
    witness = request.POST.get("witness", "")
    services.refuse(
        actor=acting_user(request),
        transcript_id=pk,
        participant_id=participant_id,
        witness_id=int(witness) if witness.isdigit() else None,
    )
    return redirect("transcripts:detail", pk=pk)


@require_POST
@staff_view
def seal(request: HttpRequest, pk: int) -> HttpResponse:
    services.seal(actor=acting_user(request), transcript_id=pk)
    return redirect("transcripts:detail", pk=pk)
