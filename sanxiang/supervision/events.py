"""The ledger event types this app writes (registered from its AppConfig)."""

from sanxiang.ledger.registry import EventType

EVENT_TYPES = (
    EventType("supervision.notice_issued", "下发督办通知", timeline=True),
    EventType("supervision.notice_answered", "报送整改情况", timeline=True),
    EventType("supervision.notice_escalated", "督办逾期升级", timeline=True),
    EventType("supervision.notice_closed", "督办办结", timeline=True),
    EventType("supervision.file_reviewed", "案卷评查", timeline=True),
    EventType("supervision.file_review_completed", "案卷评查人工评分", timeline=True),
    EventType("supervision.handbook_compiled", "编制执法工作手册", timeline=False),
    EventType("supervision.handbook_filed", "执法工作手册报备", timeline=False),
    EventType("supervision.device_registered", "登记音像记录设备", timeline=False),
    EventType("supervision.device_status", "变更音像记录设备状态", timeline=False),
    EventType("supervision.review_batch_frozen", "冻结评查抽取名单", timeline=False),
    EventType("supervision.review_batch_drawn", "随机抽取评查案卷", timeline=False),
    EventType("supervision.training_recorded", "登记执法培训", timeline=False),
)
