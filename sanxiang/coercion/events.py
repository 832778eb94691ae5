"""The ledger event types this app writes (registered from its AppConfig)."""

from sanxiang.ledger.registry import EventType

EVENT_TYPES = (
    # 行政强制法 第24条: the 清单's items (the payload holds the whole list).
    EventType("coercion.items_set", "登记查封扣押清单", timeline=True),
    # 第28条: the release and its ground; 第27条: the goods confiscated by a decision.
    EventType("coercion.released", "决定解除查封扣押", timeline=True),
    EventType("coercion.confiscated", "查封扣押财物依法没收", timeline=True),
    # 第19条: carried out on the spot, reported to the head.
    EventType("coercion.on_spot_reported", "当场实施行政强制措施报告", timeline=True),
)
