"""A demo-like case sheet (兴隆台区民族和宗教事务局) for previews, tests and the benchmark."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from .sheet import CaseSheet, DraftSheet, Earlier, OfficerSheet, PartySheet


def demo_sheet(*, with_earlier: bool = True) -> CaseSheet:
    earlier = {
        "penalty_notice": Earlier(
            "行政处罚事先告知书", "兴民宗告字〔2026〕第1号", date(2026, 3, 20)
        ),
    }
    return CaseSheet(
        agency_name="兴隆台区民族和宗教事务局",
        agency_short="兴民宗",
        agency_address="辽宁省盘锦市兴隆台区兴隆台街（演示地址）",
        agency_phone="0427-2800001",
        review_body="兴隆台区人民政府",
        case_number="兴民宗立字〔2026〕第3号",
        case_title="盘锦某文化传播有限公司擅自组织公民出境参加宗教培训",
        matter_name="对擅自组织公民出境参加宗教方面的培训、会议、朝觐等活动的处罚",
        matter_basis="《宗教事务条例》第七十条",
        source_label="投诉举报",
        facts=(
            "2026年2月至3月，当事人未经批准，以“文化交流”名义组织12名公民出境参加宗教方面的培训，"
            "收取费用共计人民币36,000元。"
        ),
        opened_on=date(2026, 3, 2),
        decided_on=date(2026, 4, 8),
        parties=(
            PartySheet(
                kind="organisation",
                name="盘锦某文化传播有限公司",
                credit_code="91211103MA0Y12345X",
                legal_representative="王某",
                address="辽宁省盘锦市兴隆台区某路88号",
                phone="0427-2811111",
            ),
        ),
        officers=(OfficerSheet("王明", "21110300001"), OfficerSheet("李华", "21110300002")),
        payment_instructions="持本决定书及非税收入一般缴款书到中国工商银行盘锦兴隆台支行缴纳",
        draft=DraftSheet(
            kind="fine",
            kind_label="罚款",
            fine_amount=Decimal("20000.00"),
            legal_basis="《宗教事务条例》第七十条第一款",
            violated_provision="《宗教事务条例》第四十一条第二款",
            circumstance_label="一般",
            benchmark_min=Decimal("10000.00"),
            benchmark_max=Decimal("30000.00"),
            text="",
        ),
        earlier=earlier if with_earlier else {},
        # What cases.hearings.notice_text supplies for the 听证通知书 (行政处罚法 第64条).
        provided={
            "hearing_summons": "听证时间：2026年4月2日09:30\n听证地点：本局三楼听证室\n"
            "听证主持人：赵刚\n通知日期：2026年3月23日",
            # What review.collective.record_text supplies for the 集体讨论记录 (第57条第2款).
            "collective_discussion": "讨论时间：2026年4月7日\n参加人员：张局长、李副局长、王科长\n"
            "讨论情况：一致同意按拟定意见处罚\n讨论结论：同意按拟定意见作出决定",
            # What cases.transfers.transfer_text supplies for the 案件移送书 (第27条).
            "case_transfer": "接收机关：盘锦市公安局兴隆台分局\n移送理由：非法经营数额巨大",
            # h10b: what coercion.queries and cases.services.extensions supply (行政强制法
            # 第19、24、25、28条; 行政许可法 第42条).
            "seizure_decision": "宗教宣传册《某某》\t32开，彩色印刷\t1200\t册\t本局物证保管室\n"
            "宣传光盘\t\t85\t张\t本局物证保管室",
            "seizure_extension": "延长理由：涉案宣传品来源需协查\n原届满日：2026年5月8日\n"
            "延长期限：30日\n延长后届满日：2026年6月7日\n批准日期：2026年5月6日",
            "seizure_release": "解除理由：当事人没有违法行为\n解除日期：2026年5月20日",
            "on_spot_report": "当场实施时间：2026年4月8日10:30\n报告负责人时间：2026年4月8日15:00\n"
            "报告时限：24小时内（用时4.5小时）\n紧急事由：当事人正在街头散发，不当场扣押将继续扩散",
            "licence_extension_notice": "延长理由：需实地核查场所安全条件\n原届满日：2026年4月1日\n"
            "延长期限：10个工作日\n延长后届满日：2026年4月16日\n批准日期：2026年3月30日",
            # What cases.no_penalty.no_penalty_text supplies for the 不予行政处罚决定书 (h10a).
            "no_penalty_decision": "情形：当事人的违法行为轻微并及时改正，没有造成危害后果\n"
            "条款：《中华人民共和国行政处罚法》第三十三条第一款\n"
            "理由：当事人已于当日撤除全部宣传品，未造成影响",
        },
    )
