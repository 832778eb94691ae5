"""The ledger event types this app writes (registered from its AppConfig).

The aliases are the kinds of the retired ``CaseEvent`` timeline table, still readable.
Schema 2 of ``case.opened`` and ``case.transition``: the payload carries the deadline clocks the
stage started and stopped (``clocks``; 立案 also its ``stage``), so the clocks can be rebuilt
from the ledger (``clocks.py``). Schema 1 entries lack them and are not replayed for clocks.
"""

from sanxiang.ledger.registry import EventType

EVENT_TYPES = (
    EventType("case.opened", "立案", timeline=True, schema=2, aliases=("opened",)),
    EventType("case.transition", "办理步骤", timeline=True, schema=2, aliases=("transition",)),
    EventType("case.draft_saved", "保存决定草稿", timeline=True, aliases=("draft_saved",)),
    EventType("case.deadline_paused", "期限暂停", timeline=True, aliases=("deadline_paused",)),
    EventType("case.deadline_resumed", "期限恢复", timeline=True, aliases=("deadline_resumed",)),
    # 行政许可法 第42条, 行政强制法 第25条: the head extends a clock once (services/extensions.py).
    EventType("case.deadline_extended", "批准延长期限", timeline=True),
    EventType("case.recusal_requested", "申请回避", timeline=True, aliases=("recusal_requested",)),
    EventType("case.recusal_decided", "回避决定", timeline=True, aliases=("recusal_decided",)),
    EventType("case.member_added", "增加办案人员", timeline=True, aliases=("member_added",)),
    # 结案 (closing.py): the officer asks, the head closes (case.transition) or sends it back.
    EventType("case.closing_requested", "报请结案", timeline=True),
    EventType("case.closing_returned", "退回结案申请", timeline=True),
    EventType("case.defence_recorded", "陈述申辩、听证权利", timeline=True),
    # 行政处罚法 第64条: the hearing's time, place and presiding officer (cases/hearings.py).
    EventType("case.hearing_scheduled", "安排听证", timeline=True),
    # 行政处罚法 第27条: the organ a case is handed to and why (cases/transfers.py).
    EventType("case.transfer_prepared", "拟移送司法机关", timeline=True),
    # 行政处罚法 第57条第1款: the ground of a 不予处罚 and why (cases/no_penalty.py).
    EventType("case.no_penalty_prepared", "拟不予行政处罚", timeline=True),
    # Execution (cases/services/execution.py): a payment from its 缴款书 (the payload carries
    # the 缴纳罚款 clock it stopped), and 延期/分期, 申请强制执行, 执行完毕, 终结执行.
    EventType("case.payment_recorded", "登记缴款", timeline=True),
    EventType("case.execution_recorded", "执行情况", timeline=True),
    # Parties, agents and witnesses (cases/services/parties.py): each carries the row's state.
    EventType("case.party_added", "增加当事人", timeline=True),
    EventType("case.party_changed", "修改当事人信息", timeline=True),
    EventType("case.party_corrected", "更正当事人信息", timeline=True),
    EventType("case.party_removed", "删除当事人", timeline=True),
    EventType("case.agent_appointed", "登记委托代理人", timeline=True),
    EventType("case.agent_withdrawn", "解除委托代理", timeline=True),
    EventType("case.witness_added", "登记证人、见证人", timeline=True),
    EventType("cases.deadline_setting_saved", "保存期限设置", timeline=False),
    EventType("cases.benchmark_saved", "保存裁量基准", timeline=False),
)
