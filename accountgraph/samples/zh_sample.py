"""The Chinese sample account beside the English one: 华康医疗集团 (Huakang Medical Group), a medical-device group
with a parent (集团), three subsidiaries (子公司) and two factories (工厂), 56 people with Chinese names (family name
first), titles and departments, their decision roles, stances and reporting lines, our iron triangle (铁三角: 客户经理,
解决方案专家, 交付经理, with an executive sponsor and a service engineer), the ties among them, our interactions and
a few risk events.

Written by hand (not generated), so every name, title and tie is one a Chinese key-account team would recognise.
Every date is a number of days before the reference day (the demo's today), so the relationships are as fresh on
any day the demo runs; the same reference gives the same bundle, so loading it twice is an upsert of equal records.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from accountgraph.schema.models import (
    Bundle,
    Company,
    Interaction,
    InteractionKind,
    Person,
    PersonState,
    RiskEvent,
    RiskKind,
    Role,
    Stance,
    TeamFunction,
    TeamMember,
    Tie,
    TieType,
    today,
)

__all__ = ["ZH_ACCOUNT_ID", "ZH_NAME", "zh_sample_bundle"]

ZH_ACCOUNT_ID = "huakang"
ZH_NAME = "华康医疗集团"

_A = ZH_ACCOUNT_ID
_DM, _EB, _TB, _UB = Role.DECISION_MAKER, Role.ECONOMIC_BUYER, Role.TECHNICAL_BUYER, Role.USER_BUYER
_INF, _CH, _CO, _GK, _BL = Role.INFLUENCER, Role.CHAMPION, Role.COACH, Role.GATEKEEPER, Role.BLOCKER
_S, _N, _O, _U = Stance.SUPPORTER, Stance.NEUTRAL, Stance.OPPONENT, Stance.UNKNOWN

# id, name, parent, industry, city
_COMPANIES = (
    ("", "华康医疗集团", None, "医疗器械", "北京"),
    ("c01", "华康影像设备有限公司", "", "医学影像设备", "上海"),
    ("c02", "华康生命科技有限公司", "", "监护与生命支持设备", "深圳"),
    ("c03", "华康体外诊断（杭州）有限公司", "", "体外诊断试剂与仪器", "杭州"),
    ("c04", "华康影像苏州工厂", "c01", "影像设备制造", "苏州"),
    ("c05", "华康生命深圳光明工厂", "c02", "监护设备制造", "深圳"),
)

# number, name, e-mail name (pinyin), company, title, department, level, reports to, roles, stance
_PEOPLE: tuple[tuple[int, str, str, str, str, str, int, int | None, tuple[Role, ...], Stance], ...] = (
    # 集团总部
    (1, "王建华", "wangjianhua", "", "董事长", "董事会", 1, None, (_DM,), _N),
    (2, "李志强", "lizhiqiang", "", "总裁", "总裁办", 2, 1, (_DM, _EB), _N),
    (3, "陈静", "chenjing", "", "首席财务官", "财务部", 3, 2, (_EB,), _N),
    (4, "赵国栋", "zhaoguodong", "", "运营副总裁", "总裁办", 3, 2, (_INF,), _N),
    (5, "刘洋", "liuyang", "", "采购总监", "采购中心", 4, 4, (_GK, _INF), _N),
    (6, "孙丽", "sunli", "", "采购经理", "采购中心", 5, 5, (_GK,), _S),
    (7, "周伟", "zhouwei", "", "首席信息官", "信息中心", 3, 2, (_TB,), _S),
    (8, "吴敏", "wumin", "", "信息中心副主任", "信息中心", 4, 7, (_TB, _CH), _S),
    (9, "郑海", "zhenghai", "", "网络安全经理", "信息中心", 5, 8, (_TB,), _N),
    (10, "黄磊", "huanglei", "", "质量与法规副总裁", "质量与法规部", 3, 2, (_TB, _BL), _O),
    (11, "何婷", "heting", "", "注册事务经理", "质量与法规部", 4, 10, (_INF,), _U),
    (12, "马超", "machao", "", "研发中心总监", "研发中心", 3, 2, (_TB, _INF), _N),
    (13, "罗佳", "luojia", "", "财务经理", "财务部", 4, 3, (_INF,), _U),
    (14, "高峰", "gaofeng", "", "人力资源总监", "人力资源部", 3, 2, (), _U),
    (15, "林晓", "linxiao", "", "总裁办主任", "总裁办", 3, 2, (_GK, _CO), _S),
    (16, "谢文", "xiewen", "", "法务总监", "法务部", 4, 3, (_INF,), _N),
    # 华康影像设备有限公司（上海）
    (17, "张明远", "zhangmingyuan", "c01", "总经理", "总经办", 2, 2, (_DM,), _S),
    (18, "钱芳", "qianfang", "c01", "财务总监", "财务部", 3, 17, (_EB,), _N),
    (19, "杨帆", "yangfan", "c01", "技术总监", "研发部", 3, 17, (_TB, _CH), _S),
    (20, "朱琳", "zhulin", "c01", "采购经理", "采购部", 4, 17, (_GK,), _N),
    (21, "徐刚", "xugang", "c01", "市场部总监", "市场部", 3, 17, (_INF,), _N),
    (22, "胡斌", "hubin", "c01", "信息部经理", "信息部", 4, 19, (_TB, _UB), _S),
    (23, "王小明", "wangxiaoming", "c01", "软件工程师", "研发部", 5, 19, (_UB,), _S),
    (24, "宋雪", "songxue", "c01", "产品经理", "市场部", 4, 21, (_UB,), _U),
    (25, "韩冰", "hanbing", "c01", "售后服务经理", "服务部", 4, 17, (_UB,), _N),
    # 华康影像苏州工厂
    (26, "冯建军", "fengjianjun", "c04", "厂长", "厂长办公室", 3, 17, (_DM,), _N),
    (27, "邓勇", "dengyong", "c04", "生产经理", "生产部", 4, 26, (_UB,), _N),
    (28, "曹志刚", "caozhigang", "c04", "设备科主任", "设备科", 4, 26, (_TB, _UB), _S),
    (29, "彭丽华", "penglihua", "c04", "质量经理", "质量部", 4, 26, (_TB,), _O),
    (30, "曾涛", "zengtao", "c04", "IT主管", "信息部", 5, 26, (_UB,), _U),
    (31, "萧红", "xiaohong", "c04", "仓储主管", "物流部", 5, 27, (), _U),
    (32, "田野", "tianye", "c04", "工艺工程师", "生产部", 5, 27, (_UB,), _S),
    (33, "袁晓东", "yuanxiaodong", "c04", "设备工程师", "设备科", 5, 28, (_UB,), _N),
    # 华康生命科技有限公司（深圳）
    (34, "蒋志明", "jiangzhiming", "c02", "总经理", "总经办", 2, 2, (_DM,), _U),
    (35, "沈慧", "shenhui", "c02", "财务总监", "财务部", 3, 34, (_EB,), _N),
    (36, "韦强", "weiqiang", "c02", "研发副总经理", "研发部", 3, 34, (_TB,), _N),
    (37, "蔡颖", "caiying", "c02", "采购总监", "采购部", 3, 34, (_GK, _INF), _O),
    (38, "潘俊", "panjun", "c02", "信息部经理", "信息部", 4, 36, (_TB,), _S),
    (39, "杜鹏", "dupeng", "c02", "临床事务经理", "临床事务部", 4, 36, (_INF,), _U),
    (40, "叶青", "yeqing", "c02", "数据工程师", "信息部", 5, 38, (_UB,), _S),
    (41, "程浩", "chenghao", "c02", "销售总监", "销售部", 3, 34, (), _N),
    (42, "魏丹", "weidan", "c02", "质量经理", "质量部", 4, 36, (_TB,), _N),
    # 华康生命深圳光明工厂
    (43, "苏振华", "suzhenhua", "c05", "厂长", "厂长办公室", 3, 34, (_DM, _UB), _N),
    (44, "吕辉", "lvhui", "c05", "生产总监", "生产部", 4, 43, (_UB,), _S),
    (45, "丁莉", "dingli", "c05", "设备科主任", "设备科", 4, 43, (_TB, _UB), _N),
    (46, "任杰", "renjie", "c05", "IT主管", "信息部", 5, 43, (_UB,), _U),
    (47, "姚倩", "yaoqian", "c05", "质量主管", "质量部", 5, 43, (), _U),
    (48, "卢海波", "luhaibo", "c05", "设备工程师", "设备科", 5, 45, (_UB,), _S),
    (49, "姜红梅", "jianghongmei", "c05", "生产计划主管", "生产部", 5, 44, (), _U),
    (50, "崔凯", "cuikai", "c05", "安全环保主管", "安全环保部", 5, 43, (), _N),
    # 华康体外诊断（杭州）有限公司
    (51, "钟建", "zhongjian", "c03", "总经理", "总经办", 2, 2, (_DM,), _S),
    (52, "汪洁", "wangjie", "c03", "财务经理", "财务部", 3, 51, (_EB,), _N),
    (53, "范志勇", "fanzhiyong", "c03", "研发经理", "研发部", 3, 51, (_TB,), _U),
    (54, "方圆", "fangyuan", "c03", "信息主管", "信息部", 4, 51, (_TB, _UB), _N),
    (55, "石晶", "shijing", "c03", "实验室主任", "实验室", 4, 53, (_UB,), _S),
    (56, "廖思远", "liaosiyuan", "c03", "采购主管", "采购部", 4, 52, (_GK,), _U),
)

# person: (days before the reference of the change, the roles and stance before it) — stances that moved
_HISTORY: dict[int, tuple[int, tuple[Role, ...], Stance]] = {
    8: (150, (_TB,), _N),  # 吴敏 became our champion after the PACS pilot
    10: (210, (_TB,), _N),  # 黄磊 turned against us after a rejected registration dossier
    37: (90, (_GK, _INF), _N),  # 蔡颖 turned after the price negotiation
    17: (400, (_DM,), _N),  # 张明远 won over by the Suzhou rollout
}

# our team: number, name, function, title, e-mail name
_TEAM = (
    (1, "刘振宇", TeamFunction.ACCOUNT_MANAGER, "大客户经理（客户经理）", "liu.zhenyu"),
    (2, "陈嘉怡", TeamFunction.SOLUTION_EXPERT, "解决方案专家", "chen.jiayi"),
    (3, "王浩然", TeamFunction.DELIVERY_MANAGER, "交付经理", "wang.haoran"),
    (4, "李国庆", TeamFunction.EXECUTIVE, "大中华区副总裁", "li.guoqing"),
    (5, "赵雅琴", TeamFunction.OTHER, "现场服务工程师", "zhao.yaqin"),
)

# our contacts: member, person, strength, known since (days ago), last contact (days ago)
_CONTACTS = (
    (1, 2, 0.6, 1200, 20), (1, 3, 0.45, 900, 45), (1, 5, 0.7, 1500, 10), (1, 6, 0.65, 1000, 7),
    (1, 15, 0.8, 1300, 5), (1, 17, 0.75, 1600, 14), (1, 18, 0.4, 700, 60), (1, 20, 0.6, 800, 21),
    (1, 26, 0.35, 900, 420), (1, 37, 0.3, 300, 90), (1, 51, 0.7, 1100, 30), (1, 52, 0.5, 600, 40),
    (2, 7, 0.7, 1400, 12), (2, 8, 0.85, 1100, 3), (2, 9, 0.5, 400, 30), (2, 12, 0.4, 600, 120),
    (2, 19, 0.8, 1300, 8), (2, 22, 0.6, 900, 25), (2, 23, 0.55, 500, 15), (2, 38, 0.65, 700, 18),
    (2, 36, 0.3, 350, 200), (2, 28, 0.6, 650, 35), (2, 54, 0.45, 400, 50),
    (3, 25, 0.7, 1000, 6), (3, 27, 0.6, 800, 11), (3, 28, 0.75, 900, 4), (3, 32, 0.5, 600, 20),
    (3, 33, 0.55, 500, 9), (3, 44, 0.65, 700, 16), (3, 45, 0.4, 400, 70), (3, 48, 0.6, 450, 13),
    (3, 40, 0.5, 380, 22), (3, 55, 0.6, 650, 19), (3, 30, 0.3, 700, 500),
    (4, 2, 0.5, 1800, 75), (4, 3, 0.35, 1000, 150), (4, 17, 0.6, 2000, 95),
    (5, 33, 0.6, 600, 8), (5, 48, 0.55, 400, 26), (5, 25, 0.5, 800, 30),
)  # fmt: skip

# the customer's own ties beyond the reporting lines (each line is a `knows` tie too): a, b, strength
_KNOWS = (
    (15, 1, 0.8), (3, 35, 0.6), (3, 18, 0.65), (3, 52, 0.55), (7, 38, 0.6),
    (7, 22, 0.55), (5, 37, 0.6), (5, 20, 0.7), (5, 56, 0.5), (10, 29, 0.6), (10, 42, 0.55), (17, 34, 0.5),
    (28, 45, 0.5), (12, 36, 0.55), (12, 19, 0.6), (8, 38, 0.5), (51, 34, 0.45), (4, 43, 0.55), (4, 26, 0.6),
    (13, 35, 0.4), (16, 10, 0.45), (39, 11, 0.4),
)  # fmt: skip

# who sways whom: from, to, strength
_INFLUENCES = (
    (15, 1, 0.7), (2, 1, 0.8), (7, 2, 0.6), (3, 2, 0.65), (10, 2, 0.55), (8, 7, 0.7), (19, 17, 0.7),
    (18, 17, 0.5), (28, 26, 0.6), (29, 26, 0.5), (45, 43, 0.55), (44, 43, 0.5), (35, 34, 0.6),
    (36, 34, 0.55), (37, 34, 0.6), (53, 51, 0.5), (5, 4, 0.5), (12, 2, 0.45), (4, 2, 0.5), (38, 36, 0.5),
)  # fmt: skip

_NOTES: dict[InteractionKind, tuple[str, ...]] = {
    InteractionKind.MEETING: ("季度业务回顾会", "影像平台升级方案汇报", "PACS 集成技术交流会", "商务条款沟通会"),
    InteractionKind.CALL: ("电话沟通招标时间表", "电话确认试点范围", "跟进设备到货与安装计划", "电话了解预算审批进度"),
    InteractionKind.EMAIL: ("发送产品资料与客户案例", "发送技术白皮书与报价说明", "发送会议纪要", "发送服务报告"),
    InteractionKind.VISIT: ("拜访设备科，现场勘查机房", "工厂产线巡检", "陪同参观示范医院", "上门拜访，了解新厂区规划"),
    InteractionKind.EVENT: (
        "参加华康年度供应商大会",
        "邀请参加医疗器械博览会（CMEF）",
    ),
}
_SENTIMENT = {Stance.SUPPORTER: 1, Stance.NEUTRAL: 0, Stance.UNKNOWN: 0, Stance.OPPONENT: -1}

# id, company, kind, severity, amount (CNY), days ago, summary
_RISKS = (
    ("r01", "c05", RiskKind.COMPLIANCE, 3, None, 120, "深圳光明工厂接受国家药监局飞行检查，两项缺陷待整改"),
    ("r02", "", RiskKind.CREDIT, 2, "3200000.00", 60, "集团将供应商付款周期由 60 天延长至 90 天"),
    ("r03", "c01", RiskKind.NEWS, 3, None, 30, "影像设备集中带量采购落地，华康影像下调年度设备预算"),
    ("r04", "c03", RiskKind.LITIGATION, 2, "850000.00", 200, "华康体外诊断与原信息系统供应商的合同纠纷进入仲裁"),
)


def _company_id(key: str) -> str:
    return _A if not key else f"{_A}-{key}"


def _person_id(number: int) -> str:
    return f"{_A}-p{number:02d}"


def _member_id(number: int) -> str:
    return f"{_A}-t{number:02d}"


def _knows(a: str, b: str, strength: float, since: date | None, last: date | None = None) -> Tie:
    return Tie.model_validate(
        {"from": a, "to": b, "type": TieType.KNOWS, "strength": strength, "since": since, "last_contact": last}
    )


def zh_sample_bundle(reference: date | None = None) -> Bundle:
    """The Chinese sample account, every date counted back from `reference` (default today)."""
    ref = reference or today()

    def ago(days: int) -> date:
        return ref - timedelta(days=days)

    companies = [
        Company(
            id=_company_id(key), name=name, parent=None if parent is None else _company_id(parent),
            industry=industry, region="APAC", country=f"中国（{city}）",
        )
        for key, name, parent, industry, city in _COMPANIES
    ]  # fmt: skip
    people = []
    for number, name, mail, company, title, department, level, boss, roles, stance in _PEOPLE:
        history = []
        if number in _HISTORY:
            days, old_roles, old_stance = _HISTORY[number]
            history = [
                PersonState(since=None, roles=list(old_roles), stance=old_stance),
                PersonState(since=ago(days), roles=list(roles), stance=stance),
            ]
        people.append(
            Person(
                id=_person_id(number), name=name, company=_company_id(company), title=title, department=department,
                level=level, reports_to=None if boss is None else _person_id(boss), roles=list(roles),
                stance=stance, email=f"{mail}@huakang-med.example",
                phone=f"+86 139 {1000 + 37 * number:04d} {(7919 * number) % 10000:04d}", history=history,
            )
        )  # fmt: skip
    stance_of = {p.id: p.stance for p in people}
    team = [
        TeamMember(id=_member_id(n), name=name, function=function, title=title, email=f"{mail}@vendor.example")
        for n, name, function, title, mail in _TEAM
    ]

    ties = [
        _knows(_person_id(number), _person_id(boss), 0.55 + 0.05 * (number % 6), ago(400 + 53 * number))
        for number, *_, boss, _roles, _stance in _PEOPLE
        if boss is not None
    ]
    ties += [_knows(_person_id(a), _person_id(b), s, ago(300 + 41 * (a + b))) for a, b, s in _KNOWS]
    ties += [
        Tie.model_validate({"from": _person_id(a), "to": _person_id(b), "type": TieType.INFLUENCES, "strength": s})
        for a, b, s in _INFLUENCES
    ]
    # our core team knows each other; the account manager knows everyone of ours
    for a, b, s in ((1, 2, 0.9), (1, 3, 0.85), (2, 3, 0.8), (1, 4, 0.75), (1, 5, 0.7), (3, 5, 0.8), (2, 4, 0.6)):
        ties.append(_knows(_member_id(a), _member_id(b), s, ago(700 + 90 * b), ago(2 + a + b)))
    ties += [_knows(_member_id(m), _person_id(p), s, ago(since), ago(last)) for m, p, s, since, last in _CONTACTS]

    # our interactions: the latest on the last contact, earlier ones every few weeks back to the first
    kinds = list(_NOTES)
    interactions: list[Interaction] = []
    for k, (m, p, _s, since, last) in enumerate(_CONTACTS):
        touches = 1 + (k % 3) + (1 if last < 30 else 0)
        for t in range(touches):
            days = min(since, last + t * (35 + 11 * (k % 4)))
            kind = kinds[(k + t) % len(kinds)]
            notes = _NOTES[kind]
            at = datetime.combine(ago(days), time(1 + (k + 3 * t) % 8, 15 * (t % 4)), tzinfo=UTC)
            interactions.append(
                Interaction(
                    id=f"{_A}-i{len(interactions) + 1:04d}", member=_member_id(m), person=_person_id(p), kind=kind,
                    at=at, sentiment=_SENTIMENT[stance_of[_person_id(p)]] if t == 0 else 0,
                    note=notes[(k + t) % len(notes)],
                )
            )  # fmt: skip
    risks = [
        RiskEvent(
            id=f"{_A}-{rid}", company=_company_id(company), kind=kind, severity=severity,
            amount=None if amount is None else Decimal(amount), currency=None if amount is None else "CNY",
            at=ago(days), summary=summary,
        )
        for rid, company, kind, severity, amount, days, summary in _RISKS
    ]  # fmt: skip
    return Bundle(companies=companies, people=people, team=team, ties=ties, interactions=interactions, risks=risks)
