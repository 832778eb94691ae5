"""The ledger event types this app writes (registered from its AppConfig)."""

from sanxiang.ledger.registry import EventType

EVENT_TYPES = (
    EventType("review.catalogue_published", "发布法制审核目录", timeline=False),
    EventType("review.marked_major", "认定为重大执法决定", timeline=True),
    EventType("review.flagged_major", "标记为重大执法决定", timeline=True),
    EventType("review.submitted", "提交法制审核", timeline=True),
    EventType("review.resubmitted", "重新提交法制审核", timeline=True),
    EventType("review.assigned", "指派审核人员", timeline=True),
    EventType("review.reassigned", "改派审核人员", timeline=True),
    EventType("review.opinion", "出具法制审核意见", timeline=True),
    EventType("review.escalated", "提请集体讨论", timeline=True),
    EventType("review.deadline_extended", "延长审核期限", timeline=True),
    EventType("review.disputed", "对审核意见提出异议", timeline=True),
    EventType("review.discussion", "集体讨论决定", timeline=True),
    # 行政处罚法 第57条第2款: the heads' 集体讨论 of a case, from the case page (collective.py).
    EventType("review.collective_discussion", "负责人集体讨论", timeline=True),
    EventType("review.gate_passed", "法制审核把关通过", timeline=True),
)
