"""Masking before publication (DOMAIN.md "Disclosure (公示)" → "Mask"; 政府信息公开条例 第十五条).

The module under test is pure Python: ``pytest -p no:django --noconftest`` runs these tests
without Django (the root conftest configures Django settings).
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanxiang.lib.masking import MaskSpan, mask_spans, mask_text

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def resident_id(first17: str) -> str:
    """``first17`` plus its GB 11643 check character (ISO 7064 MOD 11-2)."""
    total = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


def resident_id_ending_in_x() -> str:
    for seq in range(1000):
        rid = resident_id(f"21010219900101{seq:03d}")
        if rid.endswith("X"):
            return rid
    raise AssertionError("no sequence number gives X")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def luhn_complete(body: str) -> str:
    """``body`` plus the digit that makes it pass the Luhn check."""
    return next(body + d for d in "0123456789" if luhn_ok(body + d))


def credit_code(first17: str) -> str:
    """``first17`` plus its GB 32100 check character."""
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return first17 + CREDIT_ALPHABET[(31 - total % 31) % 31]


def full_width(s: str) -> str:
    return s.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))


ID = resident_id("21010219900101123")  # 210102199001011237
NAMES = ["张三", "张三丰", "李四", "欧阳娜娜"]


# --- resident IDs ---------------------------------------------------------------------------


def test_resident_id_keeps_the_first_three_and_last_two_characters():
    assert mask_text(f"公民身份号码：{ID}。") == "公民身份号码：210*************37。"


def test_resident_id_with_an_x_check_character_is_masked():
    rid = resident_id_ending_in_x()
    assert mask_text(f"身份证号{rid}") == f"身份证号{rid[:3]}{'*' * 13}{rid[-2:]}"
    assert mask_text(f"身份证号{rid[:-1]}x") == f"身份证号{rid[:3]}{'*' * 13}{rid[-2]}x"


def test_full_width_resident_id_is_masked_in_place():
    text = f"身份证号{full_width(ID)}，"
    assert mask_text(text) == f"身份证号{full_width('210')}{'*' * 13}{full_width('37')}，"


def test_resident_id_in_mixed_full_and_half_width_digits_is_masked():
    mixed = full_width(ID[:9]) + ID[9:]
    assert mask_text(mixed) == full_width("210") + "*" * 13 + "37"


def test_resident_id_split_by_spaces_is_masked():
    split = " ".join([ID[0:4], ID[4:8], ID[8:12], ID[12:16], ID[16:]])
    assert mask_text(f"身份证 {split} 。") == "身份证 210* **** **** **** 37 。"


def test_resident_id_split_by_hyphens_is_masked():
    assert mask_text(f"{ID[:6]}-{ID[6:14]}-{ID[14:]}") == "210***-********-**37"


def test_old_fifteen_digit_resident_id_is_masked():
    assert mask_text("身份证号：210102900101123，") == "身份证号：210**********23，"


def test_an_id_number_mistyped_in_its_check_digit_is_still_masked():
    wrong = ID[:17] + str((int(ID[17]) + 1) % 10)
    assert mask_text(f"身份证号码{wrong}") == f"身份证号码{wrong[:3]}{'*' * 13}{wrong[-2:]}"
    assert wrong[6:14] not in mask_text(f"编号{wrong}")


def test_an_all_digit_credit_code_shaped_like_an_id_stays():
    from sanxiang.lib.identifiers import is_valid_credit_code

    for tail in range(10):
        code = ID[:17] + str(tail)
        if is_valid_credit_code(code) and code[17] != ID[17]:
            assert mask_text(f"代码{code}") == f"代码{code}"


def test_unlabelled_addresses_after_jiazhu_zanzhu_zhuzai_are_masked():
    for label in ("家住", "暂住", "住在"):
        address = "辽宁省盘锦市兴隆台区振兴街8号"
        text = f"张某{label}{address}，系本案当事人。"
        assert mask_text(text) == f"张某{label}{'*' * len(address)}，系本案当事人。"


def test_id_with_an_impossible_birth_date_is_not_masked():
    bad = resident_id("21010219901301123")  # month 13
    assert mask_text(bad) == bad


def test_credit_code_stays_visible():
    text = "统一社会信用代码：91350100M000100Y43、91110000100006485K、91210000MA0XXXXXXX。"
    assert mask_text(text) == text


def test_all_digit_credit_code_stays_even_when_it_passes_luhn():
    code = next(
        c
        for n in itertools.count()
        if (c := credit_code(f"9121110{n:010d}"))[-1].isdigit() and luhn_ok(c)
    )
    assert mask_text(f"代码{code}") == f"代码{code}"


def test_id_shaped_number_after_a_credit_code_label_stays():
    text = f"统一社会信用代码：{ID}"
    assert mask_text(text) == text


# --- phones ---------------------------------------------------------------------------------


def test_a_natural_persons_mobile_number_is_removed_entirely():
    assert mask_text("联系电话：13812345678。") == "联系电话：***********。"


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("+86 138-1234-5678", "+86 ***-****-****"),
        ("8613812345678", "*************"),
        ("0086 139 1234 5678", "0086 *** **** ****"),
        ("138 1234 5678", "*** **** ****"),
    ],
)
def test_mobile_number_with_country_code_or_separators_is_masked(raw, masked):
    assert mask_text(f"手机{raw}。") == f"手机{masked}。"


def test_full_width_mobile_number_is_masked():
    assert mask_text(full_width("13812345678")) == "*" * 11


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("0427-2821234", "****-*******"),
        ("04272821234", "***********"),
        ("010-62345678", "***-********"),
        ("(0427)2821234", "(****)*******"),
        ("（０１０）６２３４５６７８", "（***）********"),
        ("0427-2821234-8001", "****-*******-****"),
        ("0427-2821234转8001", "****-*******转****"),
        ("2821234", "*******"),
        ("282-1234", "***-****"),
        ("62345678", "********"),
    ],
)
def test_a_landline_is_removed_entirely_with_or_without_its_area_code(raw, masked):
    assert mask_text(f"电话：{raw}，") == f"电话：{masked}，"


def test_a_landline_needs_a_real_area_code_and_local_number():
    text = "编号01012345678与00272821234"  # local number starting with 1; area code 00
    assert mask_text(text) == text


# --- bank cards -----------------------------------------------------------------------------


def test_luhn_valid_bank_card_keeps_the_last_four_digits():
    card = luhn_complete("622202020000123456")
    assert mask_text(f"卡号{card}。") == f"卡号{'*' * 15}{card[-4:]}。"


def test_bank_card_grouped_by_spaces_is_masked():
    card = luhn_complete("622202020000123")
    grouped = " ".join(card[i : i + 4] for i in range(0, 16, 4))
    assert mask_text(f"请转入 {grouped} 。") == f"请转入 **** **** **** {card[-4:]} 。"


def test_luhn_failing_sixteen_digit_number_that_is_no_phone_stays():
    card = luhn_complete("622202020000123")
    wrong = card[:-1] + str((int(card[-1]) + 1) % 10)
    assert not luhn_ok(wrong)
    assert mask_text(f"编号{wrong}") == f"编号{wrong}"


def test_account_after_a_label_is_masked_without_a_luhn_check():
    text = "开户银行：中国工商银行盘锦分行，账号：0711 0200 0920 0123 456。"
    assert mask_text(text) == "开户银行：中国工商银行盘锦分行，账号：**** **** **** ***3 456。"


# --- e-mail ---------------------------------------------------------------------------------


def test_email_local_part_is_masked_and_the_domain_stays():
    assert mask_text("邮箱：zhang.san@example.com。") == "邮箱：z********@example.com。"
    assert mask_text("邮箱 a@qq.cn") == "邮箱 *@qq.cn"


def test_email_made_of_a_phone_number_is_masked_as_one_email():
    spans = mask_spans("邮箱13812345678@163.com")
    assert [s.kind for s in spans] == ["email"]
    assert mask_text("邮箱13812345678@163.com") == "邮箱1**********@163.com"


# --- addresses ------------------------------------------------------------------------------


def test_address_after_a_label_is_masked_to_the_end_of_the_clause():
    address = "辽宁省盘锦市兴隆台区幸福小区3号楼2单元501室"
    text = f"住址：{address}，联系电话：13812345678。"
    assert mask_text(text) == f"住址：{'*' * len(address)}，联系电话：{'*' * 11}。"


@pytest.mark.parametrize(
    "label",
    ["住址：", "家庭住址：", "住所：", "户籍地：", "居住地：", "现住址为", "现住", "家庭住址 "],
)
def test_each_residence_label_starts_an_address(label):
    address = "盘锦市兴隆台区某街1号"
    assert mask_text(f"当事人{label}{address}。") == f"当事人{label}{'*' * len(address)}。"


def test_address_stops_before_a_contact_label_and_the_phone_is_masked_separately():
    address = "盘锦市兴隆台区某街"
    text = f"家庭住址为{address} 电话13912345678，"
    assert mask_text(text) == f"家庭住址为{'*' * len(address)} 电话{'*' * 11}，"


def test_the_court_of_the_domicile_is_not_an_address():
    text = "可向被申请人住所地人民法院申请强制执行；居住地公安机关"
    assert mask_text(text) == text


# --- names ----------------------------------------------------------------------------------


def test_every_occurrence_of_a_name_becomes_surname_and_mou():
    assert mask_text("证人李四称，李四当日在场。", names=["李四"]) == "证人李某称，李某当日在场。"


def test_longer_names_are_masked_first():
    text = "张三丰与张三同行"
    assert mask_text(text, names=["张三", "张三丰"]) == "张某与张某同行"
    assert mask_text(text, names=["张三丰", "张三"]) == "张某与张某同行"


def test_compound_surname_keeps_both_characters():
    assert (
        mask_text("欧阳娜娜、司马光、欧阳", names=["欧阳娜娜", "司马光"]) == "欧阳某、司马某、欧阳"
    )


def test_a_single_string_counts_as_one_name():
    assert mask_text("张三和张飞", names="张三") == "张某和张飞"


def test_unusable_names_are_ignored():
    text = "张三、欧阳、王某"
    assert mask_text(text, names=["张", "欧阳", "王某", "", "  "]) == text


def test_a_name_overlapping_a_label_that_decides_is_left_alone():
    assert mask_text("现住址不详", names=["住址"]) == "现住址不详"


def test_names_are_masked_inside_organisation_names_too():
    assert mask_text("张三商店", names=["张三"]) == "张某商店"


# --- what stays visible ---------------------------------------------------------------------


def test_amounts_dates_articles_and_document_numbers_stay_visible():
    text = (
        "兴民宗罚决字〔2026〕第1号：依据《宗教事务条例》第七十一条，罚款人民币150,000.00元"
        "（人民币壹拾伍万元整），没收违法所得15000000000元、￥13812345678，于2026年3月1日"
        "（2026-03-01，20260301）作出；案号（2026）辽1103行初123号，编号XLT-13812345678、"
        "A13812345678B，注册号：210000400012345。"
    )
    assert mask_text(text) == text


def test_decimals_of_an_amount_are_not_a_number_to_mask():
    text = "合计922268821233.900047400339元"
    assert mask_text(text) == text


def test_text_masked_before_is_left_alone():
    text = "身份证号210*************37，电话138****5678，卡号************1111。"
    assert mask_text(text) == text


def test_a_footnote_star_does_not_protect_a_phone():
    assert mask_text("电话13812345678*") == "电话" + "*" * 11 + "*"


# --- spans ----------------------------------------------------------------------------------


def test_spans_report_kind_position_and_replacement():
    text = f"张三，{ID}，13812345678"
    assert mask_spans(text, names=["张三"]) == [
        MaskSpan(0, 2, "name", "张某"),
        MaskSpan(3, 21, "resident_id", "210*************37"),
        MaskSpan(22, 33, "phone", "*" * 11),
    ]


def test_mask_spans_is_frozen():
    span = mask_spans("13812345678")[0]
    with pytest.raises(AttributeError):
        span.start = 1  # type: ignore[misc]


def test_masking_without_names_keeps_every_position():
    text = f"住址：某街1号，{full_width(ID)}，a.b@x.cn，0427-2821234，" * 3
    masked = mask_text(text)
    assert len(masked) == len(text)
    for span in mask_spans(text):
        assert masked[span.start : span.end] == span.replacement


# --- properties -----------------------------------------------------------------------------

FRAGMENTS = [
    ID,
    full_width(ID),
    resident_id_ending_in_x(),
    f"{ID[:6]}-{ID[6:14]}-{ID[14:]}",
    " ".join([ID[0:4], ID[4:8], ID[8:12], ID[12:16], ID[16:]]),
    "210102900101123",
    "13812345678",
    "+86 139-1234-5678",
    "8613912345678",
    full_width("13812345678"),
    "0427-2821234",
    "(0427)2821234转8",
    "010-62345678-123",
    luhn_complete("622202020000123456"),
    "6222 0202 0000 1234 567",
    "账号：",
    "统一社会信用代码：",
    "91350100M000100Y43",
    "a.b@qq.com",
    "@163.com",
    "住址：",
    "住址：" + "a" * 205,  # longer than the address cap
    "现住",
    "现住址",
    "位于",
    "盘锦市兴隆台区",
    "人民币",
    "150,000.00元",
    "2026年3月1日",
    "20260301",
    "〔2026〕第1号",
    "张三",
    "张三丰",
    "欧阳娜娜",
    "某",
    "*",
    "****",
    " ",
    "-",
    "，",
    "。",
    "\n",
    "X",
    "a",
    ".",
]
fragment_text = st.lists(
    st.one_of(
        st.sampled_from(FRAGMENTS),
        st.text(alphabet="0123456789０１ -*Xa@.张三（）", min_size=1, max_size=4),
    ),
    max_size=30,
).map("".join)
# Some names overlap labels or other names on purpose.
name_lists = st.lists(st.sampled_from([*NAMES, "三丰", "娜娜李", "住址", "人民"]), max_size=4)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fragment_text, name_lists)
def test_masking_twice_changes_nothing_more(text, names):
    once = mask_text(text, names=names)
    assert mask_text(once, names=names) == once


@settings(max_examples=200, deadline=None)
@given(fragment_text, name_lists)
def test_spans_are_sorted_disjoint_and_rebuild_mask_text(text, names):
    spans = mask_spans(text, names=names)
    rebuilt, pos = [], 0
    for span in spans:
        assert pos <= span.start < span.end <= len(text)
        assert text[span.start : span.end] != span.replacement
        rebuilt += [text[pos : span.start], span.replacement]
        pos = span.end
    assert "".join([*rebuilt, text[pos:]]) == mask_text(text, names=names)


@settings(max_examples=300, deadline=None)
@given(st.text(), st.lists(st.text(), max_size=5))
def test_no_input_makes_masking_raise(text, names):
    assert isinstance(mask_text(text, names=names), str)


# --- failing safe: more kinds of personal data (issue 12, item 4) ---------------------------


def test_a_fifteen_or_eighteen_digit_number_after_an_id_label_is_masked_whatever_it_holds():
    assert mask_text("身份证号：210102851301123") == "身份证号：210**********23"
    assert mask_text("公民身份号码991234199013011234") == "公民身份号码991*************34"


def test_an_unlabelled_home_address_with_a_flat_number_is_masked():
    address = "辽宁省盘锦市兴隆台区兴隆街道幸福小区12号楼3单元502室"
    text = f"当事人张某，{address}，于2026年3月1日"
    assert mask_text(text) == f"当事人张某，{'*' * len(address)}，于2026年3月1日"


def test_a_village_group_and_a_compound_number_are_addresses():
    assert mask_text("经查，当事人在兴隆村3组组织活动") == "经查，当事人在" + "*" * 5 + "组织活动"
    assert "5-2-301" not in mask_text("当事人在振兴小区5-2-301组织活动")


def test_a_registered_seat_without_a_flat_number_stays():
    text = "本机关地址：盘锦市兴隆台区振兴路18号；宗教活动场所位于兴隆街道兴隆村"
    assert mask_text(text) == text


@pytest.mark.parametrize(
    "raw",
    [
        "微信号：zhang_san88",
        "微信 wxid-abc123",
        "QQ：12345678",
        "QQ号码为 987654321",
        "抖音号abc12345",
    ],
)
def test_wechat_qq_and_similar_ids_are_removed(raw):
    masked = mask_text(f"{raw}，")
    assert not any(c.isalnum() and c.isascii() for c in masked.replace("QQ", ""))


def test_a_licence_plate_keeps_only_its_province():
    assert mask_text("驾驶辽K·12345号小型汽车") == "驾驶辽*·*****号小型汽车"
    assert mask_text("车牌京AD12345。") == "车牌京*******。"


def test_a_plate_shaped_part_of_a_code_stays():
    text = "京ICP备12345678号 XL辽K12345B"
    assert mask_text(text) == text


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("1985年3月2日出生", "****年*月*日出生"),
        ("出生日期：1985-03-02", "出生日期：****-**-**"),
        ("生于一九八五年十二月", "生于****年**月"),
        ("19850302生", "********生"),
    ],
)
def test_a_date_of_birth_is_masked(raw, masked):
    assert mask_text(f"当事人，男，{raw}，") == f"当事人，男，{masked}，"


def test_a_decision_date_is_no_date_of_birth():
    text = "本机关于2026年3月1日作出决定，自2026年3月2日起生效。"
    assert mask_text(text) == text


def test_ethnicity_religion_and_health_of_a_person_are_masked():
    text = (
        "男，回族，民族：满族，宗教信仰：伊斯兰教，信仰佛教，健康状况：良好，患有高血压，"
        "系肢体二级残疾。"
    )
    masked = mask_text(text)
    for word in ("回族", "满族", "伊斯兰教", "佛教", "良好", "高血压", "残疾"):
        assert word not in masked
    assert masked.startswith("男，**，民族：**，宗教信仰：****，")


def test_the_agencys_own_name_and_the_law_on_religion_stay():
    text = (
        "盘锦市兴隆台区民族和宗教事务局依据《宗教事务条例》，公民有宗教信仰自由，"
        "保护信教群众合法权益。"
    )
    assert mask_text(text) == text


def test_names_recognised_by_their_role_are_masked_wherever_they_appear():
    text = "证人王五证实，其妻子李四在场；员工赵六、钱七均表示不知情。王五另称属实。"
    masked = "证人王某证实，其妻子李某在场；员工赵某、钱某均表示不知情。王某另称属实。"
    assert mask_text(text) == masked
    notes = {text[s.start : s.end]: s.note for s in mask_spans(text)}
    assert notes == {"王五": "证人", "李四": "妻子", "赵六": "员工", "钱七": "员工"}


def test_a_role_followed_by_a_verb_is_no_name():
    text = "证人陈述称，证人于当日到场，员工均表示不知情。"
    assert mask_text(text) == text


def test_a_minor_keeps_not_even_the_surname():
    assert mask_text("其子张小明（未成年）在场") == "其子某某（未成年）在场"
    assert mask_text("未成年人李华在场，李华称") == "未成年人某某在场，某某称"
    assert mask_text("王小红到场", minors=["王小红"]) == "某某到场"


def test_what_is_kept_stays_even_where_a_rule_would_mask_it():
    text = "联系电话：0427-2821234（本机关），当事人电话0427-2825678，员工王五。"
    masked = mask_text(text, keep=["0427-2821234", "王五"])
    assert masked == "联系电话：0427-2821234（本机关），当事人电话****-*******，员工王五。"


def test_an_organisations_name_in_keep_protects_a_name_inside_it():
    masked = mask_text("张三商店负责人张三", names=["张三"], keep=["张三商店"])
    assert masked == "张三商店负责人张某"


def test_company_names_credit_codes_document_numbers_payment_slips_and_amounts_stay():
    code = credit_code("91211103MA0123456")
    text = (
        f"盘锦某某宗教用品有限公司（统一社会信用代码：{code}）：兴民宗罚决字〔2026〕第1号，"
        "罚款人民币20,000.00元，缴款书编号：2106032026011500012，"
        "缴款书号码210603198501011234，于2026年3月1日缴纳。"
    )
    assert mask_text(text) == text


PERSONAL_FRAGMENTS = [
    "证人王五",
    "其妻子李四",
    "员工赵六、钱七",
    "其子张小明（未成年）",
    "微信号：abc_123",
    "QQ：12345678",
    "辽K·12345",
    "1985年3月2日出生",
    "出生日期：",
    "男，回族，",
    "民族：",
    "宗教信仰：伊斯兰教",
    "患有高血压",
    "二级残疾",
    "12号楼3单元502室",
    "兴隆村3组",
    "电话：2821234",
    "身份证号：",
    "210102851301123",
]
personal_text = st.lists(
    st.one_of(
        st.sampled_from(PERSONAL_FRAGMENTS + FRAGMENTS),
        st.text(alphabet="0123456789 -*王五李四某（）：，号楼室组", min_size=1, max_size=4),
    ),
    max_size=25,
).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(personal_text, st.lists(st.sampled_from(NAMES), max_size=3))
def test_masking_personal_attributes_twice_changes_nothing_more(text, names):
    once = mask_text(text, names=names, minors=["王小红"], keep=["0427-2821234"])
    assert mask_text(once, names=names, minors=["王小红"], keep=["0427-2821234"]) == once


@settings(max_examples=200, deadline=None)
@given(personal_text, name_lists)
def test_personal_spans_are_sorted_and_disjoint(text, names):
    pos = 0
    for span in mask_spans(text, names=names):
        assert pos <= span.start < span.end <= len(text)
        pos = span.end
