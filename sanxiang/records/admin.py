"""Read-only admin: records are write-once, so the admin can neither change nor delete them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Access, AccessRequest, Record


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Record)
class RecordAdmin(ReadOnlyAdmin):
    list_display = ["title", "case", "evidence_type", "media_kind", "label", "size", "uploaded_at"]
    list_filter = ["media_kind", "label"]
    search_fields = ["title", "sha256"]


@admin.register(Access)
class AccessAdmin(ReadOnlyAdmin):
    list_display = ["record", "actor", "purpose", "at", "ledger_entry_id"]


@admin.register(AccessRequest)
class AccessRequestAdmin(ReadOnlyAdmin):
    list_display = ["record", "requester", "status", "requested_at", "decided_by"]
