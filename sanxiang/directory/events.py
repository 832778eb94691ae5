"""The ledger event types this app writes (registered from its AppConfig)."""

from sanxiang.ledger.registry import EventType

EVENT_TYPES = (
    EventType("agency.created", "新增执法主体", timeline=False),
    EventType("agency.updated", "修改执法主体", timeline=False),
    EventType("officer.created", "新增执法人员", timeline=False),
    EventType("officer.updated", "修改执法人员", timeline=False),
    EventType("officer.certificate_status", "执法证状态变更", timeline=False),
)
