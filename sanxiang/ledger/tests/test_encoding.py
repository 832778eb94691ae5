"""The fast leaf encoding used by verify_ledger gives exactly the canonical bytes."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from sanxiang.ledger.encoding import fast_leaf_input, leaf_input, timestamp_text

ints = st.none() | st.integers(min_value=-(2**62), max_value=2**62)


@given(
    actor=ints,
    label=st.text(),
    agency=ints,
    case=ints,
    event=st.text(),
    payload_hash=st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
)
def test_fast_leaf_input_equals_the_canonical_json(actor, label, agency, case, event, payload_hash):
    t = "2026-11-29T15:35:35.123456Z"
    expected = leaf_input(
        created_at=t,
        actor_id=actor,
        actor_label=label,
        agency_id=agency,
        case_id=case,
        event_type=event,
        payload_hash=payload_hash,
    )
    assert fast_leaf_input(t, actor, label, agency, case, event, payload_hash) == expected


def test_timestamp_text_is_utc_with_microseconds_even_when_they_are_zero():
    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert timestamp_text(moment) == "2026-01-02T03:04:05.000000Z"
