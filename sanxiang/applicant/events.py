"""The ledger event types this app writes (registered from its AppConfig)."""

from sanxiang.ledger.registry import EventType

EVENT_TYPES = (
    EventType("applicant.link_created", "生成当事人专用链接", timeline=True),
    EventType("applicant.link_revoked", "撤销当事人专用链接", timeline=True),
    # Every use of a link (each page, each download) is one entry: who looked, at what.
    EventType("applicant.link_used", "当事人使用专用链接", timeline=False),
    # A progress query answered by case number and second factor (refused tries are only
    # counted in ProgressAttempt, so a flood cannot fill the ledger).
    EventType("applicant.progress_viewed", "当事人查询办理进度", timeline=False),
    EventType("applicant.defence_submitted", "当事人在线提交陈述申辩", timeline=True),
)
