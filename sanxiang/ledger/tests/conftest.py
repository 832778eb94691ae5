"""The ledger's own tests write entries of made-up types; declare them like an app would."""

from sanxiang.ledger.registry import EventType, register

register(
    EventType("x", "测试事件"),
    EventType("test.event", "测试事件", timeline=True),
    EventType("test.concurrent", "并发测试事件"),
    EventType("test.after_commit", "提交后测试事件"),
    EventType("test.rolled_back", "回滚测试事件"),
    EventType("case.other", "测试事件", timeline=True),
)
