"""A believable demo data set: a city commission, two series of linked cases and their reform.

``build_demo()`` builds it in one transaction, once: when the demo's root commission already exists
it changes nothing and returns the demo logins again. Every state change goes through the services
(``recommendations.services``, ``reforms.services``) so history rows exist and the rules hold;
cases, subjects, problems, analyses, rule changes, activities and follow-ups have no services and
are written directly.

Dates are relative to today (Asia/Shanghai), so the overdue picture looks the same whenever the demo
is built. Services stamp what they record with the real clock; ``_Clock`` moves each record it saw
written to the day the story puts it on (history rows, progress, evidence, sign-off dates), so the
timelines read like months of work rather than one afternoon.

The story follows the press articles in ``domain/seeds``: the 长春汽开区 series of four cases and
its 13-item recommendation, a hospital series in the healthcare sector, and smaller county cases.
"""

import datetime
import random
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone

from accounts.models import OrgUnit, Sector, User
from accounts.roles import Role
from cases.models import Case, CaseAnalysis, Problem, ProcessStage, Subject, ViolationType
from core.domain import SHANGHAI, shanghai_today
from recommendations import services as recommendation_services
from recommendations.models import (
    Evaluation,
    Recommendation,
    RecommendationTransition,
    Reply,
)
from reforms import services as reform_services
from reforms.models import (
    Activity,
    Evidence,
    ExtensionRequest,
    FollowUp,
    Measure,
    MeasureTransition,
    ProgressReport,
    RuleChange,
)

DEMO_PASSWORD = "Demo@2026"
ROOT_NAME = "长春市纪委监委"
ROOT_ABBR = "长纪"
RANDOM_SEED = 20210613

Kind = OrgUnit.Kind
Category = Problem.Category
GAP, RISK, BLIND = Category.INSTITUTIONAL_GAP, Category.RISK_POINT, Category.BLIND_SPOT
ReturnReason = MeasureTransition.ReturnReason


# ── Organisation tree ────────────────────────────────────────────────────────────────────────────
# key: (parent key, name, kind, sector, doc_abbr)
ORG_TREE = {
    "city": (None, ROOT_NAME, Kind.COMMISSION, "", ROOT_ABBR),
    "qkq": (None, "长春汽车经济技术开发区", Kind.UNIT, Sector.CONSTRUCTION, ""),
    "qkq_housing": ("qkq", "汽开区住房保障局", Kind.UNIT, Sector.CONSTRUCTION, ""),
    "qkq_finance": ("qkq", "汽开区财政局", Kind.UNIT, Sector.FINANCE, ""),
    "housing": (None, "长春市住房和城乡建设局", Kind.UNIT, Sector.CONSTRUCTION, ""),
    "health": (None, "长春市卫生健康委员会", Kind.UNIT, Sector.HEALTHCARE, ""),
    "hospital": ("health", "长春市第三人民医院", Kind.UNIT, Sector.HEALTHCARE, ""),
    "medical_insurance": (None, "长春市医疗保障局", Kind.UNIT, Sector.HEALTHCARE, ""),
    "health_group": (None, "市纪委监委驻市卫生健康委纪检监察组", Kind.GROUP, "", "长纪卫"),
    "education": (None, "长春市教育局", Kind.UNIT, Sector.EDUCATION, ""),
    "chaoyang": (None, "朝阳区纪委监委", Kind.COMMISSION, "", "朝纪"),
    "cy_education": ("chaoyang", "朝阳区教育局", Kind.UNIT, Sector.EDUCATION, ""),
    "cy_health": ("chaoyang", "朝阳区卫生健康局", Kind.UNIT, Sector.HEALTHCARE, ""),
    "cy_agriculture": ("chaoyang", "朝阳区农业农村局", Kind.UNIT, Sector.RURAL_REVITALISATION, ""),
    "nongan": (None, "农安县纪委监委", Kind.COMMISSION, "", "农纪"),
    "na_water": ("nongan", "农安县水利局", Kind.UNIT, Sector.WATER, ""),
    "na_land": ("nongan", "农安县自然资源局", Kind.UNIT, Sector.NATURAL_RESOURCES, ""),
    "na_grain": ("nongan", "农安县粮食和物资储备局", Kind.UNIT, Sector.GRAIN, ""),
}
# Units at the top of the city (parent None) hang under the root commission.
GROUP_POSTED_TO = {"health_group": ["health"]}


# ── Demo accounts ────────────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    org: str
    full_name: str
    title: str


# The first six are the headline logins, one per role; the others act for the other units and
# commissions of the story (a unit officer only reaches their own unit).
DEMO_USERS = [
    DemoUser("staff", Role.DISCIPLINE_STAFF, "city", "刘建华", "第三监督检查室一级主任科员"),
    DemoUser("officer", Role.UNIT_OFFICER, "qkq", "陈晓琳", "党政办公室以案促改联络员"),
    DemoUser("supervisor", Role.SUPERVISOR, "city", "赵立军", "党风政风监督室主任"),
    DemoUser("sysadmin", Role.SYSTEM_ADMIN, "city", "郑国栋", "信息技术保障室系统管理员"),
    DemoUser("secadmin", Role.SECURITY_ADMIN, "city", "杨晓梅", "信息技术保障室安全管理员"),
    DemoUser("auditadmin", Role.AUDIT_ADMIN, "city", "马文博", "案件监督管理室审计管理员"),
    DemoUser("staff_group", Role.DISCIPLINE_STAFF, "health_group", "高志远", "副组长"),
    DemoUser("staff_chaoyang", Role.DISCIPLINE_STAFF, "chaoyang", "何丽娜", "第一监督检查室主任"),
    DemoUser("staff_nongan", Role.DISCIPLINE_STAFF, "nongan", "许振东", "第二监督检查室主任"),
    DemoUser("officer_health", Role.UNIT_OFFICER, "health", "罗佳", "办公室副主任"),
    DemoUser("officer_hospital", Role.UNIT_OFFICER, "hospital", "梁雪", "党委办公室主任"),
    DemoUser("officer_edu", Role.UNIT_OFFICER, "cy_education", "宋晓明", "办公室主任"),
    DemoUser("officer_water", Role.UNIT_OFFICER, "na_water", "谢宏伟", "综合科科长"),
]
HEADLINE_USERNAMES = [user.username for user in DEMO_USERS[:6]]


# ── Cases ────────────────────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class CaseSpec:
    key: str
    commission: str
    unit: str
    title: str
    sector: str
    level: str
    amount: str
    violations: tuple[str, ...]
    opened: int  # days relative to today
    closed: int | None  # None: still open
    status: str
    subjects: tuple[tuple[str, str, bool, str], ...]  # name, position, top leader, disposition
    summary: str
    trajectory: str
    root_causes: str
    loopholes: str
    lessons: str


EXPEL = "开除党籍、开除公职，涉嫌犯罪问题移送检察机关依法审查起诉"

CASES = [
    CaseSpec(
        key="sun",
        commission="city",
        unit="qkq",
        title="孙某某严重违纪违法案",
        sector=Sector.CONSTRUCTION,
        level=Case.Level.CITY,
        amount="1860000",
        violations=("受贿", "违规插手工程项目", "利用职权为他人谋利"),
        opened=-640,
        closed=-330,
        status=Case.Status.CLOSED,
        subjects=(
            ("孙某某", "汽开区党工委原委员、管委会原副主任", False, EXPEL),
            ("王某某", "汽开区规划建设局工程科原科长", False, "党内严重警告、政务撤职"),
        ),
        summary="孙某某利用分管工程建设的职务便利，以“工程任务紧急”为由采用“先上车后补票”方式，"
        "将多个政府投资项目安排给关系密切的承建商，收受财物共计186万元。",
        trajectory="孙某某自2014年分管工程建设后，与多名承建商“亲”而不“清”，从接受宴请、收受购物卡"
        "逐步发展到收受大额现金，最终在项目安排、工程款支付上为他人谋利。",
        root_causes="理想信念滑坡，权力观扭曲；“三重一大”集体决策流于形式，分管领导对工程项目“一言堂”；"
        "下属不敢抵制、不愿得罪领导，在工程款支付、垫资等方面顺水推舟。",
        loopholes="项目立项和承建单位确定缺少集体研究；未经招标先行施工；工程款支付、垫资审批由分管领导"
        "“一支笔”决定；对分管领导插手工程项目缺乏记录报告制度。",
        lessons="必须把对“一把手”和领导班子的监督挺在前面，用制度把工程项目决策权关进笼子。",
    ),
    CaseSpec(
        key="zhao",
        commission="city",
        unit="qkq",
        title="赵某某严重违纪违法案",
        sector=Sector.CONSTRUCTION,
        level=Case.Level.CITY,
        amount="920000",
        violations=("受贿", "滥用职权"),
        opened=-610,
        closed=-320,
        status=Case.Status.CLOSED,
        subjects=(("赵某某", "汽开区管委会原副主任", False, EXPEL),),
        summary="赵某某在工程验收、预算审批中为施工企业提供帮助，收受财物92万元；违规批准超合同比例预付"
        "工程款，造成财政资金损失。",
        trajectory="赵某某长期分管财政和工程验收，逐步把审批权当成“私人资源”，与施工方形成利益输送链条。",
        root_causes="财政预算执行缺乏评审把关，超概算项目不重新报批；验收环节由施工方主导。",
        loopholes="竣工验收意见由施工方代拟；预付款比例超出合同约定无人复核；招标代理机构由分管领导指定。",
        lessons="财政评审和验收环节必须引入不相容岗位分离和第三方核查。",
    ),
    CaseSpec(
        key="qian",
        commission="city",
        unit="qkq",
        title="钱某某违纪违法案",
        sector=Sector.CONSTRUCTION,
        level=Case.Level.CITY,
        amount="460000",
        violations=("违反中央八项规定精神", "受贿"),
        opened=-590,
        closed=-300,
        status=Case.Status.CLOSED,
        subjects=(("钱某某", "汽开区管委会原副主任", False, "留党察看一年、政务撤职"),),
        summary="钱某某违规接受管理服务对象宴请，将接待费用在工程项目中列支，并在政府采购中收受财物"
        "46万元。",
        trajectory="从“吃吃喝喝”开始放松要求，把公务接待当作拉关系的平台，最终在采购环节收受财物。",
        root_causes="中央八项规定精神执行不严；政府采购化整为零规避集中采购；采购与付款由同一人经办。",
        loopholes="未设立政府采购专门科室；接待费用在工程项目中列支无人审核；干部选任中廉政风险研判不足。",
        lessons="纠“四风”与反腐败要一体推进，从小事小节抓起。",
    ),
    CaseSpec(
        key="li",
        commission="city",
        unit="qkq_housing",
        title="李某某贪污、受贿案",
        sector=Sector.CONSTRUCTION,
        level=Case.Level.SECTION,
        amount="2370000",
        violations=("贪污", "受贿"),
        opened=-560,
        closed=-310,
        status=Case.Status.CLOSED,
        subjects=(
            ("李某某", "汽开区住房保障局园林绿化科原科长", False, EXPEL),
            ("何某某", "汽开区住房保障局原党组书记、局长", True, "党内警告（失职失责被问责）"),
            ("刘某", "汽开区住房保障局园林绿化科原科员", False, "政务记过"),
        ),
        summary="李某某担任园林绿化科负责人近20年未轮岗交流，通过虚报养护工程量、以劳务费名义虚列支出"
        "等方式贪污公款，并收受苗木供应商财物，共计237万元。",
        trajectory="李某某长期在同一岗位任职，把科室当成“自留地”，从收受苗木商好处发展到直接虚报套取资金。",
        root_causes="重要岗位长期不轮岗；局党组主体责任缺失，对科室负责人监督“宽松软”。",
        loopholes="养护工程量由科室自行核定；苗木验收无第三方核实；养护经费按科室清单直接拨付；"
        "园林绿化工程发包未进入公共资源交易平台。",
        lessons="重要岗位必须定期轮岗，工程量核定必须引入第三方，让权力在阳光下运行。",
    ),
    CaseSpec(
        key="zhou",
        commission="city",
        unit="hospital",
        title="周某某严重违纪违法案",
        sector=Sector.HEALTHCARE,
        level=Case.Level.CITY,
        amount="3150000",
        violations=("受贿", "利用职权为他人谋利"),
        opened=-500,
        closed=-250,
        status=Case.Status.CLOSED,
        subjects=(("周某某", "长春市第三人民医院原党委副书记、院长", True, EXPEL),),
        summary="周某某在大型医疗设备采购中授意设置指向性参数，收受设备供应商财物共计315万元。",
        trajectory="周某某业务出身，走上院长岗位后放松学习，把设备采购当作“生财之道”。",
        root_causes="院党委会议议事规则不健全，“一把手”一人拍板；对“一把手”监督乏力。",
        loopholes="设备采购参数论证流于形式；采购委员会组成和议事规则不健全；设备报废处置未经评估。",
        lessons="医院“一把手”监督必须纳入主管部门和派驻机构的日常监督。",
    ),
    CaseSpec(
        key="wu",
        commission="health_group",
        unit="hospital",
        title="吴某某受贿案",
        sector=Sector.HEALTHCARE,
        level=Case.Level.CITY,
        amount="1280000",
        violations=("受贿",),
        opened=-470,
        closed=-240,
        status=Case.Status.CLOSED,
        subjects=(("吴某某", "长春市第三人民医院原副院长", False, EXPEL),),
        summary="吴某某分管药品耗材，利用统方数据为医药代表提供便利，收受回扣128万元。",
        trajectory="吴某某从帮助医药代表“了解用量”开始，逐步形成按用量收取回扣的固定模式。",
        root_causes="统方管理制度缺失，高值耗材遴选由分管副院长决定。",
        loopholes="信息系统统方权限未分级授权、无操作留痕；对高值耗材使用缺少监测预警。",
        lessons="统方数据是医药领域腐败的关键环节，必须严格授权、全程留痕。",
    ),
    CaseSpec(
        key="zheng",
        commission="health_group",
        unit="hospital",
        title="郑某某受贿案",
        sector=Sector.HEALTHCARE,
        level=Case.Level.SECTION,
        amount="540000",
        violations=("受贿", "利用职权为他人谋利"),
        opened=-460,
        closed=-230,
        status=Case.Status.CLOSED,
        subjects=(("郑某某", "长春市第三人民医院设备科原科长", False, "开除党籍、开除公职"),),
        summary="郑某某既参与编制招标文件又参与设备验收，收受供应商财物54万元，并私自收受供应商赠品。",
        trajectory="郑某某在设备科任职十余年，熟悉采购各环节，利用制度漏洞“两头吃”。",
        root_causes="不相容岗位未分离；供应商返利、赠品游离于财务管理之外。",
        loopholes="设备到货验收流于形式；招标文件编制与验收由同一人负责。",
        lessons="采购、验收、付款必须分岗分责、互相制约。",
    ),
    CaseSpec(
        key="feng",
        commission="health_group",
        unit="medical_insurance",
        title="冯某某滥用职权案",
        sector=Sector.HEALTHCARE,
        level=Case.Level.SECTION,
        amount="380000",
        violations=("滥用职权", "受贿"),
        opened=-120,
        closed=None,
        status=Case.Status.INVESTIGATING,
        subjects=(("冯某某", "长春市医疗保障局医药服务管理科原科长", False, ""),),
        summary="冯某某在定点医疗机构医保结算审核中“人情审核”，涉嫌收受财物。案件正在审查调查中。",
        trajectory="审查调查中。",
        root_causes="",
        loopholes="",
        lessons="",
    ),
    CaseSpec(
        key="chu",
        commission="chaoyang",
        unit="cy_education",
        title="褚某某受贿案（“校园餐”问题）",
        sector=Sector.EDUCATION,
        level=Case.Level.COUNTY,
        amount="680000",
        violations=("受贿", "滥用职权"),
        opened=-520,
        closed=-430,
        status=Case.Status.CLOSED,
        subjects=(
            ("褚某某", "朝阳区教育局原党组成员、副局长", False, EXPEL),
            ("卫某某", "朝阳区某中学原校长", True, "党内严重警告、政务降级"),
        ),
        summary="褚某某指定学生营养餐配送企业，收受财物68万元；卫某某默许配送企业虚报就餐人数。",
        trajectory="褚某某把营养餐配送当作“肥缺”，与配送企业长期勾连。",
        root_causes="校园餐经费管理制度不健全，家长参与监督机制缺失。",
        loopholes="配送企业遴选由分管副局长指定；补助资金按企业报送人数拨付，未与实际就餐人数核对。",
        lessons="“校园餐”关系群众切身利益，必须让家长和学校共同监督。",
    ),
    CaseSpec(
        key="jiang",
        commission="nongan",
        unit="na_water",
        title="蒋某某受贿案",
        sector=Sector.WATER,
        level=Case.Level.COUNTY,
        amount="1050000",
        violations=("受贿", "违规插手工程项目"),
        opened=-450,
        closed=-330,
        status=Case.Status.CLOSED,
        subjects=(("蒋某某", "农安县水利局原党组书记、局长", True, EXPEL),),
        summary="蒋某某在小型农田水利工程招标中打招呼指定中标人，收受财物105万元。",
        trajectory="蒋某某任局长后大权独揽，逐步形成“打招呼—中标—收钱”的固定模式。",
        root_causes="“一把手”权力集中，班子成员不敢监督。",
        loopholes="招标围标串标无人发现；监理单位隐蔽工程未旁站；资金拨付未与质量验收挂钩。",
        lessons="基层水利工程同样需要全链条监管。",
    ),
    CaseSpec(
        key="shen",
        commission="nongan",
        unit="na_land",
        title="沈某某滥用职权案",
        sector=Sector.NATURAL_RESOURCES,
        level=Case.Level.COUNTY,
        amount="260000",
        violations=("滥用职权", "受贿"),
        opened=-200,
        closed=-60,
        status=Case.Status.CLOSED,
        subjects=(("沈某某", "农安县自然资源局原副局长", False, "开除党籍、政务撤职"),),
        summary="沈某某违规为不符合条件的项目办理设施农用地备案，对违法占地“以罚代管”。",
        trajectory="沈某某在用地审批中讲人情、收好处。",
        root_causes="用地审核把关不严，执法监管缺乏制约。",
        loopholes="设施农用地备案审核“一人说了算”；违法占地执法案件“以罚代管”。",
        lessons="守住耕地红线，必须管住审批权和执法权。",
    ),
    CaseSpec(
        key="han",
        commission="chaoyang",
        unit="cy_agriculture",
        title="韩某某贪污案",
        sector=Sector.RURAL_REVITALISATION,
        level=Case.Level.SECTION,
        amount="310000",
        violations=("贪污",),
        opened=-150,
        closed=-40,
        status=Case.Status.CLOSED,
        subjects=(("韩某某", "朝阳区农业农村局农村经营管理站原站长", False, "开除党籍、开除公职"),),
        summary="韩某某虚报耕地地力保护补贴面积，贪污惠农补贴资金31万元。",
        trajectory="韩某某利用一人审核补贴名册的便利，长期虚报冒领。",
        root_causes="惠农补贴发放制度不完善，公示流于形式。",
        loopholes="补贴名册由站长一人审核；公示未进村入户核实；“一卡通”管理不严。",
        lessons="惠农资金是群众的“保命钱”，每一分都要在阳光下发放。",
    ),
    CaseSpec(
        key="yang",
        commission="chaoyang",
        unit="cy_health",
        title="杨某某违反中央八项规定精神问题",
        sector=Sector.HEALTHCARE,
        level=Case.Level.SECTION,
        amount="0",
        violations=("违反中央八项规定精神",),
        opened=-20,
        closed=None,
        status=Case.Status.OPENED,
        subjects=(("杨某某", "朝阳区某卫生院院长", True, ""),),
        summary="群众反映杨某某违规收受医药企业宴请，已立案。",
        trajectory="",
        root_causes="",
        loopholes="",
        lessons="",
    ),
]
LINKED_SERIES = [("sun", "zhao", "qian", "li"), ("zhou", "wu", "zheng", "feng")]


# ── Problems: key → (case, unit or None for the case unit, category, process stage, description)
# fmt: off
PROBLEMS = {
    "s1": ("sun", None, GAP, "招投标",
           "政府投资项目未严格执行公开招标，以“工程任务紧急”为由先施工后补办招标手续"),
    "s2": ("sun", None, RISK, "行政审批",
           "分管副主任可直接决定项目承建单位，立项、变更审批缺少集体研究环节"),
    "s3": ("sun", None, BLIND, "工程监管",
           "对分管领导插手干预工程项目缺乏记录报告和监督"),
    "s4": ("sun", None, RISK, "资金拨付",
           "工程款支付、垫资审批由分管领导“一支笔”决定，经办人员顺水推舟"),
    "s5": ("sun", None, GAP, "其他",
           "“三重一大”事项集体决策制度未细化，议事规则流于形式"),
    "s6": ("sun", None, BLIND, "其他",
           "对班子成员与工程承建商交往情况掌握不够，政商交往缺少边界"),
    "s7": ("sun", None, BLIND, "资产处置",
           "项目结余物资、闲置资产处置无台账"),
    "z1": ("zhao", None, RISK, "项目验收",
           "工程竣工验收把关不严，验收意见由施工方代拟"),
    "z2": ("zhao", "qkq_finance", GAP, "财务管理",
           "财政预算执行缺乏评审环节，超概算项目未重新报批"),
    "z3": ("zhao", "qkq_finance", BLIND, "资金拨付",
           "预付款比例超出合同约定未被发现，资金拨付无复核"),
    "z4": ("zhao", None, RISK, "招投标",
           "招标代理机构由分管领导指定，评标专家抽取不规范"),
    "z5": ("zhao", "qkq_finance", BLIND, "财务管理",
           "财政部门对政府投资项目资金使用跟踪问效缺位"),
    "z6": ("zhao", "qkq_finance", GAP, "资金拨付",
           "未建立财政评审制度，项目结算未经评审直接拨付"),
    "q1": ("qian", None, GAP, "财务管理",
           "公务接待制度执行不严，接待费用在工程项目中列支"),
    "q2": ("qian", None, BLIND, "选人用人",
           "干部选任中对廉政风险研判不足，廉政意见征求走过场"),
    "q3": ("qian", None, RISK, "物资采购",
           "政府采购化整为零，规避集中采购"),
    "q4": ("qian", "qkq_finance", GAP, "财务管理",
           "未设立政府采购专门科室，采购与付款由同一人经办"),
    "l1": ("li", None, RISK, "选人用人",
           "园林绿化科负责人近20年未轮岗交流，形成“权力自留地”"),
    "l2": ("li", None, RISK, "工程监管",
           "园林绿化养护工程量由科室自行核定，虚报工程量套取资金"),
    "l3": ("li", None, BLIND, "项目验收",
           "苗木栽植数量和成活率验收无第三方核实"),
    "l4": ("li", None, GAP, "资金拨付",
           "养护经费按科室报送清单直接拨付，缺少财政审核"),
    "l5": ("li", None, BLIND, "其他",
           "局党组对科室负责人日常监督缺位，对群众反映问题未及时核查"),
    "l6": ("li", None, GAP, "招投标",
           "园林绿化工程发包未纳入公共资源交易平台"),
    "l7": ("li", None, RISK, "财务管理",
           "以劳务费名义虚列支出，科室设有账外资金"),
    "h1": ("zhou", None, RISK, "物资采购",
           "大型医疗设备采购参数由院长授意设置，指向特定品牌"),
    "h2": ("zhou", None, GAP, "招投标",
           "医院采购委员会组成和议事规则不健全，院长一人拍板"),
    "h3": ("zhou", None, BLIND, "其他",
           "对医院“一把手”监督乏力，院党委会议记录不全"),
    "h4": ("zhou", None, RISK, "资产处置",
           "医疗设备报废、处置未经评估"),
    "h5": ("wu", None, RISK, "物资采购",
           "高值医用耗材遴选由分管副院长决定"),
    "h6": ("wu", None, GAP, "其他",
           "统方管理制度缺失，信息系统统方权限未分级授权、无操作留痕"),
    "h7": ("wu", None, BLIND, "医保基金管理",
           "对科室过度使用高值耗材、违规收费监测预警不到位"),
    "h8": ("zheng", None, RISK, "招投标",
           "设备科长既参与编制招标文件又参与验收，不相容岗位未分离"),
    "h9": ("zheng", None, BLIND, "项目验收",
           "设备到货验收流于形式，未核对配置清单"),
    "h10": ("zheng", None, GAP, "财务管理",
            "供应商返利、赠品未纳入财务管理"),
    "h11": ("feng", None, RISK, "医保基金管理",
            "定点医疗机构医保结算审核由个人把关，存在“人情审核”"),
    "e1": ("chu", None, RISK, "物资采购",
           "学生营养餐配送企业遴选由分管副局长指定"),
    "e2": ("chu", None, BLIND, "资金拨付",
           "营养餐补助资金按配送企业报送人数拨付，未与学生实际就餐人数核对"),
    "e3": ("chu", None, GAP, "财务管理",
           "校园餐经费管理制度不健全，家长委员会参与监督机制缺失"),
    "w1": ("jiang", None, RISK, "招投标",
           "小型农田水利工程招标围标串标，局长打招呼指定中标人"),
    "w2": ("jiang", None, BLIND, "工程监管",
           "工程监理单位履职不到位，隐蔽工程未旁站"),
    "w3": ("jiang", None, GAP, "资金拨付",
           "水利项目资金拨付未与工程进度和质量验收结果挂钩"),
    "n1": ("shen", None, RISK, "行政审批",
           "设施农用地备案审核把关不严，违规办理用地手续"),
    "n2": ("shen", None, BLIND, "执法监管",
           "对违法占地问题查处不力，执法案件“以罚代管”"),
    "a1": ("han", None, RISK, "惠农补贴发放",
           "耕地地力保护补贴发放名册由站长一人审核，虚报冒领"),
    "a2": ("han", None, BLIND, "惠农补贴发放",
           "补贴发放公示流于形式，未进村入户核实"),
    "a3": ("han", None, GAP, "资金拨付",
           "补贴资金“一卡通”发放管理制度不完善"),
}
# fmt: on


# ── Measures ─────────────────────────────────────────────────────────────────────────────────────
# Each measure follows one scenario; the scenario fixes its status, where its due date falls
# (days relative to today) and the story of reports, sign-off requests, returns and extensions.
#   done        signed off on time           redo        returned once, then signed off
#   new         not started, due later       new_late    not started, overdue by weeks
#   wip         in progress, due later       wip_d/_w/_m in progress, overdue by days/weeks/months
#   wip_soon    in progress, due within the warning window (yellow)
#   wait        awaiting sign-off            wait_d      awaiting sign-off, overdue by days
#   ret         returned, overdue by months  ret_w       returned, overdue by weeks
#   stand       standing (长期坚持), in progress
#   ext         extension approved, now due later (original date passed)
#   ext_late    extension approved, overdue again by weeks (by months against the original)
#   ext_pending in progress, overdue by days, extension request pending
#   ext_no      extension refused, overdue by months
DUE_WINDOWS = {
    "done": (-200, -40),
    "redo": (-180, -50),
    "new": (20, 120),
    "new_late": (-28, -9),
    "wip": (10, 90),
    "wip_soon": (1, 6),
    "wip_d": (-6, -1),
    "wip_w": (-28, -9),
    "wip_m": (-150, -35),
    "wait": (5, 40),
    "wait_d": (-6, -1),
    "ret": (-90, -35),
    "ret_w": (-28, -9),
    "stand": (-60, 120),
    "ext": (-40, -20),
    "ext_late": (-120, -60),
    "ext_pending": (-6, -1),
    "ext_no": (-70, -40),
}

# Recommendation 1: 长纪建 to 汽开区, 13 items. (content, problems, measures); a measure is
# (content, standard, department, scenario).
QKQ_ITEMS = [
    (
        "严格落实“三重一大”事项集体决策制度，细化议事规则和决策程序，杜绝“一言堂”。",
        ("s5", "s2"),
        [
            (
                "修订《“三重一大”事项集体决策制度实施细则》，明确重大工程项目、大额资金使用的决策"
                "范围和额度标准",
                "细则经党工委会议审议通过并印发，决策事项清单化管理",
                "党政办公室",
                "done",
            ),
            (
                "建立党工委会议、主任办公会议议题提前报送和会议纪要全程留痕制度",
                "议题提前3个工作日报送，会议纪要100%归档备查",
                "党政办公室",
                "redo",
            ),
            (
                "对近三年“三重一大”事项决策情况开展全面自查",
                "形成自查报告，发现问题逐项整改销号",
                "党政办公室",
                "wip_m",
            ),
            (
                "每季度向市纪委监委报告“三重一大”事项决策执行情况",
                "按季度报送，全年不缺报",
                "党政办公室",
                "stand",
            ),
        ],
    ),
    (
        "加强对“一把手”和领导班子的监督，建立班子成员廉政谈话、述责述廉常态化机制。",
        ("s3", "s6"),
        [
            (
                "制定《关于加强对“一把手”和领导班子监督的实施办法》",
                "办法印发实施，明确“一把手”不直接分管财务、工程项目、干部人事、行政审批",
                "组织人事部",
                "done",
            ),
            (
                "党工委书记每半年与班子成员开展一次廉政谈话",
                "谈话记录完整，存档备查",
                "组织人事部",
                "stand",
            ),
            (
                "建立领导干部插手干预重大事项记录报告制度",
                "制度印发，设立登记台账并按月报送",
                "纪检监察工委",
                "wait_d",
            ),
        ],
    ),
    (
        "规范政府投资项目招标程序，严禁“先上车后补票”、化整为零规避招标。",
        ("s1", "z4"),
        [
            (
                "全面清理近三年政府投资项目，对“先施工后招标”项目逐一核查",
                "形成核查台账，违规项目全部移交处理",
                "规划建设局",
                "ret",
            ),
            (
                "政府投资项目一律进入市公共资源交易平台公开招标",
                "进场交易率100%",
                "规划建设局",
                "done",
            ),
            (
                "修订《政府投资项目招标代理机构管理办法》，招标代理机构通过比选确定",
                "办法印发，建立代理机构名录库",
                "规划建设局",
                "ext",
            ),
            (
                "建立评标专家随机抽取和回避制度，抽取过程全程录像",
                "抽取记录和录像资料完整归档",
                "规划建设局",
                "wip_d",
            ),
            (
                "开通招投标投诉举报“绿色通道”，投诉件15个工作日内办结",
                "投诉件按期办结率100%",
                "规划建设局",
                "wip_soon",
            ),
        ],
    ),
    (
        "完善工程项目审批制度，建立立项、设计变更、现场签证全过程联审机制。",
        ("s2", "s3"),
        [
            (
                "完善设计变更、现场签证联审制度，变更金额超过合同价5%的须集体研究",
                "制度印发，变更审批单全部留存",
                "规划建设局",
                "wait",
            ),
            (
                "编制工程建设领域权力清单、责任清单并对外公开",
                "清单经审定后在政务网站公开",
                "党政办公室",
                "done",
            ),
            (
                "对在建项目设计变更和现场签证开展专项检查",
                "形成检查报告和问题整改台账",
                "审计局",
                "wip_w",
            ),
            ("建设项目审批时限监测预警系统", "系统上线运行，预警信息当日处置", "行政审批局", "new"),
        ],
    ),
    (
        "强化工程款拨付和垫资管理，严格按合同节点和审核结果支付。",
        ("s4", "z3"),
        [
            (
                "制定《政府投资项目资金拨付管理办法》",
                "办法印发，拨付审批单注明合同依据",
                "财政局",
                "done",
            ),
            (
                "全面清理施工单位垫资项目，严禁要求施工单位违规垫资",
                "垫资项目清理台账全部销号",
                "财政局",
                "ext_late",
            ),
            (
                "工程款拨付实行经办、审核、审批三级复核",
                "复核记录完整，抽查无违规拨付",
                "财政局",
                "redo",
            ),
            (
                "对预付款超合同约定比例问题逐项追回或整改",
                "超付资金全部追回或依规处理",
                "财政局",
                "wip_m",
            ),
        ],
    ),
    (
        "健全财政预算管理和财政评审制度，增设政府采购管理科室。",
        ("z2", "z5", "z6", "q4"),
        [
            (
                "增设政府采购科，实行采购与付款不相容岗位分离",
                "机构编制批复，岗位职责明确",
                "财政局",
                "done",
            ),
            (
                "建立财政投资评审制度，政府投资项目概算、预算、结算全部纳入评审",
                "评审覆盖率100%",
                "财政局",
                "done",
            ),
            ("超概算项目一律重新报批", "超概算项目台账清零", "财政局", "new_late"),
            ("建立政府投资项目资金使用跟踪问效机制", "每半年形成跟踪问效报告", "财政局", "wip"),
        ],
    ),
    (
        "建立重要岗位干部交流轮岗制度，对在同一岗位任职满5年的干部实行轮岗。",
        ("l1",),
        [
            (
                "制定《重要岗位干部交流轮岗工作办法》，明确工程、财务、审批等重要岗位范围",
                "办法印发实施",
                "组织人事部",
                "done",
            ),
            (
                "对在同一重要岗位任职满5年的干部实行轮岗交流",
                "符合条件干部轮岗率100%",
                "组织人事部",
                "wait_d",
            ),
            (
                "建立重要岗位干部轮岗交流台账，每年动态更新",
                "台账完整，年度更新",
                "组织人事部",
                "stand",
            ),
        ],
    ),
    (
        "规范领导干部与工程承建商交往行为，建立“亲清”政商关系负面清单。",
        ("s6", "q1"),
        [
            (
                "制定领导干部与工程承建商、服务企业交往负面清单",
                "负面清单印发，领导干部100%签订承诺书",
                "纪检监察工委",
                "done",
            ),
            (
                "开展领导干部亲属经商办企业情况专项排查",
                "形成排查报告，发现问题依规处理",
                "组织人事部",
                "ret_w",
            ),
            (
                "建立“亲清”政商关系正面清单和企业诉求直通机制",
                "企业诉求按期办结率100%",
                "营商环境建设局",
                "ext_pending",
            ),
        ],
    ),
    (
        "加强园林绿化工程管理，建立工程量核实和第三方检测机制。",
        ("l2", "l3", "l4", "l6"),
        [
            (
                "园林绿化养护工程量实行第三方测量核实",
                "第三方核实报告作为结算依据",
                "住房保障局",
                "wait",
            ),
            ("苗木栽植验收引入第三方检测成活率", "验收报告附第三方检测结论", "住房保障局", "wip_d"),
            ("园林绿化工程全部纳入公共资源交易平台发包", "进场率100%", "住房保障局", "done"),
            ("对园林绿化科近十年项目开展全面审计", "形成审计报告和整改台账", "审计局", "ret"),
        ],
    ),
    (
        "严格选人用人程序，完善科级干部管理办法，落实干部选任全程纪实。",
        ("q2", "l5"),
        [
            (
                "修订《科级干部管理办法》，严格干部选任动议、考察、决定程序",
                "办法印发，选任全程纪实",
                "组织人事部",
                "done",
            ),
            (
                "干部选任廉政意见必须征求纪检监察机构意见",
                "选任档案中廉政意见100%齐全",
                "组织人事部",
                "wip_soon",
            ),
            ("对近三年提拔使用干部开展“回头看”", "形成回头看报告", "组织人事部", "new"),
        ],
    ),
    (
        "强化内部审计和财务监督，开展政府投资项目工程结算专项审计。",
        ("z1", "q1", "l7", "s7"),
        [
            (
                "开展政府投资项目工程结算专项审计",
                "专项审计报告，审减资金上缴财政",
                "审计局",
                "wip_w",
            ),
            ("建立内部审计发现问题整改跟踪机制", "审计整改台账按月更新", "审计局", "wait"),
            ("对接待费用在工程项目中列支问题专项清理", "违规列支费用全部清退", "财政局", "ext_no"),
            ("建立项目结余物资和闲置资产处置台账", "台账建立，处置经集体研究", "财政局", "done"),
        ],
    ),
    (
        "深化警示教育，用身边事教育身边人，召开以案促改专题民主生活会。",
        ("s5", "l5"),
        [
            (
                "召开以案促改专题民主生活会，班子成员逐一对照检查",
                "会议方案、对照检查材料、会议记录齐全",
                "党政办公室",
                "done",
            ),
            (
                "分层分类开展警示教育，组织观看警示教育片、旁听庭审",
                "警示教育覆盖全体党员干部",
                "党政办公室",
                "stand",
            ),
            ("编印《汽开区系列案件警示录》", "警示录印发至各部门", "纪检监察工委", "wip_w"),
        ],
    ),
    (
        "建立以案促改长效机制，定期开展整改“回头看”和对账销号。",
        ("s5", "l1", "z5"),
        [
            ("建立以案促改整改台账，实行对账销号", "台账每月更新，销号有据", "党政办公室", "stand"),
            ("每半年开展以案促改“回头看”", "回头看报告报市纪委监委", "纪检监察工委", "new"),
            (
                "将以案促改工作纳入部门年度绩效考核",
                "考核方案明确以案促改分值",
                "组织人事部",
                "new_late",
            ),
            ("建立廉政风险点排查防控动态调整机制", "风险点台账每年更新", "纪检监察工委", "done"),
        ],
    ),
]

HOSPITAL_ITEMS = [
    (
        "召开专题民主生活会，深刻剖析周某某等人案件教训，班子成员逐一对照检查。",
        ("h3",),
        [
            (
                "召开院党委以案促改专题民主生活会",
                "会议记录、对照检查材料齐全",
                "党委办公室",
                "done",
            ),
            (
                "完善院党委会议议事规则，会议记录全程留痕",
                "议事规则印发，记录完整",
                "党委办公室",
                "redo",
            ),
        ],
    ),
    (
        "全面排查医疗设备和医用耗材采购风险，规范采购参数论证。",
        ("h1", "h2", "h5"),
        [
            (
                "大型医疗设备采购参数由3名以上专家论证并公示",
                "论证记录和公示材料齐全",
                "采购中心",
                "done",
            ),
            ("重组医院采购委员会，院长不担任主任委员", "调整文件印发", "党委办公室", "done"),
            (
                "高值医用耗材遴选实行集体决策和院外专家评审",
                "遴选会议纪要齐全",
                "医学工程部",
                "wait_d",
            ),
        ],
    ),
    (
        "建立统方管理制度，实行统方权限分级授权和操作留痕。",
        ("h6", "h7"),
        [
            (
                "制定《统方管理办法》，统方权限分级授权",
                "办法印发，授权名单备案",
                "信息中心",
                "done",
            ),
            ("信息系统统方查询全程留痕，每月审计日志", "日志审计记录按月归档", "信息中心", "stand"),
            ("建立高值耗材使用监测预警", "预警信息月度通报", "医务部", "ret"),
        ],
    ),
    (
        "落实不相容岗位分离，规范设备验收和供应商返利管理。",
        ("h8", "h9", "h10", "h4"),
        [
            ("招标文件编制、验收、付款分岗分责", "岗位职责调整文件印发", "医学工程部", "done"),
            (
                "设备到货验收由使用科室、设备科、纪检监察室三方参与",
                "验收单三方签字",
                "医学工程部",
                "redo",
            ),
            ("清理供应商返利、赠品，全部纳入财务管理", "清理台账和入账凭证", "财务部", "done"),
            ("医疗设备报废处置须经资产评估", "处置记录附评估报告", "医学工程部", "wip_m"),
        ],
    ),
]

HEALTH_COMMISSION_ITEMS = [
    (
        "在全市医疗系统开展管理制度“立改废释”工作。",
        ("h2", "h6"),
        [
            (
                "梳理全市医疗系统现行管理制度，形成“立改废释”清单",
                "清单经委党组审定",
                "政策法规处",
                "wip",
            ),
            ("指导各医疗机构修订采购、验收管理制度", "各医疗机构制度修订完成", "规划财务处", "new"),
        ],
    ),
    (
        "建立全市医疗机构统方管理制度，加强高值耗材使用监管。",
        ("h5", "h6", "h7"),
        [
            ("制定全市医疗机构统方管理指导意见", "指导意见印发", "医政医管处", "new"),
            ("开展高值医用耗材使用专项检查", "检查报告和问题清单", "医政医管处", "wip_d"),
        ],
    ),
    (
        "加强对公立医院“一把手”和领导班子的监督。",
        ("h3",),
        [
            ("建立公立医院主要负责人年度述责述廉制度", "每年开展一次述责述廉", "人事处", "stand"),
            ("委党组书记与公立医院主要负责人开展廉政谈话", "谈话全覆盖", "人事处", "new"),
        ],
    ),
    (
        "建立“三医”协同治理会商机制，强化医保基金使用监管。",
        ("h7",),
        [
            ("与市医保局建立“三医”协同治理会商机制", "会商机制文件印发", "体制改革处", "new"),
            ("对医保基金违规使用问题开展联合检查", "联合检查报告", "医政医管处", "wip"),
        ],
    ),
]

SCHOOL_MEAL_ITEMS = [
    (
        "规范学生营养餐配送企业遴选，通过公开招标确定配送企业。",
        ("e1",),
        [
            (
                "制定《学生营养餐配送企业遴选管理办法》",
                "办法印发，配送企业公开招标确定",
                "计划财务科",
                "done",
            ),
            ("重新招标确定全区营养餐配送企业", "招标结果公示", "计划财务科", "done"),
        ],
    ),
    (
        "营养餐补助资金按学生实际就餐人数核拨。",
        ("e2",),
        [
            ("建立学生就餐人数每日核对制度", "核对记录每日留存", "学生资助管理中心", "done"),
            (
                "对近两年营养餐补助资金开展清查",
                "清查报告，违规资金全部追回",
                "学生资助管理中心",
                "redo",
            ),
        ],
    ),
    (
        "健全校园餐经费管理制度，建立家长委员会参与监督机制。",
        ("e3",),
        [
            ("各校成立膳食委员会，家长代表不少于三分之一", "全区学校100%成立", "体卫艺科", "done"),
            ("校园餐经费收支每学期公示", "公示材料存档", "计划财务科", "done"),
            ("家长陪餐制度常态化", "每校每周不少于1次家长陪餐", "体卫艺科", "stand"),
        ],
    ),
]

WATER_ITEMS = [
    (
        "规范小型水利工程招标，严禁领导干部插手干预。",
        ("w1",),
        [
            ("小型水利工程全部进入县公共资源交易中心招标", "进场率100%", "规划建设股", "done"),
            ("建立领导干部插手工程项目记录报告制度", "制度印发，台账建立", "办公室", "done"),
        ],
    ),
    (
        "加强工程监理管理，落实隐蔽工程旁站监理。",
        ("w2",),
        [
            ("建立监理单位履职考核和黑名单制度", "考核办法印发", "建设管理股", "done"),
        ],
    ),
    (
        "水利项目资金拨付与工程进度、质量验收结果挂钩。",
        ("w3",),
        [
            ("修订《水利项目资金管理办法》", "办法印发实施", "财务股", "done"),
            ("每年开展水利项目资金使用专项检查", "检查报告报县纪委监委", "财务股", "stand"),
        ],
    ),
]

LAND_ITEMS = [
    ("设施农用地备案实行集体审核，严防违规用地。", ("n1",)),
    ("规范违法占地执法，杜绝“以罚代管”。", ("n2",)),
]

FARM_SUBSIDY_ITEMS = [
    ("耕地地力保护补贴名册实行村、乡、区三级审核。", ("a1",)),
    ("补贴发放公示进村入户，接受群众监督。", ("a2",)),
    ("完善惠农补贴“一卡通”发放管理制度。", ("a3",)),
]

# 制度立改废释: (recommendation, unit, kind, rule, effective day, measure it came from: a fragment)
RuleKind = RuleChange.Kind
# fmt: off
RULE_CHANGES = [
    ("qkq", "qkq", RuleKind.ESTABLISHED, "关于加强对“一把手”和领导班子监督的实施办法", -180,
     "一把手"),
    ("qkq", "qkq", RuleKind.REVISED, "“三重一大”事项集体决策制度实施细则", -175, "三重一大"),
    ("qkq", "qkq", RuleKind.ESTABLISHED, "重要岗位干部交流轮岗工作办法", -160, "轮岗工作办法"),
    ("qkq", "qkq", RuleKind.REVISED, "科级干部管理办法", -150, "科级干部"),
    ("qkq", "qkq_finance", RuleKind.ESTABLISHED, "政府投资项目资金拨付管理办法", -170,
     "资金拨付管理办法"),
    ("qkq", "qkq_finance", RuleKind.ESTABLISHED, "财政投资评审管理办法", -140, "财政投资评审"),
    ("qkq", "qkq", RuleKind.REVISED, "政府投资项目招标代理机构管理办法", -20, "招标代理机构"),
    ("qkq", "qkq", RuleKind.ABOLISHED, "重点项目“先建后招”绿色通道暂行规定", -200,
     "先施工后招标"),
    ("qkq", "qkq", RuleKind.INTERPRETED, "关于《政府采购管理办法》中“紧急采购”情形认定的解释",
     -120, None),
    ("qkq", "qkq_housing", RuleKind.ESTABLISHED, "园林绿化养护工程量第三方核实办法", -60,
     "第三方测量"),
    ("hospital", "hospital", RuleKind.ESTABLISHED, "统方管理办法", -150, "统方管理办法"),
    ("hospital", "hospital", RuleKind.REVISED, "医用耗材遴选和采购管理制度", -120, None),
    ("hospital", "hospital", RuleKind.ABOLISHED, "设备科采购验收一体化工作规程", -140,
     "分岗分责"),
    ("hospital", "hospital", RuleKind.INTERPRETED,
     "关于大型医用设备采购参数“三人以上专家论证”的解释", -110, "参数"),
    ("school", "cy_education", RuleKind.ESTABLISHED, "学生营养餐配送企业遴选管理办法", -360,
     "遴选管理办法"),
    ("school", "cy_education", RuleKind.REVISED, "中小学校园餐经费管理办法", -340, None),
    ("water", "na_water", RuleKind.REVISED, "水利项目资金管理办法", -250, "资金管理办法"),
]
# fmt: on

# 警示教育、专题民主生活会、约谈、轮岗: (recommendation, kind, title, day held, 人次, notes)
ActivityKind = Activity.Kind
# fmt: off
ACTIVITIES = [
    ("qkq", ActivityKind.WARNING_EDUCATION, "汽开区系列案件分层分类专题警示教育会（52场）", -200,
     3180, "用身边事教育身边人，覆盖全区党员干部和公职人员。"),
    ("qkq", ActivityKind.SPECIAL_MEETING, "汽开区党工委以案促改专题民主生活会", -210, 11,
     "班子成员逐一对照检查，开展批评和自我批评。"),
    ("qkq", ActivityKind.ADMONITION_TALK, "市纪委监委约谈汽开区领导班子成员", -236, 9,
     "压实整改主体责任。"),
    ("qkq", ActivityKind.JOB_ROTATION, "重要岗位干部轮岗交流", -120, 47,
     "对在同一重要岗位任职满5年的干部实行轮岗。"),
    ("qkq", ActivityKind.OTHER, "组织旁听孙某某案庭审", -185, 86, "以案明纪、以案释法。"),
    ("hospital", ActivityKind.WARNING_EDUCATION, "医药领域廉洁教育微电影观看暨警示教育会", -170,
     420, "全院中层以上干部和重点岗位人员参加。"),
    ("hospital", ActivityKind.SPECIAL_MEETING, "院党委以案促改专题民主生活会", -180, 9, ""),
    ("hospital", ActivityKind.ADMONITION_TALK, "约谈临床科室主任和药剂、设备岗位负责人", -160,
     23, ""),
    ("hospital", ActivityKind.JOB_ROTATION, "设备、药剂、采购岗位轮岗", -100, 12, ""),
    ("school", ActivityKind.WARNING_EDUCATION, "“校园餐”问题专题警示教育会", -380, 160,
     "全区中小学校长、总务主任参加。"),
    ("water", ActivityKind.ADMONITION_TALK, "县纪委监委约谈水利局班子成员", -295, 8, ""),
]
# fmt: on

# Department → accountable leader, per recipient.
LEADERS = {
    "qkq": {
        "党政办公室": "齐立新",
        "组织人事部": "韩冬梅",
        "纪检监察工委": "柏松涛",
        "规划建设局": "邵永军",
        "住房保障局": "邵永军",
        "财政局": "潘海峰",
        "审计局": "潘海峰",
        "行政审批局": "齐立新",
        "营商环境建设局": "齐立新",
    },
    "hospital": {"*": "方振华"},
    "health": {"*": "钟国庆"},
    "cy_education": {"*": "姚春雨"},
    "na_water": {"*": "石永刚"},
}
OWNERS = [
    "姜宇",
    "曹丽",
    "范俊杰",
    "彭程",
    "鲁慧敏",
    "苗青",
    "葛磊",
    "严佳",
    "夏明远",
    "汤静",
    "殷浩",
    "罗婷",
    "郝建新",
    "邬小燕",
]

PROGRESS_TEXT = [
    "已召开专题会议研究部署，明确责任分工和时间节点，正在起草制度文本。",
    "已完成现状梳理和问题排查，形成初步整改方案，正在征求相关部门意见。",
    "制度初稿已形成，经分管领导审阅后提交会议审议。",
    "已组织相关科室开展自查，发现的问题正在逐项整改。",
    "整改工作按计划推进，阶段性成果已形成书面材料。",
]
DONE_TEXT = [
    "整改已完成：相关制度经会议审议通过并正式印发，已组织全员学习。",
    "整改已完成：专项检查报告已形成，发现问题全部整改到位。",
    "整改已完成：台账已建立并按要求更新，佐证材料附后。",
]
RETURN_TEXT = {
    ReturnReason.PAPER_RECTIFICATION: "仅提供制度文本，未见执行记录，属纸面整改，请补充落实情况。",
    ReturnReason.INSUFFICIENT_EVIDENCE: "佐证材料不足，缺少会议纪要和整改前后对比材料。",
    ReturnReason.STANDARD_NOT_MET: "未达到整改标准，核查范围未覆盖全部项目。",
}


# ── Helpers ──────────────────────────────────────────────────────────────────────────────────────
def _pdf_bytes(lines: list[str]) -> bytes:
    """A small, valid one-page PDF (ASCII text in a standard font), standing in for a scan."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text = " ".join(f"({escape(line)}) '" for line in lines)
    stream = f"BT /F1 12 Tf 72 770 Td 18 TL {text} ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out


class _Clock:
    """Moves what each block of work writes to the day the story puts it on.

    Inside ``with clock.on(day):`` every saved row of a timestamped model is noted (post_save).
    ``flush()`` then sets, in a few bulk updates, each row's creation time, history time, sign-off
    date or decision time to the moment of the block that wrote it, and ``updated_at`` to the last
    one. Only this demo's own rows are touched, and only while the demo is being built.
    """

    CREATED_FIELDS = {
        Case: ["created_at"],
        CaseAnalysis: ["created_at"],
        Problem: ["created_at"],
        Recommendation: ["created_at"],
        Measure: ["created_at"],
        RuleChange: ["created_at"],
        Activity: ["created_at"],
        FollowUp: ["created_at"],
        RecommendationTransition: ["at"],
        MeasureTransition: ["at"],
        Reply: ["submitted_at"],
        ProgressReport: ["reported_at"],
        Evidence: ["uploaded_at"],
        ExtensionRequest: ["requested_at"],
    }
    UPDATED_FIELDS = {
        model: ["updated_at"]
        for model in (
            Case,
            CaseAnalysis,
            Problem,
            Recommendation,
            Measure,
            RuleChange,
            Activity,
            FollowUp,
        )
    }

    def __init__(self, today: datetime.date):
        self.today = today
        self._touched = None
        self._minutes = defaultdict(int)
        self._stamps = defaultdict(lambda: defaultdict(dict))  # model → pk → field → value
        self.stored_files: list[str] = []  # evidence written to storage, to remove on failure

    def _note(self, sender, instance, created, **kwargs):
        if self._touched is None or sender not in self.CREATED_FIELDS:
            return
        if sender is Evidence and created:
            self.stored_files.append(instance.file.name)
        signed_off = sender is Measure and instance.status == Measure.Status.SIGNED_OFF
        decided = sender is ExtensionRequest and instance.decided_at is not None
        self._touched.append((sender, instance.pk, created, signed_off, decided))

    @contextmanager
    def listening(self):
        post_save.connect(self._note, dispatch_uid="seed_demo_clock", weak=False)
        try:
            yield self
        finally:
            post_save.disconnect(dispatch_uid="seed_demo_clock")

    def moment(self, day: datetime.date) -> datetime.datetime:
        """A time on ``day`` in office hours, later than the previous one on that day."""
        now = timezone.now()
        if day >= self.today:
            return now
        self._minutes[day] += 7
        when = datetime.datetime.combine(day, datetime.time(8, 30), tzinfo=SHANGHAI)
        return min(when + datetime.timedelta(minutes=min(self._minutes[day], 900)), now)

    @contextmanager
    def on(self, day: datetime.date):
        self._touched = []
        try:
            yield
            touched = self._touched
        finally:
            self._touched = None
        when = self.moment(day)
        for model, pk, created, signed_off, decided in touched:
            stamps = self._stamps[model][pk]
            if created:
                for field in self.CREATED_FIELDS[model]:
                    stamps.setdefault(field, when)
            for field in self.UPDATED_FIELDS.get(model, ()):
                stamps[field] = when
            if signed_off:
                stamps.setdefault("signed_off_on", day)
            if decided:
                stamps.setdefault("decided_at", when)

    def flush(self):
        for model, rows in self._stamps.items():
            by_fields = defaultdict(list)
            for pk, stamps in rows.items():
                by_fields[tuple(sorted(stamps))].append(model(pk=pk, **stamps))
            for fields, objects in by_fields.items():
                model.objects.bulk_update(objects, fields, batch_size=100)
        self._stamps.clear()


class DemoExists(Exception):
    """The database holds something that clashes with the demo (it refuses to build over it)."""


# ── The builder ──────────────────────────────────────────────────────────────────────────────────
class _Builder:
    def __init__(self):
        self.today = shanghai_today()
        self.rng = random.Random(RANDOM_SEED)
        self.clock = _Clock(self.today)
        self.units: dict[str, OrgUnit] = {}
        self.users: dict[str, User] = {}
        self.cases: dict[str, Case] = {}
        self.problems: dict[str, Problem] = {}
        self.recommendations: dict[str, Recommendation] = {}
        self.measures: dict[str, list[Measure]] = defaultdict(list)
        self.evidence_serial = 0

    def day(self, offset: int) -> datetime.date:
        return self.today + datetime.timedelta(days=offset)

    def on(self, offset: int):
        return self.clock.on(self.day(min(offset, 0)))

    # Organisation and people ────────────────────────────────────────────────────────────────────
    def build_org_tree(self):
        root_spec = ORG_TREE["city"]
        self.units["city"] = OrgUnit.objects.add_root(
            {"name": root_spec[1], "kind": root_spec[2], "doc_abbr": root_spec[4]}
        )
        for key, (parent, name, kind, sector, abbr) in ORG_TREE.items():
            if key == "city":
                continue
            parent_unit = self.units[parent or "city"]
            self.units[key] = OrgUnit.objects.add_child(
                parent_unit, {"name": name, "kind": kind, "sector": sector, "doc_abbr": abbr}
            )
        # Sorted insertion moves siblings' paths: read every node back before using it.
        fresh = OrgUnit.objects.in_bulk([unit.pk for unit in self.units.values()])
        self.units = {key: fresh[unit.pk] for key, unit in self.units.items()}
        for group, targets in GROUP_POSTED_TO.items():
            self.units[group].posted_to.set([self.units[key] for key in targets])

    def build_users(self):
        # One hash for the shared password: hashing is deliberately slow.
        password = make_password(DEMO_PASSWORD)
        joined = timezone.now() - datetime.timedelta(days=700)
        for spec in DEMO_USERS:
            user = User(
                username=spec.username,
                password=password,
                role=spec.role,
                org_unit=self.units[spec.org],
                full_name=spec.full_name,
                title=spec.title,
                email=f"{spec.username}@yianchugai.example",
                date_joined=joined,
            )
            user.full_clean(exclude=["password"])
            user.save()
            self.users[spec.username] = user

    # Cases and problems ─────────────────────────────────────────────────────────────────────────
    def build_cases(self):
        violation_types = {}
        for spec in CASES:
            for name in spec.violations:
                if name not in violation_types:
                    violation_types[name] = ViolationType.objects.get_or_create(name=name)[0]
        serials = defaultdict(lambda: 10)
        for spec in CASES:
            commission = self.units[spec.commission]
            opened_on = self.day(spec.opened)
            serial_key = (commission.pk, opened_on.year)
            serials[serial_key] += self.rng.randint(3, 17)
            number = f"{commission.doc_abbr}立〔{opened_on.year}〕{serials[serial_key]}号"
            with self.on(spec.opened):
                case = Case.objects.create(
                    number=number,
                    title=spec.title,
                    commission=commission,
                    case_unit=self.units[spec.unit],
                    sector=spec.sector,
                    level=spec.level,
                    amount=Decimal(spec.amount),
                    status=Case.Status.INVESTIGATING if spec.closed is not None else spec.status,
                    opened_on=opened_on,
                    summary=spec.summary,
                    created_by=self.staff_for(commission),
                )
                case.violation_types.set([violation_types[name] for name in spec.violations])
                for name, position, top, disposition in spec.subjects:
                    Subject.objects.create(
                        case=case,
                        name=name,
                        position=position,
                        is_top_leader=top,
                        disposition=disposition,
                    )
            if spec.closed is not None:
                with self.on(spec.closed):
                    case.status = spec.status
                    case.closed_on = self.day(spec.closed)
                    case.save()
            analysed = spec.closed + 20 if spec.closed is not None else None
            with self.on(analysed if analysed is not None else spec.opened + 10):
                CaseAnalysis.objects.create(
                    case=case,
                    trajectory=spec.trajectory,
                    root_causes=spec.root_causes,
                    loopholes=spec.loopholes,
                    lessons=spec.lessons,
                    author=self.staff_for(commission),
                    completed_on=self.day(min(analysed, 0)) if analysed is not None else None,
                )
            self.cases[spec.key] = case
        for series in LINKED_SERIES:
            cases = [self.cases[key] for key in series]
            for case in cases:
                case.linked_cases.set([other for other in cases if other != case])
        stages = {stage.name: stage for stage in ProcessStage.objects.all()}
        for key, (case_key, unit_key, category, stage, description) in PROBLEMS.items():
            case = self.cases[case_key]
            if stage not in stages:
                stages[stage] = ProcessStage.objects.get_or_create(name=stage)[0]
            with self.clock.on(case.closed_on or self.day(0)):
                self.problems[key] = Problem.objects.create(
                    case=case,
                    unit=self.units[unit_key] if unit_key else case.case_unit,
                    category=category,
                    process_stage=stages[stage],
                    description=description,
                )

    def staff_for(self, commission: OrgUnit) -> User:
        by_org = {
            "health_group": "staff_group",
            "chaoyang": "staff_chaoyang",
            "nongan": "staff_nongan",
        }
        for key, username in by_org.items():
            if self.units[key].pk == commission.pk:
                return self.users[username]
        return self.users["staff"]

    # Recommendations ────────────────────────────────────────────────────────────────────────────
    def draft(
        self,
        key,
        *,
        staff,
        issuer,
        recipient,
        kind,
        title,
        recipient_name,
        cases,
        preamble,
        items,
        drafted,
        reply_due,
    ):
        with self.on(drafted):
            recommendation = recommendation_services.recommendation_create(
                actor=self.users[staff],
                title=title,
                issuer=self.units[issuer],
                recipient_unit=self.units[recipient],
                cases=[self.cases[case] for case in cases],
                reply_due_on=self.day(reply_due),
                kind=kind,
                recipient_name=recipient_name,
                preamble=preamble,
            )
            for content, problem_keys, *_rest in items:
                recommendation_services.recommendation_item_add(
                    recommendation=recommendation,
                    actor=self.users[staff],
                    content=content,
                    problems=[self.problems[problem] for problem in problem_keys],
                )
        self.recommendations[key] = recommendation
        return recommendation

    def issue(self, recommendation, *, staff, issued, serial):
        with self.on(issued):
            recommendation_services.recommendation_issue(
                recommendation=recommendation,
                actor=self.users[staff],
                issued_on=self.day(issued),
                doc_serial=serial,
            )

    def acknowledge(self, recommendation, *, officer, on):
        with self.on(on):
            recommendation_services.recommendation_acknowledge(
                recommendation=recommendation, actor=self.users[officer]
            )

    def start_rectification(self, recommendation, *, officer, on):
        with self.on(on):
            recommendation_services.recommendation_start_rectification(
                recommendation=recommendation, actor=self.users[officer]
            )

    # Measures ───────────────────────────────────────────────────────────────────────────────────
    def plan_measures(self, recommendation, items, *, recipient, officer, staff, planned, shift=0):
        """Create every item's measures on the planning day, then play each one's story.

        ``shift`` moves the due dates of finished work earlier, for a recommendation that was
        closed long ago.
        """
        officer_user = self.users[officer]
        leaders = LEADERS[recipient]
        stories = []
        item_objects = list(recommendation.items.order_by("number"))
        issued = (recommendation.issued_on - self.today).days
        with self.on(planned):
            for item, (_content, _problems, measures) in zip(item_objects, items, strict=True):
                for content, standard, department, scenario in measures:
                    low, high = (day + shift for day in DUE_WINDOWS[scenario])
                    due = self.rng.randint(max(low, issued + 15), max(high, issued + 15))
                    is_mine = self.rng.random() < 0.3
                    owner_name = officer_user.full_name if is_mine else self.rng.choice(OWNERS)
                    measure = reform_services.measure_create(
                        item=item,
                        actor=officer_user,
                        content=content,
                        standard=standard,
                        department=department,
                        owner_name=owner_name,
                        owner=officer_user if is_mine else None,
                        leader_name=leaders.get(department, leaders.get("*", "")),
                        due_on=self.day(due),
                        is_standing=scenario == "stand",
                    )
                    self.measures[recipient].append(measure)
                    stories.append((measure, scenario, due))
        for measure, scenario, due in stories:
            self.play(
                measure,
                scenario,
                due,
                officer=officer_user,
                staff=self.users[staff],
                planned=planned,
            )

    def _steps(self, planned: int, *offsets: int) -> list[int]:
        """Event days after planning, not after today, in order."""
        days, last = [], planned
        for offset in offsets:
            last = min(max(offset, last + 1), 0)
            days.append(last)
        return days

    def _evidence(self, measure: Measure, day: int) -> ContentFile:
        self.evidence_serial += 1
        date = self.day(day)
        kinds = ["会议纪要", "制度印发文件", "整改台账", "检查报告", "签到表", "整改情况说明"]
        kind = kinds[self.evidence_serial % len(kinds)]
        # PDF only: evidence is checked by content (core.uploads), and plain text is refused.
        name = f"{kind}（{date:%Y%m%d}）.pdf"
        data = _pdf_bytes(
            [
                "Rectification evidence / zhenggai zuozheng cailiao",
                f"Unit: {measure.unit_id}  Measure: {measure.pk}",
                f"Document date: {date.isoformat()}",
                f"Serial: {self.evidence_serial:04d}",
            ]
        )
        return ContentFile(data, name=name)

    def report(self, measure, officer, day, percent, *, files=0, done=False):
        text = self.rng.choice(DONE_TEXT if done else PROGRESS_TEXT)
        with self.on(day):
            reform_services.progress_report_add(
                measure=measure,
                actor=officer,
                content=text,
                percent_complete=percent,
                files=tuple(self._evidence(measure, day) for _ in range(files)),
            )

    def request_signoff(self, measure, officer, day):
        with self.on(day):
            reform_services.measure_request_signoff(
                measure=measure, actor=officer, note="整改已完成，佐证材料已上传，申请销号。"
            )

    def sign_off(self, measure, staff, day):
        with self.on(day):
            reform_services.measure_sign_off(
                measure=measure, actor=staff, note="经核查，整改到位，同意销号。"
            )

    def send_back(self, measure, staff, day):
        code = self.rng.choice(list(RETURN_TEXT))
        with self.on(day):
            reform_services.measure_return(
                measure=measure, actor=staff, reason_code=code, reason=RETURN_TEXT[code]
            )

    def extension(
        self, measure, officer, day, requested_due, *, staff=None, decide_on=None, approve=True
    ):
        with self.on(day):
            request = reform_services.extension_request_submit(
                measure=measure,
                actor=officer,
                requested_due_on=self.day(requested_due),
                reason="涉及多个部门协调和历史项目资料调取，工作量大，申请延期办理。",
            )
        if staff is None:
            return
        with self.on(decide_on):
            if approve:
                reform_services.extension_request_approve(
                    request=request, actor=staff, note="理由充分，同意延期，请按新时限完成。"
                )
            else:
                reform_services.extension_request_reject(
                    request=request,
                    actor=staff,
                    note="该项整改不涉及客观困难，不同意延期，请抓紧落实。",
                )
        measure.refresh_from_db()

    def play(self, measure, scenario, due, *, officer, staff, planned):
        """Drive one measure through its scenario with the services, day by day."""
        if scenario in {"new", "new_late"}:
            return
        if scenario in {"done", "redo"}:
            if scenario == "done":
                first, last, request, sign = self._steps(
                    planned, planned + 15, due - 12, due - 8, due - 3
                )
                self.report(measure, officer, first, 50)
            else:
                days = self._steps(
                    planned, planned + 10, due - 25, due - 22, due - 16, due - 8, due - 6, due + 2
                )
                first, early, early_request, back, last, request, sign = days
                self.report(measure, officer, first, 40)
                self.report(measure, officer, early, 100, files=1, done=True)
                self.request_signoff(measure, officer, early_request)
                self.send_back(measure, staff, back)
            self.report(measure, officer, last, 100, files=2, done=True)
            self.request_signoff(measure, officer, request)
            self.sign_off(measure, staff, sign)
        elif scenario in {"wip", "wip_soon", "wip_d", "wip_w", "wip_m"}:
            first, second = self._steps(planned, planned + 20, (planned + 20) // 2)
            self.report(measure, officer, first, 30)
            self.report(measure, officer, second, 60, files=1)
        elif scenario in {"wait", "wait_d"}:
            request = min(due - 2, -2)
            first, last, request = self._steps(planned, planned + 20, request - 4, request)
            self.report(measure, officer, first, 40)
            self.report(measure, officer, last, 100, files=2, done=True)
            self.request_signoff(measure, officer, request)
        elif scenario in {"ret", "ret_w"}:
            first, last, request, back = self._steps(
                planned, planned + 20, due - 8, due - 5, due - 1
            )
            self.report(measure, officer, first, 50)
            self.report(measure, officer, last, 90, files=1, done=True)
            self.request_signoff(measure, officer, request)
            self.send_back(measure, staff, back)
        elif scenario == "stand":
            first, second = self._steps(planned, planned + 30, -15)
            self.report(measure, officer, first, 50, files=1)
            self.report(measure, officer, second, 70, files=1)
        elif scenario in {"ext", "ext_late"}:
            target = self.rng.randint(20, 60) if scenario == "ext" else self.rng.randint(-28, -9)
            first, asked, decided, second = self._steps(
                planned, planned + 20, due - 6, due - 3, min(target, 0) - 5
            )
            self.report(measure, officer, first, 30)
            self.extension(measure, officer, asked, target, staff=staff, decide_on=decided)
            self.report(measure, officer, second, 60, files=1)
        elif scenario == "ext_pending":
            first, second, asked = self._steps(planned, planned + 20, -15, -1)
            self.report(measure, officer, first, 30)
            self.report(measure, officer, second, 60)
            self.extension(measure, officer, asked, 45)
        elif scenario == "ext_no":
            first, asked, decided = self._steps(planned, planned + 20, due - 4, due - 1)
            self.report(measure, officer, first, 20)
            self.extension(
                measure, officer, asked, 30, staff=staff, decide_on=decided, approve=False
            )
        else:  # pragma: no cover - a typo in the tables above
            raise ValueError(f"unknown scenario {scenario}")

    # The stories ────────────────────────────────────────────────────────────────────────────────
    def build_recommendations(self):
        qkq_series = ("sun", "zhao", "qian", "li")
        # 1. The 13-item letter to 汽开区: rectifying, every measure state, overdue of every size.
        qkq = self.draft(
            "qkq",
            staff="staff",
            issuer="city",
            recipient="qkq",
            kind=Recommendation.Kind.LETTER,
            title="关于汽开区系列案件以案促改的纪检监察建议书",
            recipient_name="中共长春汽车经济技术开发区工作委员会",
            cases=qkq_series,
            preamble=(
                "市纪委监委在查办汽开区党工委原委员、管委会原副主任孙某某等4人系列案件中发现，"
                "你区在“三重一大”事项集体决策、对“一把手”和领导班子监督、政府投资项目建设和"
                "财政资金管理等方面存在制度漏洞和监管缺位。根据《中华人民共和国监察法》和"
                "《纪检监察建议工作规定》，现提出如下建议，请认真研究落实，并于规定时限内将"
                "整改情况书面报送市纪委监委。"
            ),
            items=QKQ_ITEMS,
            drafted=-252,
            reply_due=60,
        )
        self.issue(qkq, staff="staff", issued=-240, serial=3)
        self.acknowledge(qkq, officer="officer", on=-238)
        self.plan_measures(
            qkq, QKQ_ITEMS, recipient="qkq", officer="officer", staff="staff", planned=-230
        )
        self.start_rectification(qkq, officer="officer", on=-228)

        # 2. A rectification notice from the dispatched group to the hospital: replied, after a
        # first reply was sent back.
        hospital = self.draft(
            "hospital",
            staff="staff_group",
            issuer="health_group",
            recipient="hospital",
            kind=Recommendation.Kind.NOTICE,
            title="关于周某某等人系列案件的以案促改通知书",
            recipient_name="中共长春市第三人民医院委员会",
            cases=("zhou", "wu", "zheng"),
            preamble=(
                "周某某、吴某某、郑某某等人严重违纪违法案件暴露出你院在设备采购、耗材遴选、"
                "统方管理和对“一把手”监督等方面的突出问题。现将以案促改任务通知如下，请院党委"
                "切实履行主体责任，逐项制定整改措施，明确责任人和时限。"
            ),
            items=HOSPITAL_ITEMS,
            drafted=-206,
            reply_due=-80,
        )
        self.issue(hospital, staff="staff_group", issued=-200, serial=2)
        self.acknowledge(hospital, officer="officer_hospital", on=-199)
        self.plan_measures(
            hospital,
            HOSPITAL_ITEMS,
            recipient="hospital",
            officer="officer_hospital",
            staff="staff_group",
            planned=-195,
        )
        self.start_rectification(hospital, officer="officer_hospital", on=-193)
        officer = self.users["officer_hospital"]
        with self.on(-70):
            recommendation_services.recommendation_submit_reply(
                recommendation=hospital,
                actor=officer,
                content="院党委高度重视，对照通知书4项任务制定整改措施12项，目前已完成8项，"
                "其余措施正在推进。附：整改任务清单及佐证材料目录。",
            )
        with self.on(-60):
            recommendation_services.recommendation_return_reply(
                recommendation=hospital,
                actor=self.users["staff_group"],
                reason="整改报告对设备采购参数论证、统方管理的落实情况表述笼统，"
                "缺少整改前后对比和佐证材料，请补充后重新报送。",
            )
        with self.on(-40):
            recommendation_services.recommendation_submit_reply(
                recommendation=hospital,
                actor=officer,
                content="根据派驻纪检监察组意见补充完善：大型设备采购参数论证已全部实行3名以上"
                "专家论证并公示；统方权限收归信息中心分级授权，查询日志按月审计；"
                "高值耗材监测预警正在按要求完善。",
            )

        # 3. A letter to the health commission on the hospital series: acknowledged, being planned.
        health = self.draft(
            "health",
            staff="staff",
            issuer="city",
            recipient="health",
            kind=Recommendation.Kind.LETTER,
            title="关于深化医疗系统以案促改促治的纪检监察建议书",
            recipient_name="中共长春市卫生健康委员会党组",
            cases=("zhou", "wu", "zheng"),
            preamble=(
                "市第三人民医院周某某等人系列案件暴露出全市医疗系统在采购管理、统方管理和对"
                "公立医院“一把手”监督等方面存在共性问题。现提出如下建议，推动全系统开展管理"
                "制度“立改废释”。"
            ),
            items=HEALTH_COMMISSION_ITEMS,
            drafted=-38,
            reply_due=60,
        )
        self.issue(health, staff="staff", issued=-30, serial=11)
        self.acknowledge(health, officer="officer_health", on=-27)
        self.plan_measures(
            health,
            HEALTH_COMMISSION_ITEMS,
            recipient="health",
            officer="officer_health",
            staff="staff",
            planned=-20,
        )

        # 4. The district's 校园餐 letter: closed and evaluated on site, follow-up conducted.
        school = self.draft(
            "school",
            staff="staff_chaoyang",
            issuer="chaoyang",
            recipient="cy_education",
            kind=Recommendation.Kind.LETTER,
            title="关于“校园餐”问题以案促改的纪检监察建议书",
            recipient_name="中共长春市朝阳区教育局党组",
            cases=("chu",),
            preamble="褚某某受贿案暴露出全区学生营养餐管理中的突出问题，现提出如下建议。",
            items=SCHOOL_MEAL_ITEMS,
            drafted=-410,
            reply_due=-310,
        )
        self.issue(school, staff="staff_chaoyang", issued=-400, serial=5)
        self.acknowledge(school, officer="officer_edu", on=-398)
        self.plan_measures(
            school,
            SCHOOL_MEAL_ITEMS,
            recipient="cy_education",
            officer="officer_edu",
            staff="staff_chaoyang",
            planned=-390,
            shift=-180,
        )
        self.start_rectification(school, officer="officer_edu", on=-388)
        self._reply_close(
            school, officer="officer_edu", staff="staff_chaoyang", replied=-205, closed=-190
        )
        with self.on(-150):
            recommendation_services.recommendation_evaluate(
                recommendation=school,
                actor=self.users["staff_chaoyang"],
                method=Evaluation.Method.ON_SITE,
                score=92,
                rating=Evaluation.Rating.EXCELLENT,
                comments="现场答辩式评查：问题全部销号，制度建设到位，家长满意度明显提升；"
                "建议持续抓好家长陪餐制度。",
                evaluated_on=self.day(-150),
            )

        # 5. The county's water-works letter: closed, follow-up scheduled.
        water = self.draft(
            "water",
            staff="staff_nongan",
            issuer="nongan",
            recipient="na_water",
            kind=Recommendation.Kind.LETTER,
            title="关于蒋某某案件以案促改的纪检监察建议书",
            recipient_name="中共农安县水利局党组",
            cases=("jiang",),
            preamble="蒋某某受贿案暴露出小型水利工程建设管理中的漏洞，现提出如下建议。",
            items=WATER_ITEMS,
            drafted=-308,
            reply_due=-210,
        )
        self.issue(water, staff="staff_nongan", issued=-300, serial=4)
        self.acknowledge(water, officer="officer_water", on=-297)
        self.plan_measures(
            water,
            WATER_ITEMS,
            recipient="na_water",
            officer="officer_water",
            staff="staff_nongan",
            planned=-290,
            shift=-100,
        )
        self.start_rectification(water, officer="officer_water", on=-288)
        self._reply_close(
            water, officer="officer_water", staff="staff_nongan", replied=-125, closed=-110
        )

        # 6. A notice to the county land bureau, just issued.
        land = self.draft(
            "land",
            staff="staff_nongan",
            issuer="nongan",
            recipient="na_land",
            kind=Recommendation.Kind.NOTICE,
            title="关于沈某某案件的以案促改通知书",
            recipient_name="中共农安县自然资源局党组",
            cases=("shen",),
            preamble="沈某某滥用职权案暴露出用地审核和执法监管中的问题，现通知如下。",
            items=[(content, problems, []) for content, problems in LAND_ITEMS],
            drafted=-12,
            reply_due=52,
        )
        self.issue(land, staff="staff_nongan", issued=-8, serial=1)

        # 7. A draft for the district's farm-subsidy case.
        self.draft(
            "subsidy",
            staff="staff_chaoyang",
            issuer="chaoyang",
            recipient="cy_agriculture",
            kind=Recommendation.Kind.LETTER,
            title="关于惠农补贴发放问题的纪检监察建议书（送审稿）",
            recipient_name="中共长春市朝阳区农业农村局党组",
            cases=("han",),
            preamble="韩某某贪污案暴露出惠农补贴发放管理中的漏洞，现提出如下建议。",
            items=[(content, problems, []) for content, problems in FARM_SUBSIDY_ITEMS],
            drafted=-3,
            reply_due=90,
        )

    def _reply_close(self, recommendation, *, officer, staff, replied, closed):
        with self.on(replied):
            recommendation_services.recommendation_submit_reply(
                recommendation=recommendation,
                actor=self.users[officer],
                content="对照建议书逐项整改，全部整改措施已完成并经销号，长期坚持事项已建立"
                "常态化机制。附：整改台账、制度汇编及佐证材料目录。",
            )
        with self.on(closed):
            recommendation_services.recommendation_close(
                recommendation=recommendation, actor=self.users[staff]
            )

    # Rules, activities, follow-ups ──────────────────────────────────────────────────────────────
    def measure_like(self, recipient: str, fragment: str) -> Measure | None:
        return next((m for m in self.measures[recipient] if fragment in m.content), None)

    def build_records(self):
        recipients = {
            "qkq": "qkq",
            "hospital": "hospital",
            "school": "cy_education",
            "water": "na_water",
        }
        for rec_key, unit, kind, title, effective, fragment in RULE_CHANGES:
            recommendation = self.recommendations[rec_key]
            measure = self.measure_like(recipients[rec_key], fragment) if fragment else None
            with self.on(effective):
                RuleChange.objects.create(
                    unit=self.units[unit],
                    recommendation=recommendation,
                    measure=measure,
                    kind=kind,
                    title=title,
                    effective_on=self.day(effective),
                    created_by=self.users[self.officer_of(recipients[rec_key])],
                )
        for rec_key, kind, title, held, count, notes in ACTIVITIES:
            recipient = recipients[rec_key]
            with self.on(held):
                Activity.objects.create(
                    unit=self.units[recipient],
                    recommendation=self.recommendations[rec_key],
                    kind=kind,
                    title=title,
                    held_on=self.day(held),
                    participant_count=count,
                    notes=notes,
                    created_by=self.users[self.officer_of(recipient)],
                )
        with self.on(-20):
            FollowUp.objects.create(
                recommendation=self.recommendations["school"],
                scheduled_on=self.day(-25),
                conducted_on=self.day(-20),
                outcome=FollowUp.Outcome.CONSOLIDATED,
                findings="抽查8所学校，营养餐就餐人数核对、家长陪餐、经费公示均常态化落实，"
                "未发现问题反弹。",
                created_by=self.users["staff_chaoyang"],
            )
        with self.on(-21):
            FollowUp.objects.create(
                recommendation=self.recommendations["water"],
                scheduled_on=self.day(60),
                created_by=self.users["staff_nongan"],
            )

    def officer_of(self, recipient: str) -> str:
        return next(
            u.username for u in DEMO_USERS if u.role == Role.UNIT_OFFICER and u.org == recipient
        )

    def build(self):
        self.build_org_tree()
        self.build_users()
        with self.clock.listening():
            self.build_cases()
            self.build_recommendations()
            self.build_records()
        self.clock.flush()


def demo_logins() -> list[User]:
    """The demo accounts present in the database, headline logins first."""
    order = {spec.username: position for position, spec in enumerate(DEMO_USERS)}
    users = User.objects.filter(username__in=order).select_related("org_unit")
    return sorted(users, key=lambda user: order[user.username])


def demo_exists() -> bool:
    return OrgUnit.objects.filter(
        depth=1, name=ROOT_NAME, kind=OrgUnit.Kind.COMMISSION, doc_abbr=ROOT_ABBR
    ).exists()


def build_demo() -> bool:
    """Build the demo once; return False (and change nothing) when it is already there."""
    with transaction.atomic():
        if demo_exists():
            if not User.objects.filter(username="staff", org_unit__name=ROOT_NAME).exists():
                raise DemoExists(
                    f"已有名为“{ROOT_NAME}”的组织根节点，但它不是演示数据；"
                    "seed_demo 只在没有该节点的数据库上生成演示数据。"
                )
            return False
        taken = list(
            User.objects.filter(username__in=[u.username for u in DEMO_USERS]).values_list(
                "username", flat=True
            )
        )
        if taken:
            raise DemoExists("演示账号需要的用户名已被占用：" + "、".join(sorted(taken)))
        builder = _Builder()
        try:
            builder.build()
        except BaseException:
            _delete_files(builder.clock.stored_files)
            raise
    return True


def _delete_files(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        if name and default_storage.exists(name):
            default_storage.delete(name)
