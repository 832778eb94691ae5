"""The ledger event types this app writes (registered from its AppConfig)."""

from sanxiang.ledger.registry import EventType

EVENT_TYPES = (
    EventType("inspection.target_saved", "登记检查对象"),
    EventType("inspection.targets_imported", "导入检查对象名录"),
    EventType("inspection.conflict_declared", "申报回避情形"),
    EventType("inspection.plan_saved", "拟定抽查计划"),
    # The seed of round 1 comes from the first checkpoint containing this entry (docs/draw.md).
    EventType("inspection.plan_frozen", "冻结抽查计划和名录"),
    # ... and the seed of round 2, 3, ... from the first checkpoint containing this one.
    EventType("inspection.redraw_requested", "申请重新抽取"),
    EventType("inspection.drawn", "随机抽取检查对象和检查人员"),
    EventType("inspection.started", "开展抽查检查", timeline=True),
    EventType("inspection.result_recorded", "录入抽查结果", timeline=True),
    EventType("inspection.follow_up_recorded", "录入整改复查情况", timeline=True),
)
