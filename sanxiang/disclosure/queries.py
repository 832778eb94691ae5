"""Reads of the publication queue, the published decisions and the 年报 status."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connections, router, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from sanxiang.directory.models import Agency
from sanxiang.lib import workdays
from sanxiang.lib.errors import ValidationFailed

from .drafting import search_fold
from .models import AnnualReport, Publication, PublicationRule, PublicationStatus

PAGE_SIZE = 20
# Counting every match of a broad search over a million rows costs more than the page itself;
# past this many the portal says "more than N" and asks for a narrower search.
COUNT_CAP = 10_000
# Only what the public may see of a publication (never source_text).
PUBLIC_FIELDS = (
    "id",
    "agency_id",
    "status",
    "category",
    "procedure",
    "doc_number",
    "party",
    "matter_name",
    "outcome",
    "agency_name",
    "decided_on",
    "amount",
    "published_at",
    "ends_on",
)


def published() -> QuerySet[Publication]:
    return Publication.objects.filter(status=PublicationStatus.PUBLISHED)


def latest_published(*, limit: int, agency_id: int | None = None) -> list[Publication]:
    rows = published().only(*PUBLIC_FIELDS)
    if agency_id is not None:
        rows = rows.filter(agency_id=agency_id)
    return list(rows.order_by("-decided_on", "-id")[:limit])


@dataclass(frozen=True)
class SearchQuery:
    """A parsed public search. ``text`` matches party, matter, 文号 and the masked text."""

    text: str = ""
    agency_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    @classmethod
    def parse(cls, params: dict[str, str]) -> SearchQuery:
        def day(name: str, label: str) -> date | None:
            raw = params.get(name, "").strip()
            if not raw:
                return None
            try:
                return date.fromisoformat(raw)
            except ValueError:
                raise ValidationFailed(f"{label}格式应为 2026-01-31。", field=name) from None

        agency = params.get("agency", "").strip()
        if agency and not agency.isdigit():
            raise ValidationFailed("执法主体参数无效。", field="agency")
        query = cls(
            text=" ".join(params.get("q", "").split())[:100],
            agency_id=int(agency) if agency else None,
            date_from=day("from", "起始日期"),
            date_to=day("to", "截止日期"),
        )
        if query.date_from and query.date_to and query.date_from > query.date_to:
            raise ValidationFailed("起始日期不能晚于截止日期。", field="from")
        return query

    def words(self) -> list[str]:
        """The folded words, each once, in a fixed order: every word must match (AND), so
        their order and repetition change nothing and one page serves every spelling."""
        return sorted(set(search_fold(self.text).split()))

    def cache_params(self) -> dict[str, str]:
        """What a cached result page is keyed by: every parameter the search reads."""
        return {**self.as_params(), "q": " ".join(self.words())}

    def as_params(self) -> dict[str, str]:
        params = {
            "q": self.text,
            "agency": str(self.agency_id or ""),
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
        }
        return {k: v for k, v in params.items() if v}


def search(query: SearchQuery) -> QuerySet[Publication]:
    """Published decisions matching ``query``, newest first.

    ``search_text`` is stored folded (``search_fold``), so a plain ``contains`` (LIKE) serves
    Chinese and Latin alike. On PostgreSQL a word of three characters or more is answered by
    the pg_trgm GIN index (migration 0002). A word of one or two characters has no trigram:
    PostgreSQL walks the published decisions newest first (``publication_list_idx``) and stops
    at the page's 21st match, which is quick for a common word (a surname, 罚款) and a full
    scan for a rare one; the portal caches each result page (portal_cache) so a repeated search
    does not pay again, and the page tells the visitor that three characters search faster.
    The portal's result pages take another road for such words (``result_page``).
    """
    rows = published().only(*PUBLIC_FIELDS)
    for word in query.words():
        rows = rows.filter(search_text__contains=word)
    if query.agency_id is not None:
        rows = rows.filter(agency_id=query.agency_id)
    if query.date_from:
        rows = rows.filter(decided_on__gte=query.date_from)
    if query.date_to:
        rows = rows.filter(decided_on__lte=query.date_to)
    return rows.order_by("-decided_on", "-id")


# Deep OFFSETs cost a scan each; past this page the portal asks for a narrower search.
MAX_PAGE = COUNT_CAP // PAGE_SIZE


@dataclass(frozen=True)
class ResultPage:
    """One page of results without counting them all: a count over a million rows costs more
    than the page itself. ``total`` is known exactly when the results end on this page."""

    items: list[Publication]
    number: int
    has_next: bool
    total: int | None
    moved: str = ""  # why another page than the one asked for is shown

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def _slice(rows: QuerySet[Publication], number: int) -> list[Publication]:
    start = (number - 1) * PAGE_SIZE
    return list(rows[start : start + PAGE_SIZE + 1])


def page_number(raw_page: str | None) -> int:
    """The page asked for: garbage gives the first; capped at ``MAX_PAGE`` by ``page_of``."""
    raw = (raw_page or "").strip()
    if not (raw.isascii() and raw.isdigit()):
        return 1
    return MAX_PAGE + 1 if len(raw) > 9 else max(1, int(raw))


def page_of(rows: QuerySet[Publication], raw_page: str | None) -> ResultPage:
    """A page; a number past the last gives the last page, garbage gives the first."""
    return _page(
        lambda number: _slice(rows, number),
        lambda: rows[: MAX_PAGE * PAGE_SIZE].count(),
        raw_page,
    )


def _page(
    fetch: Callable[[int], list[Publication]], count: Callable[[], int], raw_page: str | None
) -> ResultPage:
    number = page_number(raw_page)
    moved = ""
    if number > MAX_PAGE:
        number, moved = MAX_PAGE, f"最多显示前{MAX_PAGE}页，请缩小检索范围。"
    items = fetch(number)
    if not items and number > 1:
        found = count()
        number = max(1, -(-found // PAGE_SIZE))
        moved = f"所请求的页码不存在，已显示最后一页（第 {number} 页）。"
        items = fetch(number)
    has_next = len(items) > PAGE_SIZE and number < MAX_PAGE
    items = items[:PAGE_SIZE]
    total = None if has_next else (number - 1) * PAGE_SIZE + len(items)
    return ResultPage(items=items, number=number, has_next=has_next, total=total, moved=moved)


def result_page(query: SearchQuery, raw_page: str | None) -> ResultPage:
    """The portal's page of ``search(query)``. On PostgreSQL a word of one or two characters
    (no trigram) is answered in two steps, each of which an index makes cheap:

    1. the newest ``SHORT_WINDOW`` decisions that pass the other conditions are walked in
       order (``publication_list_idx``): a common word (a surname, 罚款) fills the page here;
    2. otherwise the window's share of matches tells which road reads fewer rows: walking on
       (the page's rows divided by that share) or looking the word up in the pairs index of
       migration 0008 (that share of all decisions), and the planner is told which — it
       would choose from its estimate of a LIKE, which for such words is no estimate at all.
       A word common in old decisions and absent from recent ones is the costly case: it is
       looked up and every decision containing it is read.

    Either way the result is exactly ``search(query)``'s rows, in its order."""
    rows = search(query)
    short = [w for w in query.words() if len(w) < 3]
    db = router.db_for_read(Publication)
    if not short or connections[db].vendor != "postgresql":
        return page_of(rows, raw_page)

    def fetch(number: int) -> list[Publication]:
        ids = _short_word_ids(query, db, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE + 1)
        found = rows.filter(pk__in=ids).in_bulk()
        return [found[pk] for pk in ids if pk in found]

    def count() -> int:
        return len(_short_word_ids(query, db, offset=0, limit=MAX_PAGE * PAGE_SIZE))

    return _page(fetch, count, raw_page)


# How many of the newest decisions (by the other conditions) step 1 reads; what a row found
# through the pairs index costs against a row walked in the list index (measured at 1M rows:
# a random heap page and the recheck of the wide, TOASTed search_pairs against the next row).
SHORT_WINDOW = 5000
LOOKUP_COST = 10


def _like(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _short_word_ids(query: SearchQuery, db: str, *, offset: int, limit: int) -> list[int]:
    base: list[str] = ["status = 'published'"]
    params: list[int | date | str] = []
    if query.agency_id is not None:
        base.append("agency_id = %s")
        params.append(query.agency_id)
    if query.date_from:
        base.append("decided_on >= %s")
        params.append(query.date_from)
    if query.date_to:
        base.append("decided_on <= %s")
        params.append(query.date_to)
    words = query.words()
    text = " AND ".join("search_text LIKE %s" for _ in words)
    text_params = [f"%{_like(w)}%" for w in words]
    where = " AND ".join(base)
    order = "ORDER BY decided_on DESC, id DESC"
    needed = offset + limit
    # The newest decisions in order, then the words: the inner query is walked in the list
    # index and the outer LIMIT stops it at the page's last row (OFFSET 0 keeps PostgreSQL from
    # merging the two, after which it would sort every match instead of walking).
    walk = (
        f"SELECT id FROM (SELECT id, decided_on, search_text FROM disclosure_publication "  # noqa: S608 - constant SQL, values are parameters
        f"WHERE {where} {order} INNER) w WHERE {text} {order} LIMIT %s OFFSET %s"
    )
    with transaction.atomic(using=db), connections[db].cursor() as cur:
        cur.execute("SET LOCAL max_parallel_workers_per_gather = 0")  # 50 at once: no workers
        cur.execute("SET LOCAL jit = off")  # compiling costs more than these queries
        window = walk.replace("INNER", "LIMIT %s")
        cur.execute(window, [*params, SHORT_WINDOW, *text_params, needed, 0])
        ids = [row[0] for row in cur.fetchall()]
        if len(ids) >= needed:
            return _reset(cur, ids[offset:])
        cur.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM disclosure_publication "  # noqa: S608 - constant SQL, values are parameters
            f"WHERE {where} LIMIT %s) w",
            [*params, SHORT_WINDOW],
        )
        if cur.fetchone()[0] < SHORT_WINDOW:
            # the window held every decision the other conditions allow
            return _reset(cur, ids[offset:])
        # Rows each road reads: walking on, the rows until the page is full at the window's
        # rate of matches; looking up, every decision with the word (that rate times all).
        share = max(len(ids), 1) / SHORT_WINDOW
        cur.execute("SELECT reltuples FROM pg_class WHERE relname = 'disclosure_publication'")
        total = max(float(cur.fetchone()[0]), SHORT_WINDOW)
        if LOOKUP_COST * share * total >= needed / share:
            cur.execute("SET LOCAL enable_seqscan = off")
            cur.execute(walk.replace("INNER", "OFFSET 0"), [*params, *text_params, limit, offset])
            return _reset(cur, [row[0] for row in cur.fetchall()])
        pairs = " AND ".join("search_pairs LIKE %s" for w in words if len(w) < 3)
        pair_params = [
            f"% {_like(w)} %" if len(w) == 2 else f"% {_like(w)}%" for w in words if len(w) < 3
        ]
        cur.execute("SET LOCAL enable_indexscan = off")  # look the word up in the pairs
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute(
            f"SELECT id FROM disclosure_publication WHERE {where} AND {pairs} AND {text} "  # noqa: S608 - constant SQL, values are parameters
            f"{order} LIMIT %s OFFSET %s",
            [*params, *pair_params, *text_params, limit, offset],
        )
        return _reset(cur, [row[0] for row in cur.fetchall()])


def _reset(cur: Any, found: list[int]) -> list[int]:
    """In case the search ran in a savepoint of a longer transaction: the planner as it was."""
    for setting in ("enable_indexscan", "enable_seqscan", "max_parallel_workers_per_gather", "jit"):
        cur.execute(f"RESET {setting}")
    return found


def public_item(pk: int) -> Publication:
    """A publication as the portal may show it: published, or withdrawn (with its notice)."""
    item = (
        Publication.objects.filter(
            pk=pk, status__in=[PublicationStatus.PUBLISHED, PublicationStatus.WITHDRAWN]
        )
        .select_related("ledger_entry")
        .defer("source_text", "search_text")
        .first()
    )
    if item is None:
        raise Http404("未找到该公示信息，或已超过公示期限。")
    return item


# --- staff queue -------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    item: Publication
    level: str  # "red", "yellow" or ""
    note: str


def warning_for(item: Publication, rule_warn_days: int, today: date) -> tuple[str, str]:
    """Yellow before the due date, red after it; the 3-day withdrawal clock likewise."""
    if item.status == PublicationStatus.PUBLISHED and item.withdraw_due_on:
        if today > item.withdraw_due_on:
            return "red", f"撤回已超期（应于{item.withdraw_due_on:%Y-%m-%d}前撤回）"
        return "yellow", f"决定已变更/撤销，须于{item.withdraw_due_on:%Y-%m-%d}前撤回"
    if item.status != PublicationStatus.QUEUED:
        return "", ""
    return clock_warning(item.due_on, rule_warn_days, today, gap_year=item.calendar_gap_year)


def clock_warning(
    due_on: date | None, warn_days: int, today: date, *, gap_year: int | None = None
) -> tuple[str, str]:
    """The queue's rule for any publication clock: red past the due date (or when the calendar
    lacks its year), yellow within ``warn_days`` working days of it. Other apps' clocks (双随机
    results) use it too, so that every 公示 deadline warns alike."""
    if due_on is None:
        return "red", f"工作日历缺少{gap_year}年，无法计算公示期限"
    if today > due_on:
        return "red", f"已超过公示期限（{due_on:%Y-%m-%d}）"
    try:
        near = workdays.working_days_between(today, due_on) <= warn_days
    except workdays.CalendarGap as gap:
        return "yellow", str(gap)
    if near:
        return "yellow", f"即将到期（{due_on:%Y-%m-%d}）"
    return "", ""


@dataclass(frozen=True)
class OtherClock:
    """A publication clock kept by an app above disclosure (双随机 results), shown in the queue
    with the same warning (``clock_warning``) beside the decisions."""

    kind: str  # e.g. 双随机抽查结果
    subject: str
    url: str
    due_on: date | None
    level: str
    note: str


ClockSource = Callable[[set[int], date], list[OtherClock]]
_clock_sources: list[ClockSource] = []


def register_clock_source(fn: ClockSource) -> ClockSource:
    """``fn(agency_ids, today)``: the app's items waiting to be published (disclosure imports
    none of them)."""
    if fn not in _clock_sources:
        _clock_sources.append(fn)
    return fn


def other_clocks(agency_ids: set[int], today: date) -> list[OtherClock]:
    rows = [row for fn in _clock_sources for row in fn(agency_ids, today)]
    return sorted(rows, key=lambda r: (r.due_on is not None, r.due_on or today))


def warn_days_by_agency(agency_ids: Iterable[int]) -> dict[tuple[int, str], int]:
    rules = PublicationRule.objects.filter(agency_id__in=list(agency_ids))
    return {(r.agency_id, r.category): r.warn_days for r in rules}


DEFAULT_WARN_DAYS = 3


def queue_for(agency_ids: set[int], today: date) -> list[QueueRow]:
    """The staff queue: items waiting to be published and published items to withdraw."""
    rows = (
        Publication.objects.filter(agency_id__in=agency_ids)
        .filter(
            Q(status=PublicationStatus.QUEUED)
            | Q(status=PublicationStatus.PUBLISHED, withdraw_due_on__isnull=False)
        )
        .select_related("case")
        .defer("source_text", "search_text", "masked_text")
        .order_by("due_on", "pk")
    )
    warn = warn_days_by_agency(agency_ids)
    result = []
    for item in rows:
        level, note = warning_for(
            item, warn.get((item.agency_id, item.category), DEFAULT_WARN_DAYS), today
        )
        result.append(QueueRow(item=item, level=level, note=note))
    return result


# --- annual report status ----------------------------------------------------------------------


@dataclass(frozen=True)
class ReportStatus:
    agency: Agency
    year: int
    state: str  # on_time / late / missing / pending
    label: str
    published_at: object | None


def report_deadline(year: int) -> date:
    """Last year's statistics are due by 31 January (国办发〔2018〕118号; seed §四(一)4(4))."""
    return date(year + 1, 1, 31)


def report_status_for(bodies: list[Agency], today: date) -> list[ReportStatus]:
    year = today.year - 1
    deadline = report_deadline(year)
    reports = {
        r.agency_id: r
        for r in AnnualReport.objects.filter(
            agency_id__in=[b.pk for b in bodies], year=year, published_at__isnull=False
        )
    }
    result = []
    for body in bodies:
        report = reports.get(body.pk)
        if report is not None and report.published_at is not None:
            on_time = timezone.localtime(report.published_at).date() <= deadline
            state, label = ("on_time", "按时发布") if on_time else ("late", "逾期发布")
        elif today > deadline:
            state, label = "missing", "逾期未发布"
        else:
            state, label = "pending", f"应于{deadline:%Y年%-m月%-d日}前发布"
        result.append(
            ReportStatus(
                agency=body,
                year=year,
                state=state,
                label=label,
                published_at=report.published_at if report else None,
            )
        )
    return result
