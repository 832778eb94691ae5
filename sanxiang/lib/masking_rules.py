"""Recognisers of personal data that is not a long number: the part of ``masking`` that reads
words (DOMAIN.md, "Mask"; 个人信息保护法 第28条 names 宗教信仰、医疗健康 and 行踪轨迹 as sensitive
personal information, and 民族 is treated alike by this 民宗局's practice).

Each recogniser yields candidates ``(rank, start, end, kind, replacement)`` for
``masking._select``; every replacement is as long as what it replaces and made of ``*`` (a
plate keeps its province character), so no pattern here matches its own output and masking
stays idempotent.

* ``contact`` — a WeChat, QQ, 抖音 or 快手 id after its label (微信号：abc_123, QQ 12345678).
* ``plate`` — a licence plate (GA 36: 辽K·12345, 京AD12345 for new-energy cars). The text rarely
  says whether the car is a company's, so every plate is masked and staff lift the mask, with a
  recorded reason, for a company vehicle that should stay.
* ``birth_date`` — a date after 出生日期/生于 … or before 出生/生 (1990年1月2日出生).
* ``ethnicity`` — the value after 民族：, and any of the 56 民族 standing alone between commas
  (男，回族，…).
* ``religion`` — the value after 宗教信仰：/信仰：, a religion after 信仰/信奉/皈依, and 系X教信徒.
* ``health`` — the value after 健康状况：/病史：/诊断…, what follows 患有/罹患/确诊为 to the end of
  the clause, and a 残疾 grade.
* ``local_phone`` — a 7- or 8-digit number without an area code after a phone label
  (电话：2821234): the long-number pass only sees numbers of 11 digits or more.
* role names — a natural person recognised by the word before the name (证人王五, 其妻子李四,
  员工赵六、钱七): :func:`role_names` returns the names and whether the role makes the person a
  minor; ``masking`` then masks every occurrence. A name is a common surname and one or two
  given characters; a given character that is a function word or verb (于、在、称、证实 …)
  ends or refuses it. This is a heuristic: it misses a rare surname and may take a word that
  starts with a surname character; the staff preview shows every such span with its role.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator

_Cand = tuple[int, int, int, str, str]


def _words(s: str) -> list[str]:
    return s.split()


STAR = "*"

_D = "0-9０-９"
_DIGIT_CHARS = frozenset("0123456789０１２３４５６７８９")
_WS = "[ \t\u3000]*"
_END = re.escape("，。；,;\n\r\t)）】]、|")  # a clause ends at one of these
_VALUE = "[^" + _END + "：:A-Za-z0-9０-９@＠.*＊ ]"  # a value never runs into a number

# --- contact ids ---------------------------------------------------------------------------

_CONTACT_RE = re.compile(
    "(?:微信号码|微信账号|微信号|微信ID|微信|WeChat|wechat|WECHAT|QQ号码|QQ号|QQ|qq|ＱＱ"
    "|抖音号|快手号)"
    f"{_WS}(?:[：:为是]{_WS})?"
    f"(?P<value>[A-Za-z][-_A-Za-z0-9]{{5,19}}|[{_D}]{{5,12}})(?![-_A-Za-z0-9{_D}@.])"
)

# --- plates --------------------------------------------------------------------------------

_PROVINCE_CHARS = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE_LETTER = "A-HJ-NP-Z"  # GA 36 leaves out I and O
_PLATE_LETTER_RE = re.compile(f"[{_PLATE_LETTER}]")
_PLATE_RE = re.compile(
    f"(?<![A-Za-z0-9０-９*＊])[{_PROVINCE_CHARS}][{_PLATE_LETTER}][·•・\\- ]?"
    f"(?:[DF][{_PLATE_LETTER}0-9]{{5}}|[{_PLATE_LETTER}0-9]{{5}}[DF]"
    f"|[{_PLATE_LETTER}0-9]{{4}}[{_PLATE_LETTER}0-9挂学警港澳])(?![A-Za-z0-9０-９Ａ-Ｚａ-ｚ])"
)

# --- dates of birth ------------------------------------------------------------------------

_NUMERALS = "〇零一二三四五六七八九十"
_DATE = (
    f"(?:[{_D}]{{4}}年[{_D}]{{1,2}}月(?:[{_D}]{{1,2}}[日号])?"
    f"|[{_D}]{{4}}[-./][{_D}]{{1,2}}[-./][{_D}]{{1,2}}"
    f"|(?:19|20)[{_D}]{{6}}(?![{_D}])"
    f"|[{_NUMERALS}]{{4}}年[{_NUMERALS}]{{1,2}}月(?:[{_NUMERALS}]{{1,3}}日)?)"
)
_BIRTH_BEFORE_RE = re.compile(
    f"(?:出生日期|出生年月日|出生年月|出生时间|出生于|生日|生于){_WS}(?:[：:为是]{_WS})?"
    f"(?P<value>{_DATE})"
)
# Found from the 生 backwards: a scan for dates would try every digit of the text.
_BIRTH_AFTER_RE = re.compile(f"(?P<value>{_DATE}){_WS}(?:出|)$")
_BIRTH_LOOKBACK = 24

# --- 民族, 宗教信仰, health ------------------------------------------------------------------

ETHNIC_GROUPS = _words(
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 土家族 哈尼族"
    " 哈萨克族 傣族 黎族 傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 柯尔克孜族 土族"
    " 达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族"
    " 乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 独龙族 鄂伦春族 赫哲族"
    " 门巴族 珞巴族 基诺族"
)
_ETHNIC_ALT = "|".join(sorted(ETHNIC_GROUPS, key=len, reverse=True))
_ETHNIC_LABEL_RE = re.compile(f"民族{_WS}[：:为]{_WS}(?P<value>{_VALUE}{{1,8}})")
_ETHNIC_ALONE_RE = re.compile(f"(?P<value>{_ETHNIC_ALT})(?=[，,、。；; \u3000\n]|$)")
_ETHNIC_BEFORE = "，,、；; \u3000\n"

RELIGIONS = _words("藏传佛教 汉传佛教 南传佛教 佛教 道教 伊斯兰教 天主教 基督教 东正教 新教 萨满教")
_RELIGION_ALT = "|".join(RELIGIONS)
_RELIGION_LABEL_RE = re.compile(
    f"(?:宗教信仰|信教情况|信仰){_WS}[：:为]{_WS}(?P<value>{_VALUE}{{1,12}})"
)
_RELIGION_VERB_RE = re.compile(f"(?:信仰|信奉|皈依|信){_WS}(?P<value>{_RELIGION_ALT})")
_RELIGION_MEMBER_RE = re.compile(
    f"系{_WS}(?P<value>(?:{_RELIGION_ALT})(?:信徒|教徒|信众)|穆斯林|基督徒)"
)

_HEALTH_LABEL_RE = re.compile(
    f"(?:健康状况|身体状况|既往病史|病史|病情|诊断结果|诊断){_WS}[：:为是]{_WS}"
    f"(?P<value>{_VALUE}{{1,40}})"
)
_HEALTH_VERB_RE = re.compile(
    f"(?:确诊患有|患有|罹患|身患|确诊为|诊断为|被诊断为){_WS}(?P<value>{_VALUE}{{1,40}})"
)
_DISABILITY_RE = re.compile("(?P<value>[一二三四1-4１-４]级残疾)")
_DISABILITY_KINDS = ("视力", "听力", "言语", "肢体", "智力", "精神", "多重")

# --- phones without an area code -----------------------------------------------------------

_LOCAL_PHONE_RE = re.compile(
    "(?:联系电话|电话号码|联系号码|联系方式|固定电话|座机|电话|手机号码|手机号|手机|Tel|TEL|tel)"
    f"{_WS}(?:[：:为是]{_WS})?(?<![{_D}])(?P<value>[2-9２-９][{_D}]{{2,3}}[-－ ]?[{_D}]{{4}})"
    f"(?![{_D}\\-－.．元])"
)


def _starred(text: str, start: int, end: int, keep: str = "") -> str:
    """Stars for ``text[start:end]``, leaving characters in ``keep`` and blanks as they are."""
    return "".join(c if c in keep else STAR for c in text[start:end])


def _overlapping(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """Every match, also one starting inside the value of another: which of two overlapping
    candidates wins is for ``masking._select`` to say, the same way on every pass."""
    pos = 0
    while (m := pattern.search(text, pos)) is not None:
        yield m
        pos = max(m.start() + 1, m.start("value"))


def attribute_candidates(text: str, rank: dict[str, int]) -> Iterator[_Cand]:
    """Contact ids, plates, dates of birth, 民族, 宗教信仰, health and short phone numbers."""
    found: list[tuple[str, re.Pattern[str], str]] = [("contact", _CONTACT_RE, "")]
    found.append(("local_phone", _LOCAL_PHONE_RE, "-－ "))
    found += [
        ("birth_date", _BIRTH_BEFORE_RE, "年月日号-./"),
        ("ethnicity", _ETHNIC_LABEL_RE, ""),
        ("ethnicity", _ETHNIC_ALONE_RE, ""),
        ("religion", _RELIGION_LABEL_RE, ""),
        ("religion", _RELIGION_VERB_RE, ""),
        ("religion", _RELIGION_MEMBER_RE, ""),
        ("health", _HEALTH_LABEL_RE, ""),
        ("health", _HEALTH_VERB_RE, ""),
        ("health", _DISABILITY_RE, ""),
    ]
    for kind, pattern, keep in found:
        for m in _overlapping(pattern, text):
            s, e = m.span("value")
            if pattern is _ETHNIC_ALONE_RE and s > 0 and text[s - 1] not in _ETHNIC_BEFORE:
                continue  # 回族 inside a longer word, not standing alone
            if pattern is _DISABILITY_RE:
                s = next((s - 2 for k in _DISABILITY_KINDS if text.startswith(k, s - 2)), s)
            value = text[s:e].rstrip()
            e = s + len(value)
            if e == s or (e < len(text) and text[e] in _GLUED_AFTER):
                continue  # stars glued to a number or an e-mail would change how it reads
            if s > 0 and text[s - 1] in _GLUED_AFTER:
                continue
            if STAR not in value and "＊" not in value:
                yield (rank[kind], s, e, kind, _starred(text, s, e, keep))
    yield from _births(text, rank["birth_date"])
    for m in _PLATE_LETTER_RE.finditer(text):
        if m.start() == 0 or text[m.start() - 1] not in _PROVINCE_CHARS:
            continue
        plate = _PLATE_RE.match(text, m.start() - 1)
        if plate is not None:
            s, e = plate.span()
            yield (rank["plate"], s, e, "plate", text[s] + _starred(text, s + 1, e, "·•・- "))


def _births(text: str, rank: int) -> Iterator[_Cand]:
    """Dates right before 出生/生/生人 (1990年1月2日出生), found from the 生."""
    at = text.find("生")
    while at != -1:
        if not text.startswith(("生产", "生效", "生活"), at):
            lo = max(0, at - _BIRTH_LOOKBACK)
            m = _BIRTH_AFTER_RE.search(text, lo, at)
            glue = _DIGIT_CHARS | _GLUED_AFTER
            if m is not None and (m.start() == 0 or text[m.start() - 1] not in glue):
                s, e = m.span("value")
                if STAR not in text[s:e]:
                    yield (rank, s, e, "birth_date", _starred(text, s, e, "年月日号-./"))
        at = text.find("生", at + 1)


# --- unlabelled addresses ------------------------------------------------------------------

# Only homes have flats: a building, entrance, room or village group number marks an address
# as somebody's residence (a registered seat or a venue reads 某路18号 and stays).
_UNIT_RE = re.compile(
    f"[{_D}]+(?:[-－][{_D}]+)*(?:号楼|栋|幢|单元|室|户)"
    f"|村[{_D}{_NUMERALS}]+组"
    f"|(?:小区|花园|家园|公寓|新村|社区|大厦)[{_D}]+[-－][{_D}]+(?:[-－][{_D}]+)?"
)
# What an address is written with: Han characters other than the words that begin or end a
# clause around it, digits, hyphens and the 号 of its numbers.
_ADDRESS_BREAK = set(
    "在于至到往住居是为的和与及或从向给对把被将已曾并且也其系由该本此经称"
    "当事人户证询问笔录现场查实如下址生话箱别族码"
)
_ADDRESS_CHAR_RE = re.compile(f"[\u4e00-\u9fff{_D}\\-－#＃]")
_UNIT_DIGITS = frozenset("0123456789０１２３４５６７８９-－")
_NUMERAL_SET = frozenset(_NUMERALS)
_GLUED_AFTER = frozenset(
    string.ascii_letters + string.digits + "@＠._%+-*＊０１２３４５６７８９ＸｘＡＢＣＤＥＦ"
)
_UNIT_TAIL_RE = re.compile(
    f"(?:[{_D}]+(?:[-－][{_D}]+)*(?:号楼|号院|号|栋|幢|单元|层|楼|室|户|组)?)+"
)
_MAX_LEFT = 40


def _extend_left(text: str, s: int) -> int:
    k = s
    while k > 0 and s - k < _MAX_LEFT:
        c = text[k - 1]
        if c in _ADDRESS_BREAK or not _ADDRESS_CHAR_RE.match(c):
            break
        k -= 1
    return k


_UNIT_ANCHOR_RE = re.compile(
    f"号楼|[栋幢室户]|单元|(?<=[{_D}{_NUMERALS}])组|(?:小区|花园|家园|公寓|新村|社区|大厦)(?=[{_D}])"
)
_UNIT_LOOKBACK = 12


def _units(text: str) -> Iterator[re.Match[str]]:
    """``_UNIT_RE`` matches, found from their unit word (a scan would try every digit).

    Every unit word is tried, also inside a match: the caller may refuse the longer one.
    """
    for anchor in _UNIT_ANCHOR_RE.finditer(text):
        a = anchor.start()
        if anchor.group()[0] in "小花家公新社大":
            m = _UNIT_RE.match(text, a)
        else:
            back = a
            digits = _UNIT_DIGITS | _NUMERAL_SET if anchor.group() == "组" else _UNIT_DIGITS
            while back > 0 and a - back < _UNIT_LOOKBACK and text[back - 1] in digits:
                back -= 1
            m = _UNIT_RE.match(text, back) if back < a else None
            if m is None and back < a and back > 0 and text[back - 1] == "村":
                m = _UNIT_RE.match(text, back - 1)
        if m is not None:
            yield m


def unit_addresses(text: str, rank: int) -> Iterator[_Cand]:
    """Addresses with a flat or village group number, wherever they stand (no label)."""
    pos = 0
    for m in _units(text):
        if m.start() < pos:
            continue
        if m.start() > 0 and text[m.start() - 1] in _DIGIT_CHARS | {"第"}:
            continue  # 第3组 is a group of evidence, not of a village
        start = _extend_left(text, m.start())
        tail = _UNIT_TAIL_RE.match(text, m.end())
        end = tail.end() if tail is not None else m.end()
        if (end < len(text) and text[end] in _GLUED_AFTER) or (
            start > 0 and text[start - 1] in _GLUED_AFTER
        ):
            continue  # glued to an e-mail address, a code or a mask, which have their own rules
        if m.start() - start >= 2 or m.group().startswith(("村", "小区", "花园", "家园")):
            yield (rank, start, end, "address", STAR * (end - start))
            pos = end


# --- names recognised by role --------------------------------------------------------------

SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚"
    "邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳"
    "甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解"
    "牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边"
    "卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗"
    "燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索"
    "宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危"
    "玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
)
_COMPOUND = frozenset(
    _words("欧阳 司马 上官 诸葛 慕容 东方 皇甫 尉迟 公孙 令狐 长孙 宇文 司徒 夏侯 轩辕 呼延 端木")
)
# A given character that is one of these is no name: it starts the words after it.
_NOT_FIRST = set(
    "于在的和与及等也是系为将已均曾对把被因从所并还又就都亦即则当不没未称说证述某人们个"
    "某等年月日时分秒号元第"
)
# A second given character that is one of these ends the name after one character.
_NOT_SECOND = _NOT_FIRST | set(
    "作陈表反出到向提交现家其之拒要会能可指签按承认确担看见听告诉知参加负经受帮替代携带领开"
    "驾租买卖住居至上下前后里内外中来去自同予给让叫向亲曾均先再也向"
)
ROLES = _words(
    "委托代理人 法定代理人 代理人 监护人 证人 举报人 投诉人 被询问人 被调查人 见证人 知情人"
    " 妻子 丈夫 配偶 之妻 之夫 其妻 其夫 儿子 女儿 之子 之女 其子 其女 父亲 母亲 其父 其母"
    " 岳父 岳母"
    " 公公 婆婆 哥哥 弟弟 姐姐 妹妹 兄长 孙子 孙女 外孙 亲属 亲戚 邻居 同事 朋友 室友 房东 租户"
    " 承租人 出租人 员工 雇员 职工 店员 工作人员 管理人员 负责人 经营者 驾驶员 司机 村民 居民"
    " 信教群众 群众 教职人员 未成年人 未成年子女 幼儿 儿童 小孩 孩子 学生"
)
MINOR_ROLES = frozenset(_words("未成年人 未成年子女 幼儿 儿童 小孩 孩子 学生"))
_ROLE_RE = re.compile(
    "(?:" + "|".join(sorted(ROLES, key=len, reverse=True)) + f"){_WS}(?:[：:]{_WS}|为|是)?"
)
_HAN_RE = re.compile("[\u4e00-\u9fff]")
_JOIN = "、和及与,，"
_MINOR_AFTER_RE = re.compile(f"{_WS}[（(](?:系)?未成年")


def _name_at(text: str, pos: int, starts: frozenset[int]) -> str:
    """A surname and one or two given characters starting at ``pos``, or "".

    A character where another mask starts (``starts``), or one a mask kept before its stars
    (the 辽 of 辽*·*****), is no part of a name: so the name is the same when masking again.
    """
    if text.startswith(tuple(_COMPOUND), pos):
        surname = text[pos : pos + 2]
    elif pos < len(text) and text[pos] in SURNAMES:
        surname = text[pos]
    else:
        return ""
    k = pos + len(surname)
    given = ""
    for limit in (_NOT_FIRST, _NOT_SECOND):
        c = text[k] if k < len(text) else ""
        if not c or not _HAN_RE.match(c) or c in limit or k in starts:
            break
        if k + 1 < len(text) and text[k + 1] in "*＊":
            break
        given += c
        k += 1
    return surname + given if given else ""


def role_names(text: str, starts: frozenset[int] = frozenset()) -> list[tuple[str, str, bool]]:
    """(name, role, is_minor) for each person named right after a role word."""
    out: list[tuple[str, str, bool]] = []
    start = 0
    while (m := _ROLE_RE.search(text, start)) is not None:
        role = m.group().rstrip("：: \t\u3000为是")
        pos = m.end()
        for _ in range(6):  # 证人王五、赵六和钱七
            name = _name_at(text, pos, starts)
            if not name:
                break
            minor = role in MINOR_ROLES or _MINOR_AFTER_RE.match(text, pos + len(name)) is not None
            out.append((name, role, minor))
            pos += len(name)
            if pos < len(text) and text[pos] in _JOIN:
                pos += 1
            else:
                break
        # 其妻子李四: 其妻 matched first and named nobody, so 妻子 gets its turn.
        start = pos if pos > m.end() else m.start() + 1
    return out
