"""The ledger event types this app writes (registered from its AppConfig)."""

from sanxiang.ledger.registry import EventType

EVENT_TYPES = (
    EventType("disclosure.queued", "列入公示计划", timeline=True),
    EventType("disclosure.excluded", "不予公示", timeline=True),
    # schema 2 (issue 10 item 11): the payload names the issued 决定书 the text was taken from
    # ("document", "document_content_sha256"); "text" in content_fields is its masked body.
    EventType("disclosure.published", "公示", timeline=True, schema=2),
    EventType("disclosure.revocation_recorded", "登记决定撤销", timeline=True),
    EventType("disclosure.withdrawn", "撤下公示", timeline=True),
    EventType("disclosure.expired", "公示期满", timeline=True),
    EventType("disclosure.mask_added", "增加脱敏遮盖", timeline=True),
    EventType("disclosure.mask_lifted", "解除脱敏遮盖", timeline=True),
    EventType("disclosure.mask_addition_undone", "撤销增加的遮盖", timeline=True),
    EventType("disclosure.rule_saved", "保存公示规则", timeline=False),
    EventType("disclosure.post_saved", "保存岗位公示", timeline=False),
    EventType("disclosure.report_narrative_saved", "保存年报说明", timeline=False),
    EventType("disclosure.report_published", "发布年度报告", timeline=False),
    EventType("disclosure.correction_reported", "收到公众纠错", timeline=True),
    EventType("disclosure.correction_answered", "答复公众纠错", timeline=True),
    EventType("disclosure.sample_saved", "保存申请材料示范文本", timeline=False),
    EventType("disclosure.report_fact_recorded", "登记复议、诉讼、强制执行等", timeline=True),
)
