"""The ledger event types this app writes (registered from its AppConfig)."""

from sanxiang.ledger.registry import EventType

EVENT_TYPES = (
    EventType("applicant.link_created", "生成当事人专用链接", timeline=True),
    EventType("applicant.link_revoked", "撤销当事人专用链接", timeline=True),
    # Every use of a link (each page, each download) is one entry: who looked, at what.
    EventType("applicant.link_used", "当事人使用专用链接", timeline=False),
    # A link bound to the browser of its first use, in that use's transaction (services.py).
    EventType("applicant.link_bound", "专用链接绑定首次使用的浏览器", timeline=False),
    # A link bound again to another browser by its party's second factor (services.py).
    EventType("applicant.link_rebound", "当事人凭证件号码在新设备上使用专用链接", timeline=True),
    # A progress query answered by case number and second factor (refused tries are only
    # counted in ProgressAttempt, so a flood cannot fill the ledger).
    EventType("applicant.progress_viewed", "当事人查询办理进度", timeline=False),
    EventType("applicant.defence_submitted", "当事人在线提交陈述申辩", timeline=True),
    # 网上受理 (intake.py): the submission opens the case; the receipt PDF's hash follows.
    EventType("applicant.application_submitted", "申请人网上提交申请", timeline=True),
    EventType("applicant.receipt_issued", "生成网上申请接收凭证", timeline=False),
    # 补正 online (supplements.py): prepared by staff, issued with the step, answered online.
    EventType("applicant.supplement_prepared", "拟定补正内容", timeline=False),
    EventType("applicant.supplement_issued", "一次告知补正内容", timeline=True),
    EventType("applicant.supplement_answered", "申请人在线提交补正材料", timeline=True),
    EventType("applicant.material_viewed", "查看网上申请材料", timeline=False),
    # 听证 requested through the link (hearing.py).
    EventType("applicant.hearing_requested", "当事人在线要求听证", timeline=True),
    # 电子送达 (delivery.py): consent on record, a document sent, and its receipt (the 送达).
    EventType("applicant.delivery_consented", "登记当事人同意电子送达", timeline=True),
    EventType("applicant.delivery_sent", "电子送达文书", timeline=True),
    EventType("applicant.delivery_received", "电子送达文书已送达当事人", timeline=True),
)
