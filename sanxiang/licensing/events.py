"""The ledger event types this app writes (registered from its AppConfig)."""

from sanxiang.ledger.registry import EventType

EVENT_TYPES = (EventType("licence.terms_set", "登记许可证件信息", timeline=True),)
