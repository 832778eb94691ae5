"""The ledger event types this app writes (registered from its AppConfig)."""

from sanxiang.ledger.registry import EventType

EVENT_TYPES = (
    EventType("transcript.created", "制作笔录", timeline=True),
    EventType("transcript.updated", "修改笔录", timeline=True),
    EventType("transcript.signed", "笔录签名", timeline=True),
    EventType("transcript.refused", "笔录拒签", timeline=True),
    EventType("transcript.sealed", "笔录签署封存", timeline=True),
)
