"""The ledger event types this app writes (registered from its AppConfig)."""

from sanxiang.ledger.registry import EventType

EVENT_TYPES = (
    EventType("matter.created", "新增执法事项", timeline=False),
    EventType("matter.revised", "修订执法事项", timeline=False),
    EventType("calendar.year_recorded", "录入年度节假日安排", timeline=False),
    EventType("calendar.deadlines_recomputed", "重新计算期限", timeline=False),
)
