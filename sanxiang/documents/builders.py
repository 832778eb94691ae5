"""The wording of each document of the generic set, filled from a ``CaseSheet``.

One function per kind returns its blocks; ``build`` adds what every document has (版头, 文号,
title, signature, date). Statutory wording cites its article beside it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from .content import Block, DocumentContent, Para, Row, Table, chinese_date, yuan
from .kinds import Kind
from .sheet import CaseSheet, PartySheet

BLANK = "＿＿＿＿＿＿"
SIGN_LINE = "（签名）：＿＿＿＿＿＿　　＿＿年＿＿月＿＿日"


def _agent_lines(party: PartySheet) -> list[Para]:
    return [
        Para(
            "委托代理人："
            + "，".join(v for v in (a.name, a.relation, a.authority, _phone(a.phone)) if v)
        )
        for a in party.agents
    ]


def _phone(phone: str) -> str:
    return f"联系电话{phone}" if phone else ""


def _party_lines(party: PartySheet) -> list[Para]:
    """The party block, by kind: a person by ID number and 住址; a 法人 by its credit code and
    法定代表人, an other organisation by its 负责人; a 个体工商户 by its business name and
    credit code and its 经营者 with the operator's ID number; then each 委托代理人."""
    if party.is_natural:
        lines = [
            Para(f"当事人：{party.name}"),
            Para(f"身份证号码：{party.id_number or BLANK}"),
            Para(f"住址：{party.address or BLANK}"),
        ]
    elif party.is_business:
        lines = [
            Para(f"当事人：{party.name}（个体工商户）"),
            Para(f"统一社会信用代码：{party.credit_code or BLANK}"),
            Para(
                f"经营者：{party.legal_representative or BLANK}　"
                f"身份证号码：{party.id_number or BLANK}"
            ),
            Para(f"经营场所：{party.address or BLANK}"),
        ]
    else:
        lines = [
            Para(f"当事人：{party.name}"),
            Para(f"统一社会信用代码：{party.credit_code or BLANK}"),
            Para(f"{party.representative_label}：{party.legal_representative or BLANK}"),
            Para(f"住所：{party.address or BLANK}"),
        ]
    return lines + _agent_lines(party)


def _parties(sheet: CaseSheet) -> list[Block]:
    return [line for p in sheet.parties for line in _party_lines(p)]


def _party_rows(sheet: CaseSheet) -> list[Row]:
    rows = []
    for p in sheet.parties:
        second = (
            ("联系电话", p.phone)
            if p.is_natural
            else (p.representative_label, p.legal_representative)
        )
        name = f"{p.name}（个体工商户）" if p.is_business else p.name
        rows.append(Row((("当事人", name),)))
        rows.append(Row(((p.id_label, p.id_value or BLANK), (second[0], second[1] or BLANK))))
        if p.is_business:
            rows.append(Row((("经营者身份证号码", p.id_number or BLANK),)))
        rows.append(Row((("住址" if p.is_natural else "住所", p.address or BLANK),)))
        for a in p.agents:
            rows.append(Row((("委托代理人", f"{a.name}（{a.relation}，{a.authority}）"),)))
    return rows


def _case_rows(sheet: CaseSheet) -> list[Row]:
    return [Row((("案号", sheet.case_number),)), Row((("案由", sheet.case_title),))]


def _draft_text(sheet: CaseSheet) -> str:
    """The draft's free text: the goods seized, the items to supplement, the reasons refused."""
    return sheet.draft.text.strip() if sheet.draft and sheet.draft.text.strip() else BLANK


def _contact(sheet: CaseSheet) -> Para:
    return Para(
        f"联系地址：{sheet.agency_address or BLANK}　联系电话：{sheet.agency_phone or BLANK}"
    )


def _officers(sheet: CaseSheet) -> str:
    return "、".join(f"{o.name}（执法证号：{o.certificate_no}）" for o in sheet.officers)


def _remedy(sheet: CaseSheet, what: str = "本决定") -> Para:
    # 行政复议法 (2023) 第20条: 60 days, 第24条: the government at the same level;
    # 行政诉讼法 第46条: 6 months; 行政复议法 第42条 / 行政诉讼法 第56条: no suspension.
    return Para(
        f"如不服{what}，可以自收到本决定书之日起六十日内向{sheet.review_body}申请行政复议"
        "（《中华人民共和国行政复议法》第二十条），"
        "也可以自收到本决定书之日起六个月内依法向人民法院提起行政诉讼"
        "（《中华人民共和国行政诉讼法》第四十六条）。"
        "行政复议或者行政诉讼期间，本决定不停止执行，法律另有规定的除外。"
    )


def _violation(sheet: CaseSheet) -> str:
    """违反了《…》第…条: the provision violated, apart from the one applied (第59条(二)(三))."""
    provision = sheet.draft.violated_provision.strip() if sheet.draft else ""
    return f"违反了{provision or BLANK}的规定"


def _payment(sheet: CaseSheet) -> Para:
    # 行政处罚法 第59条(四) 履行方式和期限, 第67条 (15 days, 罚缴分离), 第72条 (3% a day, capped).
    how = sheet.payment_instructions.strip().rstrip("。") or "到指定的银行或者通过电子支付系统缴纳"
    return Para(
        f"当事人应当自收到本决定书之日起十五日内缴纳罚款，缴纳方式：{how}。"
        "到期不缴纳罚款的，本机关可以每日按罚款数额的百分之三加处罚款，加处罚款的数额不超出罚款的数额"
        "（《中华人民共和国行政处罚法》第六十七条、第七十二条）。"
    )


def _earlier(sheet: CaseSheet, kind: str) -> str:
    e = sheet.earlier.get(kind)
    if e is None:
        return ""
    number = f"（{e.number}）" if e.number else ""
    return f"{chinese_date(e.issued_on)}以《{e.title}》{number}"


def _facts(sheet: CaseSheet) -> Para:
    return Para(f"经查明：{sheet.facts.strip() or BLANK}")


def _penalty_items(sheet: CaseSheet) -> list[Para]:
    d = sheet.draft
    if d is None:
        return [Para(f"处罚内容：{BLANK}")]
    # Each penalty the decision imposes (并处: every one, in 第9条's order), with its amount.
    items = []
    for code, label in d.penalties or ((d.kind, d.kind_label),):
        if code == "fine" and d.fine_amount is not None:
            items.append(f"罚款{yuan(d.fine_amount)}")
        elif code == "confiscation" and d.confiscation_value is not None:
            items.append(f"没收违法所得、没收非法财物（价值{yuan(d.confiscation_value)}）")
        else:
            items.append(label)
    confiscating = "confiscation" in {code for code, _ in d.penalties} or d.kind == "confiscation"
    if d.confiscation_value is not None and not confiscating:
        items.append(f"没收违法所得、没收非法财物（价值{yuan(d.confiscation_value)}）")
    lines = [
        Para(f"{i}. {text}；" if len(items) > 1 else f"{text}。") for i, text in enumerate(items, 1)
    ]
    # The draft's free text is the decision only when no structured kind says it ("其他"):
    # otherwise it would repeat, in other words, what the items above already decide.
    if d.kind == "other" and d.text.strip():
        lines.append(Para(d.text.strip()))
    return lines


def _discretion(sheet: CaseSheet) -> list[Para]:
    d = sheet.draft
    if d is None or not d.circumstance_label:
        return []
    text = f"本案违法情节属于“{d.circumstance_label}”"
    if d.benchmark_min is not None and d.benchmark_max is not None:
        low, high = f"{d.benchmark_min:,.2f}", f"{d.benchmark_max:,.2f}"
        text += f"，依照本机关行政处罚裁量基准，对应罚款幅度为{low}元至{high}元"
    text += "。"
    if d.outside_benchmark:
        text += f"本案处罚超出裁量基准幅度，理由是：{d.outside_reason or BLANK}。"
    return [Para(text)]


def _basis(sheet: CaseSheet) -> str:
    if sheet.draft and sheet.draft.legal_basis.strip():
        return sheet.draft.legal_basis.strip()
    return sheet.matter_basis or BLANK


def penalty_decision_body(sheet: CaseSheet) -> list[Para]:
    blocks: list[Para] = [
        Para(
            f"{sheet.case_name}一案，本机关于{chinese_date(sheet.opened_on)}立案调查（案号：{sheet.case_number}），"
            "现已调查终结。"
        )
    ]
    blocks.append(_facts(sheet))
    notice = _earlier(sheet, "penalty_notice")
    if notice:
        blocks.append(
            Para(
                f"本机关于{notice}告知当事人拟作出行政处罚的内容及事实、理由、依据，"
                "并告知当事人依法享有陈述、申辩、要求听证的权利（《中华人民共和国行政处罚法》第四十四条）。"
            )
        )
    blocks.append(
        Para(
            f"本机关认为，当事人的上述行为{_violation(sheet)}，依据{_basis(sheet)}，应予行政处罚。"
        )
    )
    blocks.extend(_discretion(sheet))
    blocks.append(Para("本机关决定对当事人作出如下行政处罚："))
    blocks.extend(_penalty_items(sheet))
    if sheet.draft and sheet.draft.fine_amount is not None:
        blocks.append(_payment(sheet))
    blocks.append(_remedy(sheet, "本处罚决定"))
    return blocks


# --- 不予行政处罚决定书 (h10a) -------------------------------------------------------------
def no_penalty_decision_body(sheet: CaseSheet) -> list[Para]:
    """行政处罚法 第57条第1款第（二）（三）项: the ground recorded through ``cases.no_penalty``
    (第30、31、33、36条 or 违法事实不能成立), its reasons, what the law orders beside (第30条:
    责令监护人加以管教; 第31条: 严加看管和治疗), 第33条第3款's 教育, and the remedies."""
    fields = _provided_fields(sheet, "no_penalty_decision")
    article = fields.get("条款", BLANK)
    blocks = [
        Para(
            f"{sheet.case_name}一案，本机关于{chinese_date(sheet.opened_on)}立案调查（案号：{sheet.case_number}），"
            "现已调查终结。"
        ),
        _facts(sheet),
        Para(f"认定理由：{fields.get('理由', BLANK)}"),
        Para(
            f"本机关认为，{fields.get('情形', BLANK)}，依据{article}"
            + (
                f"及{sheet.draft.legal_basis.strip()}"
                if sheet.draft and sheet.draft.legal_basis.strip()
                else ""
            )
            + "的规定，决定不予行政处罚。"
        ),
    ]
    if fields.get("责令"):
        blocks.append(Para(f"同时{fields['责令']}。"))
    # 第33条第3款: 对当事人的违法行为依法不予行政处罚的，行政机关应当对当事人进行教育.
    if "第五十七条" not in article:
        blocks.append(
            Para(
                "根据《中华人民共和国行政处罚法》第三十三条第三款的规定，本机关已对当事人进行教育，"
                "当事人应当依法从事相关活动，不得再犯。"
            )
        )
    blocks.append(_remedy(sheet))
    return blocks


def penalty_notice(sheet: CaseSheet) -> list[Block]:
    return [
        Para(
            f"{sheet.case_name}一案（案号：{sheet.case_number}），经本机关调查，"
            f"{sheet.facts.strip() or BLANK}"
        ),
        Para(
            f"本机关认为，你（单位）的上述行为{_violation(sheet)}，依据{_basis(sheet)}，"
            "拟作出如下行政处罚："
        ),
        *_penalty_items(sheet),
        *_discretion(sheet),
        # 行政处罚法 第44条, 第45条, 第63条, 第64条.
        Para(
            "根据《中华人民共和国行政处罚法》第四十四条、第四十五条的规定，你（单位）享有陈述、申辩的权利。"
            "请于收到本告知书之日起五日内向本机关提出陈述、申辩意见，逾期未提出的，视为放弃上述权利。"
        ),
        Para(
            "拟作出的行政处罚属于《中华人民共和国行政处罚法》第六十三条规定情形的，"
            "你（单位）有权在收到本告知书之日起五日内要求听证（第六十四条）。"
        ),
        _contact(sheet),
    ]


def hearing_notice(sheet: CaseSheet) -> list[Block]:
    return [
        Para(
            f"{sheet.case_name}一案（案号：{sheet.case_number}），本机关拟对你（单位）作出如下行政处罚："
        ),
        *_penalty_items(sheet),
        # 行政处罚法 第63条, 第64条: request within 5 days; notice 7 days before the hearing.
        Para(
            "根据《中华人民共和国行政处罚法》第六十三条、第六十四条的规定，你（单位）有要求举行听证的权利。"
            "如要求听证，应当在收到本告知书之日起五日内向本机关提出；逾期未提出的，视为放弃听证权利。"
            "本机关将在举行听证的七日前通知听证的时间、地点。"
        ),
        _contact(sheet),
    ]


def _provided_fields(sheet: CaseSheet, kind: str) -> dict[str, str]:
    """The ``label：value`` lines another app supplies for ``kind`` (``register_sheet_text``)."""
    lines = sheet.provided.get(kind, "").splitlines()
    return dict(line.split("：", 1) for line in lines if "：" in line)


def hearing_summons(sheet: CaseSheet) -> list[Block]:
    """听证通知书 (行政处罚法 第64条): the schedule entered through ``cases.hearings``."""
    fields = _provided_fields(sheet, "hearing_summons")
    return [
        Para(
            f"你（单位）就{sheet.case_name}一案（案号：{sheet.case_number}）提出的听证要求，"
            "本机关决定依法举行听证。根据《中华人民共和国行政处罚法》第六十四条第（二）项的规定，"
            "现将听证的有关事项通知如下："
        ),
        Table(
            (
                Row((("听证时间", fields.get("听证时间", BLANK)),)),
                Row((("听证地点", fields.get("听证地点", BLANK)),)),
                Row((("听证主持人", fields.get("听证主持人", BLANK)),)),
            )
        ),
        # 第64条第（四）项: the presiding officer is not the investigator, and may be challenged.
        Para(
            "听证由本机关指定的非本案调查人员主持。你（单位）认为主持人与本案有直接利害关系的，"
            "有权申请回避（第六十四条第（四）项）。"
        ),
        Para(
            "你（单位）可以亲自参加听证，也可以委托一至二人代理（第六十四条第（五）项）。"
            "请携带身份证明及有关证据材料按时参加；无正当理由拒不出席听证或者未经许可中途退出听证的，"
            "视为放弃听证权利，本机关终止听证（第六十四条第（六）项）。"
        ),
        _contact(sheet),
    ]


def collective_discussion(sheet: CaseSheet) -> list[Block]:
    """集体讨论记录 (行政处罚法 第57条第2款): the discussion recorded through ``review``."""
    fields = _provided_fields(sheet, "collective_discussion")
    return [
        Table(
            (
                *_case_rows(sheet),
                Row((("当事人", sheet.party_names),)),
                Row((("讨论时间", fields.get("讨论时间", BLANK)),)),
                Row((("主持人及参加人员", fields.get("参加人员", BLANK)),)),
                Row((("拟处理意见", "".join(p.text for p in _penalty_items(sheet))),), tall=True),
                Row((("讨论情况（各参加人员意见）", fields.get("讨论情况", BLANK)),), tall=True),
                Row((("讨论结论", fields.get("讨论结论", BLANK)),)),
            )
        ),
        Para(
            "依据《中华人民共和国行政处罚法》第五十七条第二款：对情节复杂或者重大违法行为给予行政处罚，"
            "行政机关负责人应当集体讨论决定。"
        ),
        Para("参加人员签名：", indent=False),
        Para("记录人：　　　　　　　　　　　　主持人：", indent=False),
    ]


def evidence_preservation(sheet: CaseSheet) -> list[Block]:
    items = _draft_text(sheet)
    return [
        Para(
            f"因调查{sheet.case_name}一案（案号：{sheet.case_number}），在证据可能灭失或者以后难以取得的情况下，"
            "经本机关负责人批准，依据《中华人民共和国行政处罚法》第五十六条的规定，"
            "决定对你（单位）的下列物品先行登记保存："
        ),
        Para(items),
        Para(
            "先行登记保存期间，当事人或者有关人员不得销毁或者转移证据。"
            "本机关将在七日内对先行登记保存的证据依法作出处理决定。"
        ),
    ]


def case_transfer(sheet: CaseSheet) -> list[Block]:
    """案件移送书 (行政处罚法 第27条): to the organ named through ``cases.transfers``."""
    fields = _provided_fields(sheet, "case_transfer")
    return [
        Para(f"{fields.get('接收机关', BLANK)}：", indent=False),
        Para(
            f"本机关在办理{sheet.case_name}一案（案号：{sheet.case_number}）中，"
            f"发现当事人{sheet.party_names}的违法行为涉嫌犯罪：{fields.get('移送理由', BLANK)}"
        ),
        Para(
            "根据《中华人民共和国行政处罚法》第二十七条第一款的规定，违法行为涉嫌犯罪的，"
            "行政机关应当及时将案件移送司法机关，依法追究刑事责任。现将本案移送你单位，"
            "随附案卷材料及有关证据，请依法处理，并将处理结果书面告知本机关。"
        ),
        Para("附件：1. 案件情况调查报告；2. 涉案物品清单；3. 有关证据材料。", indent=False),
        _contact(sheet),
    ]


def preservation_decision(sheet: CaseSheet) -> list[Block]:
    """先行登记保存物品处理决定书 (行政处罚法 第56条): within 七日 of the 通知书 it cites."""
    return [
        Para(
            f"本机关在调查{sheet.case_name}一案（案号：{sheet.case_number}）中，"
            "依据《中华人民共和国行政处罚法》第五十六条的规定，"
            f"{_earlier(sheet, 'evidence_preservation') or '以《先行登记保存证据通知书》'}"
            "对你（单位）的有关物品先行登记保存。"
        ),
        Para(f"先行登记保存的物品：{_draft_text(sheet)}"),
        Para(
            "根据《中华人民共和国行政处罚法》第五十六条“七日内及时作出处理决定”的规定，本机关决定："
        ),
        Para("□ 解除先行登记保存，将上述物品退还当事人；", align="left"),
        Para("□ 依法采取查封、扣押措施（另行制作查封扣押决定书）；", align="left"),
        Para("□ 移送有关机关处理；", align="left"),
        Para("□ 其他：＿＿＿＿＿＿。", align="left"),
        _remedy(sheet, "本处理决定"),
    ]


# --- 查封、扣押 and the licence's extension (h10b) ---------------------------------------------


def _seized(sheet: CaseSheet) -> list[tuple[str, str, str, str, str]]:
    """The items of the 清单 (coercion.queries.items_text: 名称, 规格, 数量, 单位, 地点)."""
    rows = []
    for line in sheet.provided.get("seizure_decision", "").splitlines():
        cells = [*line.split("\t"), "", "", "", ""][:5]
        rows.append((cells[0], cells[1], cells[2], cells[3], cells[4]))
    return rows


def _seized_lines(sheet: CaseSheet) -> list[Para]:
    rows = _seized(sheet)
    if not rows:
        return [Para(BLANK)]
    return [
        Para(
            f"{n}. {name}{f'（{spec}）' if spec else ''}，{qty}{unit}"
            f"{f'，存放于{where}' if where else ''}；",
            align="left",
        )
        for n, (name, spec, qty, unit, where) in enumerate(rows, 1)
    ]


def seizure_decision_body(sheet: CaseSheet) -> list[Para]:
    # 行政强制法 第24条第2款: (一) the party (before this body), (二) 理由、依据和期限, (三) the
    # 场所、设施或者财物's 名称、数量等, (四) 复议 and 诉讼, (五) the agency, its seal and the date.
    return [
        Para(f"{sheet.case_name}一案（案号：{sheet.case_number}），{_facts(sheet).text}"),
        Para(
            f"依据{_basis(sheet)}及《中华人民共和国行政强制法》第九条第（二）项、第二十四条的规定，"
            "经本机关负责人批准，本机关决定对你（单位）的下列场所、设施或者财物予以查封（扣押），"
            "详见《查封扣押清单》（一式二份，由当事人和本机关分别保存）："
        ),
        *_seized_lines(sheet),
        Para(
            "查封、扣押的期限为三十日，自本决定作出之日起计算；情况复杂的，经本机关负责人批准，可以延长，"
            "但延长期限不超过三十日（《中华人民共和国行政强制法》第二十五条）。"
            "查封、扣押期间，任何人不得隐藏、转移、变卖、损毁被查封、扣押的财物（第二十六条）。"
        ),
        _remedy(sheet),
    ]


def seizure_inventory(sheet: CaseSheet) -> list[Block]:
    """查封扣押清单 (行政强制法 第24条第3款): 一式二份, signed by the party and the agency."""
    rows = [
        *_case_rows(sheet),
        Row((("当事人", sheet.party_names),)),
    ]
    for n, (name, spec, qty, unit, where) in enumerate(_seized(sheet), 1):
        # A row holds two label-value pairs: the item's name and features, then its amount.
        rows.append(Row(((f"{n}. 名称", name), ("规格、特征", spec or "—"))))
        rows.append(Row((("数量", f"{qty}{unit}"), ("存放地点", where or "—"))))
    if not _seized(sheet):
        rows.append(Row((("名称、数量", BLANK),)))
    return [
        Table(tuple(rows)),
        Para(
            "本清单一式二份，由当事人和行政机关分别保存（《中华人民共和国行政强制法》第二十四条第三款）。",
            indent=False,
        ),
        Para(f"当事人{SIGN_LINE}", indent=False),
        Para(f"执法人员{SIGN_LINE}", indent=False),
        Para(f"行政机关（盖章）：{sheet.agency_name}", indent=False),
    ]


def seizure_extension(sheet: CaseSheet) -> list[Block]:
    """延长查封扣押期限决定书 (行政强制法 第25条): once, in writing, with the reason."""
    f = _provided_fields(sheet, "seizure_extension")
    decision = _earlier(sheet, "seizure_decision") or BLANK
    return [
        *_parties(sheet),
        Para(
            f"本机关于{decision}对你（单位）的有关场所、设施或者财物予以查封（扣押）"
            f"（案号：{sheet.case_number}），查封、扣押期限至{f.get('原届满日', BLANK)}届满。"
        ),
        Para(f"因{f.get('延长理由', BLANK)}，情况复杂，需要延长查封、扣押期限。"),
        Para(
            "根据《中华人民共和国行政强制法》第二十五条第一款、第二款的规定，经本机关负责人批准，"
            f"决定将查封、扣押期限延长{f.get('延长期限', BLANK)}，"
            f"至{f.get('延长后届满日', BLANK)}止。"
            "延长期限不超过三十日，且仅延长一次。"
        ),
        _remedy(sheet),
    ]


# 行政强制法 第28条第1款's grounds as the 解除查封扣押决定书 states them.
def seizure_release(sheet: CaseSheet) -> list[Block]:
    """解除查封扣押决定书 (行政强制法 第28条): the ground, and the goods returned at once."""
    f = _provided_fields(sheet, "seizure_release")
    decision = _earlier(sheet, "seizure_decision") or BLANK
    ground = f.get("解除理由", BLANK)
    explained = f"（{f['说明']}）" if f.get("说明") else ""
    return [
        *_parties(sheet),
        Para(
            f"本机关于{decision}对你（单位）的下列场所、设施或者财物予以查封（扣押）"
            f"（案号：{sheet.case_number}）："
        ),
        *_seized_lines(sheet),
        Para(
            f"经查，{ground}{explained}。根据《中华人民共和国行政强制法》第二十八条第一款的规定，"
            f"本机关决定自{f.get('解除日期', BLANK)}起解除上述查封（扣押）。"
        ),
        Para(
            "解除查封、扣押的，立即退还财物；已将鲜活物品或者其他不易保管的财物拍卖或者变卖的，"
            "退还拍卖或者变卖所得款项（第二十八条第二款）。请持本决定书及《查封扣押清单》"
            "到本机关办理财物退还手续。"
        ),
        _contact(sheet),
    ]


def on_spot_report(sheet: CaseSheet) -> list[Block]:
    """当场实施行政强制措施报告 (行政强制法 第19条): within 二十四小时, approval made up."""
    f = _provided_fields(sheet, "on_spot_report")
    rows = [
        *_case_rows(sheet),
        Row((("当事人", sheet.party_names),)),
        Row(
            (
                ("当场实施时间", f.get("当场实施时间", BLANK)),
                ("报告时间", f.get("报告负责人时间", BLANK)),
            )
        ),
        Row((("报告时限", f.get("报告时限", BLANK)),)),
        Row((("情况紧急的事由", f.get("紧急事由", BLANK)),), tall=True),
        Row(
            (
                (
                    "查封、扣押的场所、设施或者财物",
                    "；".join(p.text.rstrip("；") for p in _seized_lines(sheet)),
                ),
            ),
            tall=True,
        ),
        Row((("实施人员", _officers(sheet)),)),
        Row(
            (
                (
                    "负责人意见（补办批准手续）",
                    f"□ 同意　□ 不同意，立即解除\n签名：{BLANK}　＿＿年＿＿月＿＿日",
                ),
            ),
            tall=True,
        ),
    ]
    return [
        Table(tuple(rows)),
        Para(
            "依据《中华人民共和国行政强制法》第十九条：情况紧急，需要当场实施行政强制措施的，"
            "行政执法人员应当在二十四小时内向行政机关负责人报告，并补办批准手续。"
            "行政机关负责人认为不应当采取行政强制措施的，应当立即解除。",
            indent=False,
        ),
    ]


def licence_extension_notice(sheet: CaseSheet) -> list[Block]:
    """延长行政许可期限通知书 (行政许可法 第42条): ten working days more, the reason told."""
    f = _provided_fields(sheet, "licence_extension_notice")
    return [
        Para(
            f"你（单位）于{chinese_date(sheet.opened_on)}提出的{sheet.matter_name}申请（编号：{sheet.case_number}），"
            f"本机关已依法受理，原应于{f.get('原届满日', BLANK)}前作出行政许可决定。"
        ),
        Para(f"因{f.get('延长理由', BLANK)}，本机关在二十日内不能作出决定。"),
        Para(
            "根据《中华人民共和国行政许可法》第四十二条第一款的规定，经本机关负责人批准，"
            f"作出行政许可决定的期限延长{f.get('延长期限', '十个工作日')}，"
            f"至{f.get('延长后届满日', BLANK)}。期限以工作日计算，不含法定节假日（第八十二条）。"
        ),
        _contact(sheet),
    ]


# --- end h10b ---------------------------------------------------------------------------------


def licence_acceptance(sheet: CaseSheet) -> list[Block]:
    return [
        Para(
            f"你（单位）提出的{sheet.matter_name}申请，申请材料齐全、符合法定形式，"
            "根据《中华人民共和国行政许可法》第三十二条的规定，本机关决定予以受理。"
        ),
        Para(f"受理编号：{sheet.case_number}。本机关将在法定期限内作出行政许可决定。"),
        _contact(sheet),
    ]


def inquiry_notice(sheet: CaseSheet) -> list[Block]:
    """询问通知书 (行政处罚法 第55条): come and answer, with the documents the case needs."""
    return [
        Para(
            f"因调查{sheet.case_name}一案（案号：{sheet.case_number}），根据《中华人民共和国行政处罚法》"
            "第五十五条的规定，请你（单位）于＿＿＿＿年＿＿月＿＿日＿＿时到＿＿＿＿＿＿接受询问调查。"
        ),
        Para(
            "请携带：身份证明（法人或者其他组织的营业执照、法定代表人身份证明或者授权委托书）及与案件有关的材料。"
        ),
        Para(
            "当事人或者有关人员应当如实回答询问，并协助调查或者检查，不得拒绝或者阻挠"
            "（第五十五条第二款）。执法人员不少于两人，询问时将出示执法证件（第四十二条、第五十五条第一款）。"
        ),
        _contact(sheet),
    ]


def licence_rejection(sheet: CaseSheet) -> list[Block]:
    """不予受理通知书 (行政许可法 第32条): why, and where to apply instead."""
    return [
        Para(
            f"你（单位）提出的{sheet.matter_name}申请（编号：{sheet.case_number}），经审查，"
            f"有下列情形：{_draft_text(sheet)}"
        ),
        Para(
            "根据《中华人民共和国行政许可法》第三十二条第一款的规定，本机关决定不予受理。"
            "申请事项依法不属于本机关职权范围的，请向有关行政机关申请。"
        ),
        _remedy(sheet, "本不予受理决定"),
    ]


def rectification_order(sheet: CaseSheet) -> list[Block]:
    """责令整改通知书 (行政处罚法 第28条第1款): the finding and the time to put it right."""
    return [
        Para(
            f"本机关于{chinese_date(sheet.opened_on)}对你（单位）进行检查（编号：{sheet.case_number}），"
            f"发现：{sheet.facts.strip() or BLANK}"
        ),
        Para(
            f"上述行为违反了{sheet.matter_basis or BLANK}的规定。根据《中华人民共和国行政处罚法》"
            "第二十八条第一款的规定，责令你（单位）于＿＿＿＿年＿＿月＿＿日前改正，"
            "并将整改情况书面报告本机关。逾期不改正的，本机关将依法处理。"
        ),
        _contact(sheet),
    ]


def licence_supplement(sheet: CaseSheet) -> list[Block]:
    # An online application's 补正 lists its items (applicant/supplements.py); else the draft.
    missing = sheet.provided.get("supplement_notice") or _draft_text(sheet)
    return [
        Para(
            f"你（单位）提出的{sheet.matter_name}申请（编号：{sheet.case_number}），申请材料不齐全或者不符合法定形式。"
            "根据《中华人民共和国行政许可法》第三十二条的规定，现一次告知你（单位）需要补正的全部内容："
        ),
        Para(missing),
        Para(
            "请补正后重新提交。自本机关收到全部补正材料之日起为受理"
            "（《中华人民共和国行政许可法》第三十二条）。"
        ),
    ]


def licence_grant_body(sheet: CaseSheet) -> list[Para]:
    return [
        Para(
            f"你（单位）于{chinese_date(sheet.opened_on)}提出的{sheet.matter_name}申请（编号：{sheet.case_number}），"
            f"经审查，符合{_basis(sheet)}规定的条件、标准。"
        ),
        # 行政许可法 第38条第一款, 第44条 (issue within 10 working days).
        Para(
            "根据《中华人民共和国行政许可法》第三十八条第一款的规定，本机关决定准予行政许可。"
            "本机关将自作出决定之日起十日内向你（单位）颁发、送达行政许可证件。"
        ),
        # What is granted (行政许可法 第39条), from the decided snapshot (licensing app).
        *([Para(sheet.provided["licence_grant"])] if sheet.provided.get("licence_grant") else []),
        *([Para(sheet.draft.text.strip())] if sheet.draft and sheet.draft.text.strip() else []),
    ]


def licence_refusal_body(sheet: CaseSheet) -> list[Para]:
    reason = _draft_text(sheet)
    return [
        Para(
            f"你（单位）于{chinese_date(sheet.opened_on)}提出的{sheet.matter_name}申请（编号：{sheet.case_number}），"
            f"经审查，不符合{_basis(sheet)}规定的条件、标准，理由如下："
        ),
        Para(reason),
        # 行政许可法 第38条第二款: reasons and the right to review or sue.
        Para("根据《中华人民共和国行政许可法》第三十八条第二款的规定，本机关决定不予行政许可。"),
        _remedy(sheet),
    ]


def filing_approval(sheet: CaseSheet) -> list[Block]:
    rows = [
        *_case_rows(sheet),
        Row((("案件来源", sheet.source_label), ("立案日期", chinese_date(sheet.opened_on)))),
        *_party_rows(sheet),
        Row((("执法事项", sheet.matter_name),)),
        Row((("简要案情", sheet.facts or BLANK),), tall=True),
        Row((("承办人意见", f"建议立案调查。\n承办人：{_officers(sheet)}"),), tall=True),
        Row((("负责人审批意见", f"\n签名：{BLANK}　＿＿年＿＿月＿＿日"),), tall=True),
    ]
    return [Table(tuple(rows))]


def closing_approval(sheet: CaseSheet) -> list[Block]:
    decision = _earlier(sheet, "penalty_decision") or _earlier(sheet, "no_penalty_decision")
    rows = [
        *_case_rows(sheet),
        Row(
            (
                ("立案日期", chinese_date(sheet.opened_on)),
                ("决定日期", chinese_date(sheet.decided_on)),
            )
        ),
        *_party_rows(sheet),
        Row(
            (("处理结果", decision or (sheet.draft.kind_label if sheet.draft else BLANK)),),
            tall=True,
        ),
        Row((("执行情况", BLANK),), tall=True),
        Row((("承办人意见", f"建议结案。\n承办人：{_officers(sheet)}"),), tall=True),
        Row((("负责人审批意见", f"\n签名：{BLANK}　＿＿年＿＿月＿＿日"),), tall=True),
    ]
    return [Table(tuple(rows))]


def _fine_text(sheet: CaseSheet) -> str:
    fine = sheet.draft.fine_amount if sheet.draft else None
    return f"罚款{yuan(fine)}" if fine is not None else f"罚款{BLANK}元"


def payment_reminder(sheet: CaseSheet) -> list[Block]:
    # 行政强制法 第35条: the obligation, its period and way, the exact amount, the party's right
    # to state and defend; 第54条: delivered at least ten days before the court is applied to.
    decision = _earlier(sheet, "penalty_decision") or _earlier(sheet, "on_the_spot_decision")
    return [
        Para(
            f"本机关{decision or BLANK}对你（单位）作出行政处罚决定（案号：{sheet.case_number}），"
            f"决定{_fine_text(sheet)}。该决定书已依法送达，你（单位）在法定期限内未申请行政复议或者"
            "提起行政诉讼，又未履行缴纳罚款的义务。"
        ),
        Para(
            "根据《中华人民共和国行政处罚法》第七十二条第一款第（一）项和《中华人民共和国行政强制法》"
            "第四十五条的规定，到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款，"
            "加处罚款的数额不超出罚款的数额。"
        ),
        Para(
            "根据《中华人民共和国行政强制法》第三十五条、第五十四条的规定，现催告你（单位）"
            "自收到本催告书之日起十日内，"
            f"{sheet.payment_instructions.strip().rstrip('。') or '到指定的银行或通过电子支付系统'}"
            f"缴纳上述罚款及加处罚款（截至缴纳之日的加处罚款数额，以本机关核定为准：{BLANK}元）。"
        ),
        Para(
            "你（单位）有权进行陈述和申辩，陈述、申辩意见请于收到本催告书之日起十日内向本机关提出"
            "（《中华人民共和国行政强制法》第三十六条）。逾期仍不履行的，本机关将依法申请人民法院强制执行。"
        ),
        _contact(sheet),
    ]


def enforcement_application(sheet: CaseSheet) -> list[Block]:
    # 行政强制法 第55条: the application, the decision and its basis, the party's opinion, the
    # 催告 and what was done; signed by the agency's head and sealed; 第53条: within 3 months.
    decision = _earlier(sheet, "penalty_decision") or _earlier(sheet, "on_the_spot_decision")
    reminder = _earlier(sheet, "payment_reminder")
    return [
        Para(f"{BLANK}人民法院：", indent=False),
        Para(f"申请人：{sheet.agency_name}　地址：{sheet.agency_address or BLANK}", indent=False),
        Para("被申请人：", indent=False),
        *_parties(sheet),
        Para(
            f"申请事项：请求依法强制执行本机关{decision or BLANK}作出的行政处罚决定，"
            f"即{_fine_text(sheet)}及依法加处的罚款。"
        ),
        Para(
            f"事实和理由：{sheet.case_name}一案（案号：{sheet.case_number}），本机关依法作出上述决定并送达"
            f"被申请人。被申请人在法定期限内未申请行政复议或者提起行政诉讼，又不履行。本机关于"
            f"{reminder or BLANK}催告被申请人履行，催告书送达十日后被申请人仍未履行"
            "（《中华人民共和国行政强制法》第五十四条）。"
        ),
        Para(
            "根据《中华人民共和国行政强制法》第五十三条、第五十五条的规定，特申请人民法院强制执行。"
            "附：行政决定书及作出决定的事实、理由和依据；当事人的意见及行政机关催告情况；"
            "申请强制执行标的情况；法律、行政法规规定的其他材料。"
        ),
        Para(f"行政机关负责人（签名）：{BLANK}", indent=False),
    ]


def _record(sheet: CaseSheet, what: str, lead: str) -> list[Block]:
    rows = [
        Row((("时间", "＿＿年＿＿月＿＿日＿＿时＿＿分至＿＿时＿＿分"),)),
        Row((("地点", BLANK),)),
        *_case_rows(sheet),
        *_party_rows(sheet),
        Row((("执法人员", _officers(sheet)),)),
        Row((("记录人", BLANK), ("在场人员", BLANK))),
        Row(((what, lead),), tall=True),
    ]
    return [
        Table(tuple(rows)),
        Para(f"被检查人（被询问人、当事人）{SIGN_LINE}", indent=False),
        Para(f"执法人员{SIGN_LINE}", indent=False),
    ]


def inspection_record(sheet: CaseSheet) -> list[Block]:
    lead = (
        f"执法人员{len(sheet.officers)}名，已出示执法证件，表明身份，告知当事人有申请回避的权利"
        "（《中华人民共和国行政处罚法》第五十五条）。现场检查情况：\n" + (sheet.facts or BLANK)
    )
    return _record(sheet, "检查情况", lead)


def inquiry_record(sheet: CaseSheet) -> list[Block]:
    lead = (
        "问：我们是本机关执法人员，已向你出示执法证件。你有陈述、申辩和申请回避的权利，"
        "同时负有如实回答询问的义务，你听清楚了吗？\n答：\n问：\n答："
    )
    return _record(sheet, "询问内容", lead)


def hearing_record(sheet: CaseSheet) -> list[Block]:
    lead = (
        "主持人宣布听证纪律，核对当事人身份，告知当事人的权利和义务（《中华人民共和国行政处罚法》第六十四条）。\n"
        f"案件调查人员提出的违法事实、证据和处罚建议：{sheet.facts or BLANK}\n"
        "当事人陈述、申辩和质证："
    )
    return _record(sheet, "听证经过", lead)


def statement_record(sheet: CaseSheet) -> list[Block]:
    lead = (
        "执法人员已出示执法证件，告知当事人享有陈述、申辩的权利"
        "（《中华人民共和国行政处罚法》第七条、第四十五条）。当事人陈述、申辩意见："
    )
    return _record(sheet, "陈述申辩", lead)


def address_confirmation(sheet: CaseSheet) -> list[Block]:
    rows = [
        *_case_rows(sheet),
        *_party_rows(sheet),
        Row((("送达地址", BLANK), ("邮政编码", BLANK))),
        Row((("联系电话", BLANK), ("电子送达方式", BLANK))),
        Row(
            (
                (
                    "告知事项",
                    "1. 当事人应当如实提供送达地址；地址变更的，应当及时书面告知本机关。"
                    "2. 提供的地址不准确或者变更后未告知，致使文书未能被实际接收的，"
                    "文书退回之日视为送达之日。"
                    "3. 当事人同意电子送达的，文书到达特定系统之日为送达之日"
                    "（《中华人民共和国行政处罚法》第六十一条）。",
                ),
            ),
            tall=True,
        ),
        Row(
            (("受送达人确认", f"本人已阅知上述告知事项，确认以上送达地址。\n{SIGN_LINE}"),),
            tall=True,
        ),
    ]
    return [Table(tuple(rows))]


def delivery_receipt(sheet: CaseSheet) -> list[Block]:
    served = [e for code, e in sheet.earlier.items() if code not in {"delivery_receipt"}]
    listed = "；".join(f"《{e.title}》{e.number}" for e in served) or BLANK
    rows = [
        Row((("送达文书名称及文号", listed),), tall=True),
        Row((("受送达人", sheet.party_names), ("送达地点", BLANK))),
        Row((("送达方式", "直接送达 / 留置送达 / 邮寄送达 / 电子送达"),)),
        Row((("受送达人签名", "＿＿年＿＿月＿＿日"), ("代收人及代收理由", BLANK))),
        Row((("送达人", _officers(sheet)),)),
        Row((("见证人", BLANK), ("备注", BLANK))),
    ]
    return [Table(tuple(rows))]


def on_the_spot_decision(sheet: CaseSheet) -> list[Block]:
    # 行政处罚法 第52条: the act, the kind and basis of the penalty, the fine, time and place,
    # the ways and periods of 复议 and 诉讼, the agency; signed or sealed by the officers.
    return [
        *_parties(sheet),
        Table(
            (
                Row((("违法时间", BLANK), ("违法地点", BLANK))),
                Row((("违法事实", sheet.facts.strip() or BLANK),), tall=True),
                Row((("处罚依据", _basis(sheet)),)),
            )
        ),
        Para("依据《中华人民共和国行政处罚法》第五十一条、第五十二条，当场作出如下行政处罚："),
        *_penalty_items(sheet),
        Para(
            "当事人应当自收到本决定书之日起十五日内，到指定的银行或者通过电子支付系统缴纳罚款"
            "（《中华人民共和国行政处罚法》第六十七条）；依法当场收缴的，执法人员出具专用票据。"
        ),
        _remedy(sheet, "本处罚决定"),
        Para(f"执法人员：{_officers(sheet)}", indent=False),
        Para(f"当事人已知悉上述事实、理由、依据和权利并签收{SIGN_LINE}", indent=False),
    ]


def site_record(sheet: CaseSheet) -> list[Block]:
    # 行政强制法 第18条: officers show their certificates, tell the party the grounds and its
    # rights, hear it; the party and the officers sign, a refusal is noted, or a witness signs.
    lead = (
        "执法人员已出示执法证件，当场告知当事人采取行政强制措施的理由、依据以及当事人依法享有的权利、"
        "救济途径，并听取当事人的陈述和申辩（《中华人民共和国行政强制法》第十八条）。\n"
        f"实施情况及查封、扣押的场所、设施或者财物：{_draft_text(sheet)}"
    )
    return [
        *_record(sheet, "现场情况", lead),
        Para(f"当事人拒绝签名的，注明情况；当事人不到场的，见证人{SIGN_LINE}", indent=False),
    ]


def _as_paras(blocks: list[Block]) -> list[Para]:
    """Blocks as paragraphs: a table's cells as "label：value" lines (for the published text)."""
    paras: list[Para] = []
    for block in blocks:
        if isinstance(block, Table):
            for row in block.rows:
                paras.append(Para("；".join(f"{label}：{value}" for label, value in row.cells)))
        elif isinstance(block, Para):
            paras.append(block)
    return paras


def on_the_spot_decision_body(sheet: CaseSheet) -> list[Para]:
    """The 当场行政处罚决定书 after its party block, as served (its table as lines): what the
    简易程序 case publishes (issue 10 item 11), from the same blocks the form is rendered from."""
    return _as_paras(on_the_spot_decision(sheet)[len(_parties(sheet)) :])


# The body of each decision (决定书): everything after the party block, i.e. the facts, the
# provision violated and the one applied, the kinds decided and the remedies. One function per
# kind, used by the document (after ``_parties``) and by the publication of the decision on the
# portal (disclosure.drafting), so the two cannot say different things.
DECISION_BODIES: dict[str, Callable[[CaseSheet], list[Para]]] = {
    "penalty_decision": penalty_decision_body,
    "no_penalty_decision": no_penalty_decision_body,
    "seizure_decision": seizure_decision_body,
    "licence_grant": licence_grant_body,
    "licence_refusal": licence_refusal_body,
    "on_the_spot_decision": on_the_spot_decision_body,
}


def decision_body(kind_code: str, sheet: CaseSheet) -> list[Para]:
    """The body paragraphs of a decision of ``kind_code`` (a key of ``DECISION_BODIES``)."""
    return DECISION_BODIES[kind_code](sheet)


def _decision(kind_code: str) -> Callable[[CaseSheet], list[Block]]:
    def blocks(sheet: CaseSheet) -> list[Block]:
        return [*_parties(sheet), *decision_body(kind_code, sheet)]

    blocks.__name__ = kind_code
    return blocks


penalty_decision = _decision("penalty_decision")
no_penalty_decision = _decision("no_penalty_decision")
seizure_decision = _decision("seizure_decision")
licence_grant = _decision("licence_grant")
licence_refusal = _decision("licence_refusal")


BUILDERS: dict[str, Callable[[CaseSheet], list[Block]]] = {
    "filing_approval": filing_approval,
    "inspection_record": inspection_record,
    "inquiry_record": inquiry_record,
    "evidence_preservation": evidence_preservation,
    "preservation_decision": preservation_decision,
    "seizure_decision": seizure_decision,
    "penalty_notice": penalty_notice,
    "hearing_notice": hearing_notice,
    "hearing_summons": hearing_summons,
    "hearing_record": hearing_record,
    "statement_record": statement_record,
    "collective_discussion": collective_discussion,
    "penalty_decision": penalty_decision,
    "no_penalty_decision": no_penalty_decision,
    "address_confirmation": address_confirmation,
    "delivery_receipt": delivery_receipt,
    "case_transfer": case_transfer,
    "closing_approval": closing_approval,
    "payment_reminder": payment_reminder,
    "enforcement_application": enforcement_application,
    "acceptance_notice": licence_acceptance,
    "inquiry_notice": inquiry_notice,
    "licence_rejection": licence_rejection,
    "rectification_order": rectification_order,
    "supplement_notice": licence_supplement,
    "licence_grant": licence_grant,
    "licence_refusal": licence_refusal,
    "on_the_spot_decision": on_the_spot_decision,
    "site_record": site_record,
    # h10b: 延长许可期限, 查封、扣押
    "licence_extension_notice": licence_extension_notice,
    "seizure_inventory": seizure_inventory,
    "seizure_extension": seizure_extension,
    "seizure_release": seizure_release,
    "on_spot_report": on_spot_report,
}

# Letters addressed to the party get a 主送 line; decisions name the party in the body instead.
_ADDRESSED = {
    "evidence_preservation",
    "preservation_decision",
    "payment_reminder",
    "penalty_notice",
    "hearing_notice",
    "hearing_summons",
    "acceptance_notice",
    "supplement_notice",
    "inquiry_notice",
    "licence_rejection",
    "rectification_order",
    "licence_extension_notice",  # h10b
}


# Documents served on each party apart, which may be issued for one party (the party's own
# 送达回证: 民事诉讼法 第87条 as 行政处罚法 第61条 applies it, one receipt per 受送达人; a 催告书 to
# each party that owes, 行政强制法 第35条; a 先行登记保存 notice to the holder of the goods).
# Every other kind names all the parties of the case.
PER_PARTY = frozenset(
    {"delivery_receipt", "payment_reminder", "evidence_preservation", "preservation_decision"}
)


def build(
    kind: Kind, sheet: CaseSheet, *, number: str, issued_on: date, verification_url: str = ""
) -> DocumentContent:
    blocks = tuple(BUILDERS[kind.code](sheet))
    recipient = f"{sheet.party_names}：" if kind.code in _ADDRESSED else ""
    # A decision is dated the day it was made (entering the decision stage), not the day printed.
    dated = sheet.decided_on if kind.decision and sheet.decided_on else issued_on
    return DocumentContent(
        kind=kind.code,
        title=kind.title,
        agency_name=sheet.agency_name,
        number=number,
        letter=kind.letter,
        recipient=recipient,
        blocks=blocks,
        signature=(sheet.agency_name,) if kind.letter else (),
        date_text=chinese_date(dated) if kind.letter else "",
        verification_url=verification_url,
    )
