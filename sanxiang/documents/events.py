"""The ledger event types this app writes (registered from its AppConfig)."""

from sanxiang.ledger.registry import EventType

EVENT_TYPES = (
    EventType("document.issued", "制发文书", timeline=True),
    EventType("document.downloaded", "下载文书", timeline=False),
    EventType("document.step_requirement_added", "增设环节文书要求", timeline=False),
    EventType("document.step_requirement_ended", "停用环节文书要求", timeline=False),
)
