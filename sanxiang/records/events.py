"""The ledger event types this app writes (registered from its AppConfig)."""

from sanxiang.ledger.registry import EventType

EVENT_TYPES = (
    EventType("record.added", "添加全过程记录", timeline=True),
    EventType("record.accessed", "调阅记录", timeline=True),
    EventType("record.access_requested", "申请调阅", timeline=True),
    EventType("record.access_decided", "审批调阅申请", timeline=True),
    EventType("records.av_requirement_added", "新增音像记录事项", timeline=False),
    EventType("records.av_requirement_retired", "停用音像记录事项", timeline=False),
)
