"""The ledger event types this app writes (registered from its AppConfig)."""

from sanxiang.ledger.registry import EventType

EVENT_TYPES = (
    EventType("exchange.client_created", "新增接入方", timeline=False),
    EventType("exchange.client_revoked", "停用接入方", timeline=False),
    EventType("exchange.transfer_received", "收到移送/交办", timeline=False),
    EventType("exchange.transfer_handled", "办理移送/交办", timeline=False),
    EventType("exchange.endpoint_created", "新增推送端点", timeline=False),
    EventType("exchange.endpoint_switched", "切换推送端点", timeline=False),
    EventType("exchange.message_requeued", "重新推送消息", timeline=False),
)
