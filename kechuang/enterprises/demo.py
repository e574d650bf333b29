"""Demo step `enterprises` (演示企业): fictional enterprises of the demo city, six years of figures, and a ladder.

Every enterprise is invented (name, credit code, figures); regions are the real streets of 南京市 and its three
marked parks (any resemblance of a generated name to a real company is a coincidence). Everything is drawn from
`ctx.rng`, in a fixed order, so the same seed gives the same data.

The model, per enterprise:
- a place (weighted toward the high-tech districts; about one in eight in a marked park, with `park` set; at
  province scale 南京 has 15 % and the other enterprises sit in the counties of the other 江苏 cities), an
  industry division of GB/T 4754-2017 weighted to manufacturing and the I/M sections, a founding date in 1995–2023;
- a class: "A" (a high-tech enterprise at some time), "B" (a tech SME registering as 科小) or "C" (ordinary);
- an annualised revenue path (log-normal level, firm growth decaying with age, yearly shocks, some churn: a firm
  may stop reporting), then employees, assets and liabilities from revenue;
- the 高企 certificate timeline (class A: first grant a year or more after founding, renewed at expiry with a new
  certificate number, or lapsing; a few revoked; some cancelled after a firm stops reporting);
- the ratios of each year, conditioned on that timeline: in the three years before a grant and the three years
  of a certificate, R&D ÷ sales meets the 高企 band for the year's revenue, science staff ≥ 10 %, high-tech income
  ≥ 60 %, domestic R&D ≥ 60 % (RULES.md §2.2); other years have a tail below;
- 科小 registrations each year, only where the previous year's figures pass RULES.md §1.2 (≤ 500 staff,
  ≤ 2亿 revenue and assets, not an excluded industry) and the 60-point table of §1.3 (or a valid 高企, §1.4);
- 创新型中小企业, 专精特新, 小巨人, 瞪羚, 准独角兽 and 独角兽 from the figures (RULES.md §8), at fixed list dates.

All money is in 万元, Decimal with two places, built from integer cents so that every row passes
`annual_problems` exactly (net assets = assets − liabilities to the cent). The figures are "as of" 2024-12-31:
qualifications whose validity ended before that day are marked expired.

Idempotency: a demo load writes its annual rows with `source = "demo:<seed>"`. When any such row exists the step
writes nothing (whatever the seed and scale: one demo population per database, and two seeds could collide on
credit codes) and only makes sure the `enterprise_user` account is linked — a second run changes nothing.

Speed: rows are built as plain dicts and written in chunks by `insert_rows` (ids reserved up front; COPY on
PostgreSQL, one executemany on SQLite), and every created row gets its change-log row ("create" with the audited
snapshot, the rows `log_bulk_changes` would write) through the same path in the same transaction — at every
scale but province (see CHANGE_LOG_ROWS). Measured on the 2-core machine: `--scale city` ≈ 35 s (SQLite and
PostgreSQL).
"""

from __future__ import annotations

import bisect
import functools
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.utils import timezone

from kechuang.accounts.models import RoleAssignment
from kechuang.accounts.roles import Role
from kechuang.audit.changelog import _actor_fields, record_event, snapshot_values
from kechuang.audit.models import ObjectChange
from kechuang.demo.registry import DemoContext, demo_step
from kechuang.demo.steps import DEMO_CITY, DEMO_DISTRICT
from kechuang.enterprises.choices import ListingStatus, Ownership
from kechuang.enterprises.industry import section_of
from kechuang.enterprises.models import Enterprise, EnterpriseYear, Qualification, QualificationKind
from kechuang.enterprises.services import ensure_builtin_kinds
from kechuang.enterprises.testing import make_uscc
from kechuang.regions.models import Region

YEARS = (2019, 2020, 2021, 2022, 2023, 2024)
AS_OF = date(2024, 12, 31)
COUNTS = {"small": 2_000, "city": 20_000, "province": 500_000}
CHUNKS = {"small": 500, "city": 5_000, "province": 10_000}  # a progress line after every chunk (≈ 0.4 GB)
# One change-log row per created object at small and city scale. At province scale that would be 4.5 million rows
# (3.9 GB on PostgreSQL, about half of a 14-minute load), so the province load is recorded by the one summary
# DomainEvent `demo.enterprises.loaded` (scale, seed, counts) that every load writes.
CHANGE_LOG_ROWS = {"small": True, "city": True, "province": False}
SOURCE_PREFIX = "demo:"
ENTERPRISE_USER = "enterprise_user"

# --- Where ---------------------------------------------------------------------------------------------------
# Districts of 南京市 by weight: 江宁 (开发区, 麒麟), 雨花台 (软件谷), 栖霞 (仙林), 浦口 (高新区) first.
DISTRICT_WEIGHTS = {"320115": 22, "320114": 12, "320113": 12, "320106": 9, "320111": 9, "320102": 8,
                    "320105": 8, "320104": 6, "320116": 6, "320117": 5, "320118": 3}
PARK_SHARE = 0.12
PARK_WEIGHTS = {"320102400000": 3, "320111404000": 4, "320115405000": 3}
# Province scale: the cities of 江苏 by weight; 南京 keeps its streets, the others are placed at county level.
CITY_WEIGHTS = {"3201": 15, "3205": 22, "3202": 12, "3204": 9, "3206": 8, "3203": 6, "3209": 5, "3210": 5,
                "3212": 5, "3211": 4, "3208": 3, "3207": 3, "3213": 3}
ROADS = ("科创路", "创新大道", "智慧路", "高新一路", "高新二路", "云谷路", "星火路", "研创路", "智汇路", "创业路",
         "科技园路", "明德路", "启航路", "知行路")

# --- What ----------------------------------------------------------------------------------------------------
# (division, weight, tech affinity 0–1, high-tech field, name words)
INDUSTRIES = (
    ("39", 9.0, 1.0, "1", ("电子科技", "微电子", "通信技术", "光电科技", "半导体科技", "智能设备")),
    ("35", 7.0, 0.9, "8", ("智能装备", "机械设备", "自动化设备", "精密机械", "环保设备")),
    ("34", 6.0, 0.8, "8", ("机械制造", "动力设备", "流体设备", "精工", "传动科技")),
    ("38", 6.0, 0.9, "6", ("电气", "电力设备", "新能源科技", "储能技术", "电器")),
    ("40", 3.0, 1.0, "8", ("仪器仪表", "测控技术", "传感技术", "检测设备")),
    ("27", 4.0, 1.0, "2", ("生物医药", "药业", "医药科技", "生物制药")),
    ("26", 4.0, 0.7, "4", ("化工", "新材料", "化学科技", "精细化工")),
    ("29", 2.0, 0.5, "4", ("塑业", "高分子材料", "橡塑制品")),
    ("30", 2.0, 0.4, "4", ("建材", "新型材料", "陶瓷科技")),
    ("33", 3.0, 0.4, "8", ("金属制品", "钢结构", "精密五金")),
    ("36", 3.0, 0.7, "8", ("汽车零部件", "汽车电子", "车辆技术")),
    ("37", 1.5, 0.9, "3", ("航空科技", "轨道交通设备", "船舶设备")),
    ("32", 1.0, 0.5, "4", ("合金材料", "金属新材料")),
    ("14", 1.5, 0.3, "2", ("食品", "食品科技")),
    ("17", 1.0, 0.2, "4", ("纺织", "纺织科技")),
    ("23", 1.0, 0.2, "4", ("包装印刷", "印务")),
    ("42", 0.5, 0.6, "7", ("再生资源", "资源循环科技")),
    ("65", 12.0, 1.0, "1", ("软件", "信息技术", "网络科技", "数据科技", "信息科技", "智能科技", "数字科技")),
    ("64", 3.0, 0.8, "1", ("网络科技", "互联网科技", "信息服务")),
    ("63", 1.0, 0.7, "1", ("通信科技", "通信工程")),
    ("73", 3.0, 1.0, "5", ("技术研究院", "生物技术研究院", "新材料研究院")),
    ("74", 5.0, 0.8, "5", ("检测技术", "工程技术", "勘察设计", "测绘科技", "环境技术")),
    ("75", 6.0, 0.8, "5", ("科技", "技术服务", "科技发展", "技术转移")),
    ("77", 1.5, 0.7, "7", ("环境科技", "生态环境技术")),
    ("44", 1.0, 0.5, "6", ("能源科技", "电力科技", "热能技术")),
    ("48", 1.5, 0.3, "8", ("建设工程", "工程科技")),
    ("51", 3.0, 0.1, "", ("贸易", "商贸", "科技贸易")),
    ("72", 2.0, 0.2, "", ("企业管理咨询", "咨询管理")),
    ("05", 0.5, 0.4, "2", ("农业科技", "种业科技")),
    ("88", 1.0, 0.3, "5", ("文化科技", "数字文化")),
)
# Industries outside 科小 (RULES.md §1.2 (3): excluded from the R&D super-deduction by 财税〔2015〕119号).
TSME_EXCLUDED = frozenset({"16", "51", "52", "61", "62", "70", "71", "72", "90"})
# Revenue per employee (万元) by section, median.
REVENUE_PER_EMPLOYEE = {"C": 70.0, "I": 45.0, "M": 40.0}
BRAND_CHARS = "".join(dict.fromkeys(
    "瑞泽博睿思源启明达创恒信融汇智航远弘拓景晟昊鼎嘉德和康安宇辰星云海峰川林森禾青蓝诚卓铭锐捷迅驰光晶微芯维衡岳"
    "澜舟翼鹏翔腾骏凌霄润丰裕盛隆泰祥瀚灏沐柏楷朗钧锦璟琪瑜璞珂煜烨炜焕悦欣怡雅致"))
# Brands of well-known real companies that the two-character brand could otherwise spell.
BRAND_BLOCKLIST = frozenset({"恒瑞", "汇川", "景嘉", "博睿", "康缘", "信达", "和泰", "华润", "远景", "天合", "科达",
                             "恒信", "德邦", "海信", "海康", "泰康", "安信", "盛泰", "鼎泰", "锦江"})
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力鹏飞宇浩然欣怡晨阳俊"
OWNERSHIP_WEIGHTS = ((Ownership.PRIVATE, 86.0), (Ownership.FOREIGN, 5.0), (Ownership.HK_MACAO_TAIWAN, 3.5),
                     (Ownership.STATE, 3.0), (Ownership.OTHER, 2.0), (Ownership.COLLECTIVE, 0.5))
BOARDS = ((ListingStatus.MAIN_BOARD, 3.0), (ListingStatus.STAR, 3.0), (ListingStatus.CHINEXT, 3.0),
          (ListingStatus.BSE, 1.0), (ListingStatus.OVERSEAS, 1.0), (ListingStatus.NEEQ, 4.0))

# --- When ----------------------------------------------------------------------------------------------------
YEAR_SHOCK = {2019: 0.0, 2020: -0.06, 2021: 0.06, 2022: -0.04, 2023: 0.0, 2024: 0.01}
# 高企 recognition dates (one batch a year); the 2016–2018 batches give the certificates renewed in 2019–2021.
HNTE_BATCHES = {2016: date(2016, 11, 30), 2017: date(2017, 12, 7), 2018: date(2018, 11, 28),
                2019: date(2019, 12, 2), 2020: date(2020, 12, 1), 2021: date(2021, 12, 15),
                2022: date(2022, 12, 12), 2023: date(2023, 11, 30), 2024: date(2024, 12, 1)}
INNOVATIVE_DATES = {2022: date(2022, 9, 26), 2023: date(2023, 9, 18), 2024: date(2024, 9, 20)}
SRDI_DATES = {2019: date(2019, 11, 18), 2020: date(2020, 11, 20), 2021: date(2021, 11, 22),
              2022: date(2022, 11, 25), 2023: date(2023, 11, 20), 2024: date(2024, 11, 26)}
GIANT_DATES = {2019: date(2019, 6, 12), 2020: date(2020, 11, 27), 2021: date(2021, 7, 19),
               2022: date(2022, 8, 8), 2023: date(2023, 7, 13), 2024: date(2024, 8, 30)}
GAZELLE_DATES = {2021: date(2021, 6, 18), 2022: date(2022, 6, 20), 2023: date(2023, 6, 16), 2024: date(2024, 6, 21)}
LIST_DATES = {y: date(y, 3, 28) for y in (2020, 2021, 2022, 2023, 2024)}  # 准独角兽 / 独角兽 yearly lists

# --- How many (calibrated so that `--scale city` has about 6.5 thousand valid 高企 and 科小 on 2024-12-31) ------
P_CLASS_A = 0.64  # × the industry's tech affinity
P_CLASS_B = 0.38
P_RENEW = 0.76
P_CHURN = 0.10
TSME_PROPENSITY = {"A": 0.62, "B": 0.92, "C": 0.5}
TSME_RAMP = {2019: 0.55, 2020: 0.62, 2021: 0.72, 2022: 0.85, 2023: 0.95, 2024: 1.0}
HNTE_REVOKE = ("经复核不符合高新技术企业认定条件，取消其高新技术企业资格。",
               "存在严重环境违法行为，取消其高新技术企业资格。")
TSME_REVOKE = "抽查发现不符合科技型中小企业评价条件，撤销其入库登记编号。"
CANCELLED = "企业已注销，资格随之终止。"

Cents = int


def d2(cents: Cents) -> Decimal:
    """Return an amount in cents of 万元 as a two-place Decimal."""
    return Decimal(cents).scaleb(-2)


@dataclass
class Place:
    region: str
    park: str | None
    district: str  # six-digit county code, embedded in the credit code
    city_short: str  # "南京", for names
    address: str  # without the road


@dataclass
class Grant:
    kind: str
    number: str
    granted_on: date
    valid_from: date
    valid_to: date | None
    batch: str
    status: str = "valid"
    status_changed_on: date | None = None
    status_reason: str = ""

    def in_force(self, day: date) -> bool:
        if day < self.valid_from or (self.valid_to is not None and day > self.valid_to):
            return False
        return not (self.status in ("revoked", "cancelled") and self.status_changed_on is not None
                    and self.status_changed_on <= day)


@dataclass
class Firm:
    """One generated enterprise: its Enterprise fields, its years (year → EnterpriseYear fields) and grants."""

    fields: dict[str, Any]
    years: dict[int, dict[str, Any]] = field(default_factory=dict)
    grants: list[Grant] = field(default_factory=list)
    klass: str = "C"


class Generator:
    """Draws firms one after another from `rng`; holds what must be unique across them (names, numbers)."""

    def __init__(self, rng: Any, places: list[tuple[Place, float]], valid_until: dict[str, Callable[[date], Any]],
                 taken_usccs: set[str] | None = None) -> None:
        self.rng = rng
        self.places = [p for p, _w in places]
        self.place_cum = _cumulative(w for _p, w in places)
        self.industries = INDUSTRIES
        self.industry_cum = _cumulative(i[1] for i in INDUSTRIES)
        self.found_years = list(range(1995, 2024))
        self.found_cum = _cumulative(1 + 0.08 * (y - 1995) for y in self.found_years)
        self.ownership_cum = _cumulative(w for _o, w in OWNERSHIP_WEIGHTS)
        self.board_cum = _cumulative(w for _b, w in BOARDS)
        self.valid_until = valid_until
        self.names: set[str] = set()
        self.usccs: set[str] = set(taken_usccs or ())
        # Organisation-code bodies: an affine walk over 10^8 (a multiplier prime to 10) gives distinct serials.
        self.serial_offset = rng.randrange(10**8)
        self.hnte_serial = {y: rng.randrange(1, 400) for y in HNTE_BATCHES}
        self.tsme_serial: dict[tuple[int, str], int] = {}
        self.brands = [a + b for a in BRAND_CHARS for b in BRAND_CHARS if a != b and a + b not in BRAND_BLOCKLIST]

    # -- small helpers ---------------------------------------------------------------------------------------
    def pick(self, items: Any, cum: list[float]) -> Any:
        return items[bisect.bisect_right(cum, self.rng.random() * cum[-1])]

    def lognorm(self, median: float, sigma: float) -> float:
        return median * math.exp(self.rng.gauss(0.0, sigma))

    def day_in(self, year: int, first_month: int = 1, last_month: int = 12) -> date:
        rng = self.rng
        return date(year, rng.randint(first_month, last_month), rng.randint(1, 28))

    def uscc(self, index: int, district: str) -> str:
        serial = (self.serial_offset + index * 7_919_337) % 10**8
        code = make_uscc(serial, district)
        while code in self.usccs:  # only when the database already holds a code we drew
            serial = (serial + 1) % 10**8
            code = make_uscc(serial, district)
        self.usccs.add(code)
        return code

    def name(self, city: str, words: tuple[str, ...], ownership: str, listed: bool) -> str:
        rng = self.rng
        suffix = "股份有限公司" if listed or rng.random() < 0.06 else "有限公司"
        for attempt in range(40):
            brand = rng.choice(self.brands)
            if attempt >= 20:  # crowded (province scale): a three-character brand
                brand += rng.choice(BRAND_CHARS)
            word = rng.choice(words)
            if ownership in (Ownership.FOREIGN, Ownership.HK_MACAO_TAIWAN):
                candidate = f"{brand}（{city}）{word}{suffix}"
            else:
                candidate = f"{city}{brand}{word}{suffix}"
            if candidate not in self.names:
                self.names.add(candidate)
                return candidate
        raise RuntimeError("演示企业名称用尽。")

    # -- one firm --------------------------------------------------------------------------------------------
    def firm(self, index: int) -> Firm:
        rng = self.rng
        rand, gauss = rng.random, rng.gauss
        place: Place = self.pick(self.places, self.place_cum)
        division, _w, affinity, hightech_field, words = self.pick(self.industries, self.industry_cum)
        section = _section(division)
        found_year = self.pick(self.found_years, self.found_cum)
        founded = self.day_in(found_year)
        u = rand()
        klass = "A" if u < P_CLASS_A * affinity else "B" if u < (P_CLASS_A + P_CLASS_B) * affinity else "C"
        first_year = max(YEARS[0], found_year)
        last_year = YEARS[-1]
        if rand() < P_CHURN and first_year < YEARS[-1]:
            last_year = rng.randint(first_year, YEARS[-2])
        firm = Firm(fields={}, klass=klass)

        # Revenue (annualised, 万元) and size.
        age_2019 = max(0, 2019 - found_year)
        level = self.lognorm(500.0 * (1 + age_2019) ** 0.85, 1.2) if found_year < 2019 else self.lognorm(400.0, 1.0)
        firm_growth = gauss(0.06, 0.07) + (0.03 if klass == "A" else 0.0)
        per_employee = self.lognorm(REVENUE_PER_EMPLOYEE.get(section, 60.0), 0.35)
        asset_ratio = self.lognorm(0.85, 0.45)
        debt_ratio = min(0.9, max(0.05, gauss(0.45, 0.15)))
        revenue: dict[int, float] = {}  # reported (a partial first year is pro rata)
        annual: dict[int, float] = {}
        for y in range(first_year, last_year + 1):
            if y > first_year:
                young = 0.35 * math.exp(-(y - found_year) / 4)
                level *= math.exp(firm_growth + young + gauss(0.0, 0.16) + YEAR_SHOCK[y])
            annual[y] = max(level, 5.0)
            part = 1.0 if y > found_year else max(0.05, (date(y, 12, 31) - founded).days / 365)
            revenue[y] = max(annual[y] * part, 1.0)
        top = max(annual.values())
        p_listed = 0.3 if top > 50_000 else 0.1 if top > 20_000 else 0.02 if top > 5_000 else 0.003
        listing = ListingStatus.UNLISTED
        if rand() < p_listed:
            listing = self.pick([b for b, _w in BOARDS], self.board_cum) if top > 5_000 else ListingStatus.NEEQ
        ownership = self.pick([o for o, _w in OWNERSHIP_WEIGHTS], self.ownership_cum)
        if ownership == Ownership.STATE and rand() < 0.5:
            ownership = Ownership.PRIVATE  # keep state firms rare among the small ones
        uscc = self.uscc(index, place.district)
        name = self.name(place.city_short, words, ownership, listing != ListingStatus.UNLISTED)
        capital = max(10, round(self.lognorm(max(50.0, annual[first_year] * 0.15), 0.9), -1))
        firm.fields = {
            "uscc": uscc, "name": name, "region_id": place.region, "park_id": place.park,
            "registered_on": founded, "registered_capital": d2(int(capital) * 100), "ownership": ownership,
            "industry_code": division, "industry_section": _section(division),
            "hightech_field": hightech_field if klass != "C" or rand() < 0.15 else "",
            "listing_status": listing,
            "address": f"{place.address}{rng.choice(ROADS)}{rng.randint(1, 399)}号",
            "contact_name": rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2))),
            "contact_phone": "", "former_names": [], "tags": [],
        }

        # 高企 certificates (class A): first grant after a year of operation, renewed or lapsing every 3 years.
        if klass == "A":
            start = found_year + 1 + _geometric(rand, 0.45)
            if start < 2016:  # renewing since before 2016: the 2016–2018 certificate of its cycle
                start += 3 * math.ceil((2016 - start) / 3)
                if rand() < 0.15:
                    start += rng.randint(1, 4)
            y = start
            while y <= YEARS[-1] and y <= last_year:
                grant = self.hnte(y, place.district)
                firm.grants.append(grant)
                if rand() < 0.006:
                    grant.status, grant.status_reason = "revoked", rng.choice(HNTE_REVOKE)
                    grant.status_changed_on = min(grant.valid_from + timedelta(days=rng.randint(120, 800)),
                                                  grant.valid_to or AS_OF, AS_OF)
                    break
                if rand() < P_RENEW:
                    y += 3
                elif rand() < 0.5:
                    y += 3 + rng.randint(1, 3)
                else:
                    break
        compliant = {y for g in firm.grants for y in range(g.granted_on.year - 3, g.granted_on.year + 3)}

        # The figures of each year.
        if klass == "A":
            tech_base = min(0.8, max(0.04, gauss(0.22, 0.07) + (0.15 if section in ("I", "M") else 0.0)))
            rd_extra = self.lognorm(0.01, 1.0) if section in ("I", "M") else abs(gauss(0.0, 0.008))
            rd_base = 0.0
        elif klass == "B":
            tech_base = min(0.8, max(0.02, gauss(0.18, 0.07) + (0.1 if section in ("I", "M") else 0.0)))
            rd_base, rd_extra = self.lognorm(0.045, 0.35), 0.0
        else:
            tech_base = min(0.5, max(0.0, gauss(0.07, 0.05)))
            rd_base, rd_extra = (self.lognorm(0.008, 0.9) if rand() < 0.7 else 0.0), 0.0
        exporter = rand() < (0.3 if section == "C" else 0.12)
        export_share = rng.uniform(0.05, 0.6)
        domestic_full = rand() < 0.75
        domestic_share = rng.uniform(0.62, 0.99)
        leads_standards = rand() < (0.12 if klass == "A" else 0.04)
        scale = min(1.0, (first_year - found_year + 1) / 5)
        if klass == "A":
            ip1, ip2 = int(self.lognorm(3.0, 0.8) * scale), int(self.lognorm(8.0, 0.7) * scale) + 1
        elif klass == "B":
            ip1, ip2 = (1 if rand() < 0.45 else 0), int(self.lognorm(4.0, 0.6) * scale)
        else:
            ip1, ip2 = 0, (int(self.lognorm(1.0, 1.0)) if rand() < 0.4 else 0)
        for y in range(first_year, last_year + 1):
            sales = max(100, round(revenue[y] * 100))
            employees = max(3, round(revenue[y] / (per_employee * math.exp(gauss(0.0, 0.06)))) + 2)
            is_compliant = y in compliant
            tech_ratio = max(0.0, tech_base + gauss(0.0, 0.02))
            if is_compliant:
                tech_ratio = max(tech_ratio, 0.10 + abs(gauss(0.0, 0.01)))
                tech = min(employees, math.ceil(employees * tech_ratio))
            else:
                tech = min(employees, round(employees * tech_ratio))
            rd_staff = min(tech, round(tech * rng.uniform(0.45, 0.9)))
            if klass == "A" and is_compliant:
                band = 0.05 if sales <= 5_000_00 else 0.04 if sales <= 20_000_00 else 0.03
                rd_ratio = band + abs(gauss(0.0, 0.01)) + rd_extra
            elif klass == "A":
                rd_ratio = self.lognorm(0.028, 0.45)
            elif klass == "B":
                rd_ratio = rd_base * math.exp(gauss(0.0, 0.15))
            else:
                rd_ratio = rd_base * math.exp(gauss(0.0, 0.2))
            rd = min(sales * 3, math.ceil(sales * rd_ratio))
            if domestic_full:
                domestic = rd
            else:
                share = domestic_share if (klass == "A" and is_compliant) or rand() < 0.9 else rng.uniform(0.3, 0.6)
                domestic = math.floor(rd * share)
            commissioned = math.floor(rd * rng.uniform(0.02, 0.25)) if rand() < 0.3 else 0
            main = math.floor(sales * rng.uniform(0.85, 1.0))
            total_income = sales + math.floor(sales * rng.uniform(0.0, 0.05))
            if klass == "A" and is_compliant:
                hightech = min(total_income, math.ceil(total_income * rng.uniform(0.605, 0.92)))
            elif klass in ("A", "B"):
                hightech = math.floor(total_income * rng.uniform(0.2, 0.78))
            else:
                hightech = 0
            if y == found_year:
                cost_ratio = rng.uniform(1.1, 2.5)
            elif rand() < 0.88:
                cost_ratio = rng.uniform(0.72, 0.97)
            else:
                cost_ratio = rng.uniform(1.0, 1.35)
            total_cost = max(rd, math.floor(sales * cost_ratio))
            assets = max(500, round(annual[y] * asset_ratio * math.exp(gauss(0.0, 0.05)) * 100))
            liabilities = math.floor(assets * min(0.95, max(0.02, debt_ratio + gauss(0.0, 0.03))))
            if y > first_year:
                if klass == "A":
                    ip1 += _geometric(rand, 0.55)
                    ip2 += _geometric(rand, 0.35)
                elif klass == "B":
                    ip1 += 1 if rand() < 0.2 else 0
                    ip2 += _geometric(rand, 0.55)
                elif rand() < 0.2:
                    ip2 += 1
            if klass == "A" and is_compliant and ip1 + ip2 == 0:
                ip2 = 1
            firm.years[y] = {
                "year": y, "employees": employees, "tech_staff": tech, "rd_staff": rd_staff,
                "sales_revenue": sales, "main_revenue": main, "total_income": total_income,
                "hightech_income": hightech, "rd_expense": rd, "rd_expense_domestic": domestic,
                "rd_expense_commissioned": commissioned, "total_cost": total_cost, "total_assets": assets,
                "liabilities": liabilities, "net_assets": assets - liabilities,
                "profit": total_income - total_cost,
                "tax_paid": math.floor(sales * rng.uniform(0.01, 0.06)),
                "exports": min(sales, math.floor(sales * export_share * math.exp(gauss(0.0, 0.1)))) if exporter
                else 0,
                "ip_class1": ip1, "ip_class2": ip2,
                "results_converted": rng.randint(1, 6) if klass == "A" else rng.randint(0, 3) if klass == "B"
                else (1 if rand() < 0.2 else 0),
                "standards_led": rng.randint(0, 2) if leads_standards else 0,
            }

        self.tsme(firm, division, found_year, last_year, place)
        self.ladder(firm, found_year, last_year, listing)
        if last_year < YEARS[-1]:  # stopped reporting: some qualifications are cancelled with the firm
            for grant in firm.grants:
                stop = date(last_year + 1, rng.randint(1, 12), rng.randint(1, 28))
                if (grant.status == "valid" and grant.valid_from < stop and (grant.valid_to is None or stop <= grant.valid_to)
                        and rand() < 0.5):
                    grant.status, grant.status_changed_on, grant.status_reason = "cancelled", stop, CANCELLED
        for grant in firm.grants:
            if grant.status == "valid" and grant.valid_to is not None and grant.valid_to < AS_OF:
                grant.status, grant.status_changed_on = "expired", grant.valid_to + timedelta(days=1)
        return firm

    def grant(self, kind: str, day: date, batch: str, number: str = "") -> Grant:
        return Grant(kind, number, day, day, self.valid_until[kind](day), batch)

    def hnte(self, year: int, district: str) -> Grant:
        self.hnte_serial[year] += 1 + (self.rng.random() < 0.3)
        number = f"GR{year}{district[:2]}{self.hnte_serial[year]:06d}"
        return self.grant("hnte", HNTE_BATCHES[year], f"{year}年高新技术企业认定", number)

    def tsme(self, firm: Firm, division: str, found_year: int, last_year: int, place: Place) -> None:
        """科小 registrations: each year from the previous year's figures (RULES.md §1.2–§1.4)."""
        if division in TSME_EXCLUDED:
            return
        rng = self.rng
        city = place.district[:4] + "00"
        for year in YEARS:
            if year > last_year or year <= found_year:
                continue
            figures = firm.years.get(year - 1) or firm.years.get(year)
            if not figures or figures["employees"] > 500 or figures["sales_revenue"] > 20_000_00 \
                    or figures["total_assets"] > 20_000_00:
                continue
            day = self.day_in(year, 4, 10)
            holds_hnte = any(g.kind == "hnte" and g.in_force(day) for g in firm.grants)
            if not holds_hnte and not _tsme_passes(figures):
                continue
            if rng.random() >= TSME_PROPENSITY[firm.klass] * TSME_RAMP[year]:
                continue
            key = (year, city)
            self.tsme_serial[key] = self.tsme_serial.get(key, 0) + 1
            grant = self.grant("tsme", day, f"{year}年第{day.month - 3}批", f"{year}{city}A{self.tsme_serial[key]:05d}")
            if rng.random() < 0.01:
                grant.status, grant.status_reason = "revoked", TSME_REVOKE
                grant.status_changed_on = min(day + timedelta(days=rng.randint(30, 120)), date(year, 12, 31))
            firm.grants.append(grant)

    def ladder(self, firm: Firm, found_year: int, last_year: int, listing: str) -> None:
        """The upper rungs, from the figures (RULES.md §8): 创新型中小企业, 专精特新, 小巨人, 瞪羚, (准)独角兽."""
        rng = self.rng
        years = firm.years
        if firm.klass == "C":
            return

        def holds(kind: str, day: date) -> bool:
            return any(g.kind == kind and g.in_force(day) for g in firm.grants)

        def prev(year: int) -> dict[str, Any] | None:
            return years.get(year - 1) if year - 1 >= YEARS[0] else years.get(year)

        for year, day in INNOVATIVE_DATES.items():
            f = prev(year)
            if f is None or year > last_year or f["employees"] >= 1000 or f["sales_revenue"] >= 40_000_00 \
                    or holds("innovative_sme", day):
                continue
            ok = holds("hnte", day) or (f["rd_expense"] * 100 >= 3 * f["sales_revenue"] and f["ip_class1"] >= 1)
            if ok and rng.random() < 0.13:
                firm.grants.append(self.grant("innovative_sme", day, f"{year}年创新型中小企业"))
        for year, day in SRDI_DATES.items():
            f = prev(year)
            if f is None or year > last_year or year - found_year < 2 or holds("srdi_sme", day):
                continue
            if f["sales_revenue"] >= 1_000_00 and f["rd_expense"] >= 100_00 \
                    and f["rd_expense"] * 100 >= 3 * f["sales_revenue"] and f["employees"] < 1000 \
                    and rng.random() < (0.75 if any(g.kind == "srdi_sme" for g in firm.grants) else 0.035):
                firm.grants.append(self.grant("srdi_sme", day, f"{year}年江苏省专精特新中小企业"))
        for year, day in GIANT_DATES.items():
            f = prev(year)
            if f is None or year > last_year or holds("little_giant", day) or not holds("srdi_sme", day):
                continue
            sales, rd = f["sales_revenue"], f["rd_expense"]
            strong = (sales >= 10_000_00 and rd * 100 >= 3 * sales) or (sales >= 5_000_00 and rd * 100 >= 6 * sales)
            renewal = any(g.kind == "little_giant" for g in firm.grants)
            if strong and f["ip_class1"] >= 2 and rng.random() < (0.85 if renewal else 0.25):
                firm.grants.append(self.grant("little_giant", day, f"第{year - 2018}批专精特新“小巨人”企业"))
        for year, day in GAZELLE_DATES.items():
            base_year = max(YEARS[0], year - 4)
            if year > last_year or base_year not in years or year - 1 not in years or year - found_year > 15 \
                    or holds("gazelle", day) or not holds("hnte", day):
                continue
            base, last = years[base_year]["sales_revenue"], years[year - 1]["sales_revenue"]
            span = year - 1 - base_year
            growing = year - 2 in years and last > years[year - 2]["sales_revenue"]
            if span >= 1 and base >= 1_000_00 and growing and (last / base) ** (1 / span) - 1 >= 0.20 \
                    and rng.random() < 0.3:
                firm.grants.append(self.grant("gazelle", day, f"{year}年度瞪羚企业"))
        if listing != ListingStatus.UNLISTED:
            return
        for year, day in LIST_DATES.items():
            base_year = max(YEARS[0], year - 4)
            if year > last_year or base_year not in years or year - 1 not in years or year - 1 == base_year:
                continue
            base, last = years[base_year]["sales_revenue"], years[year - 1]["sales_revenue"]
            growth = (last / base) ** (1 / (year - 1 - base_year)) - 1
            was_unicorn = any(g.kind == "unicorn" for g in firm.grants)
            was_quasi = any(g.kind == "quasi_unicorn" for g in firm.grants)
            if year - found_year <= 10 and last >= 20_000_00 and growth >= 0.25 and (was_quasi or was_unicorn) \
                    and rng.random() < (0.9 if was_unicorn else 0.5):
                firm.grants.append(self.grant("unicorn", day, f"{year}年度独角兽企业"))
            elif year - found_year <= 7 and last >= 3_000_00 and growth >= 0.40 \
                    and rng.random() < (0.8 if was_quasi else 0.5):
                firm.grants.append(self.grant("quasi_unicorn", day, f"{year}年度准独角兽企业"))


def _cumulative(weights: Any) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


def _geometric(rand: Callable[[], float], p: float) -> int:
    """Return failures before the first success with probability p (0, 1, 2 …), capped at 10."""
    n = 0
    while n < 10 and rand() >= p:
        n += 1
    return n


@functools.cache
def _section(division: str) -> str:
    return section_of(division) or ""


def _band(value: float, bands: tuple[tuple[float, int], ...]) -> int:
    for threshold, points in bands:
        if value >= threshold:
            return points
    return 0


def _tsme_passes(f: dict[str, Any]) -> bool:
    """RULES.md §1.3: the 100-point table ≥ 60 with a non-zero science-staff score."""
    staff = _band(f["tech_staff"] / f["employees"], ((0.30, 20), (0.25, 16), (0.20, 12), (0.15, 8), (0.10, 4)))
    if staff == 0:
        return False
    rd_sales = _band(f["rd_expense"] / f["sales_revenue"],
                     ((0.06, 50), (0.05, 40), (0.04, 30), (0.03, 20), (0.02, 10)))
    rd_cost = _band(f["rd_expense"] / f["total_cost"] if f["total_cost"] else 0.0,
                    ((0.30, 50), (0.25, 40), (0.20, 30), (0.15, 20), (0.10, 10)))
    ip = 30 if f["ip_class1"] >= 1 else {0: 0, 1: 6, 2: 12, 3: 18}.get(f["ip_class2"], 24)
    return staff + max(rd_sales, rd_cost) + ip >= 60


MONEY = ("sales_revenue", "main_revenue", "total_income", "hightech_income", "rd_expense", "rd_expense_domestic",
         "rd_expense_commissioned", "total_cost", "total_assets", "liabilities", "net_assets", "profit", "tax_paid",
         "exports")


def year_values(figures: dict[str, Any]) -> dict[str, Any]:
    """Return an EnterpriseYear's field values (money as two-place Decimals) from the generated figures."""
    return {k: d2(v) if k in MONEY else v for k, v in figures.items()}


# --- Places ------------------------------------------------------------------------------------------------------
def demo_places(scale: str) -> list[tuple[Place, float]]:
    """Return (place, weight) for the scale: 南京's streets and parks; at province scale also 江苏's counties."""
    regions = {r["code"]: r for r in Region.objects.filter(code__startswith="32").order_by("code").values(
        "code", "name", "level", "kind", "parent_id")}
    places = _city_places(regions, share=1.0 if scale != "province" else CITY_WEIGHTS["3201"])
    if scale == "province":
        for city_prefix, weight in CITY_WEIGHTS.items():
            if city_prefix == DEMO_CITY[:4]:
                continue
            city = regions.get(city_prefix.ljust(12, "0"))
            counties = [r for c, r in regions.items() if c.startswith(city_prefix) and r["level"] == "county"]
            if city is None or not counties:
                continue
            short = city["name"].removesuffix("市")
            for county in counties:
                places.append((Place(county["code"], None, county["code"][:6], short,
                                     f"{city['name']}{county['name']}"), weight / len(counties)))
    if not places:
        raise RuntimeError("缺少示范城市的区划数据，请先运行 regions 演示步骤。")
    return places


def _city_places(regions: dict[str, dict[str, Any]], share: float) -> list[tuple[Place, float]]:
    city = regions.get(DEMO_CITY)
    if city is None:
        return []
    city_name, short = city["name"], city["name"].removesuffix("市")
    places: list[tuple[Place, float]] = []
    for district, weight in DISTRICT_WEIGHTS.items():
        county = regions.get(district.ljust(12, "0"))
        if county is None:
            continue
        streets = [r for c, r in regions.items() if c.startswith(district) and r["level"] == "township"
                   and c[6:9] < "400"]
        prefix = f"{city_name}{county['name']}"
        weight *= share * (1 - PARK_SHARE) / sum(DISTRICT_WEIGHTS.values())
        if not streets:  # streets not loaded: the county itself
            places.append((Place(county["code"], None, district, short, prefix), weight))
            continue
        for street in streets:
            places.append((Place(street["code"], None, district, short, f"{prefix}{street['name']}"),
                           weight / len(streets)))
    parks = [(code, w) for code, w in PARK_WEIGHTS.items()
             if code in regions and regions[code]["kind"] in ("development_zone", "park")]
    for code, weight in parks:
        park = regions[code]
        county = regions.get(code[:6].ljust(12, "0"))
        address = f"{city_name}{county['name'] if county else ''}{park['name']}"
        places.append((Place(code, code, code[:6], short, address),
                       weight * share * PARK_SHARE / sum(w for _c, w in parks)))
    return places


# --- Writing -------------------------------------------------------------------------------------------------------
# Field types whose Python values the database drivers take as they are (no get_db_prep_save per value).
PLAIN_TYPES = frozenset({"CharField", "SlugField", "TextField", "IntegerField", "SmallIntegerField", "BigIntegerField",
                         "PositiveIntegerField", "PositiveSmallIntegerField", "BooleanField", "ForeignKey",
                         "DecimalField", "DateField"})


def insert_rows(model: type[models.Model], rows: list[dict[str, Any]]) -> list[int]:
    """Insert `rows` (attname → Python value, without the id) and return their ids, in order.

    The ids are reserved first — from the sequence on PostgreSQL, after the highest id ever used on SQLite (the
    step runs in an IMMEDIATE transaction, so no one else writes meanwhile) — and the rows go in with COPY
    (PostgreSQL) or one executemany (SQLite): no model instances, no per-value preparation of plain values.
    Other databases fall back to bulk_create.
    """
    if not rows:
        return []
    meta = model._meta
    if connection.vendor not in ("postgresql", "sqlite"):
        objs = model._base_manager.bulk_create([model(**row) for row in rows], batch_size=1000)
        return [o.pk for o in objs]
    now = timezone.now()
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    constant: dict[str, Any] = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            constant[f.attname] = f.get_db_prep_save(now, connection)
    plan = [(f.attname, constant.get(f.attname), f.attname in constant,
             None if f.get_internal_type() in PLAIN_TYPES else f, f.get_db_prep_save(f.get_default(), connection))
            for f in fields]
    ids = _reserve_ids(model, len(rows))
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    columns = ", ".join([quote(meta.pk.column)] + [quote(f.column) for f in fields])

    def values(pk: int, row: dict[str, Any]) -> list[Any]:
        out: list[Any] = [pk]
        for attname, fixed, is_fixed, prep, default in plan:
            if is_fixed:
                out.append(fixed)
                continue
            if attname not in row:
                out.append(default)
            elif prep is None:
                out.append(row[attname])
            else:
                out.append(prep.get_db_prep_save(row[attname], connection))
        return out

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for pk, row in zip(ids, rows, strict=True):
                    copy.write_row(values(pk, row))
        else:
            marks = ", ".join(["%s"] * (len(fields) + 1))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608 (quoted names)
                               [values(pk, row) for pk, row in zip(ids, rows, strict=True)])
    return ids


def _reserve_ids(model: type[models.Model], n: int) -> list[int]:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                           [table, model._meta.pk.column, n])
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT MAX({connection.ops.quote_name(model._meta.pk.column)}) FROM "  # noqa: S608
                       f"{connection.ops.quote_name(table)}")
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        first = max(highest, row[0] if row else 0) + 1
        return list(range(first, first + n))


def write_created(model: type[models.Model], rows: list[dict[str, Any]], reprs: list[str], *,
                  log: bool = True) -> list[int]:
    """Insert `rows` and write one change-log row ("create", with the audited snapshot) per created object.

    The change-log rows are the ones `log_bulk_changes` writes (same content type, snapshot, actor fields), plus
    the object's own text as `object_repr` the way `log_change` names it; they go through the same COPY /
    executemany path as the data, in the same transaction — `log_bulk_changes` builds model instances and
    `bulk_create`s them, which alone took about 30 s of a 50 s `--scale city` load.
    """
    ids = insert_rows(model, rows)
    if not log:
        return ids
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    common = _actor_fields()
    actor = common.pop("actor")
    common.update(content_type_id=content_type.pk, actor_id=actor.pk if actor is not None else None,
                  action="create", before=None)
    snapshot = _snapshotter(model, {"id": ids[0], **rows[0]}) if rows else None
    insert_rows(ObjectChange, [{**common, "object_id": str(pk), "object_repr": text[:200],
                                "after": snapshot({"id": pk, **row})}
                               for pk, row, text in zip(ids, rows, reprs, strict=True)])
    return ids


def _snapshotter(model: type[models.Model], sample: dict[str, Any]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Return row → the change-log snapshot `snapshot_values` gives, without its JSON round trip per row.

    A model with masked fields (the enterprise's contact) goes through `snapshot_values` itself; for the others
    the audited keys are taken from `snapshot_values` of a sample row and the values made JSON-safe the way
    DjangoJSONEncoder does for the types generated here (Decimal → str, date → ISO). The tests compare both.
    """
    if getattr(model, "audit_masked_fields", None):
        return lambda row: snapshot_values(model, row)
    keys = list(snapshot_values(model, sample))

    def snapshot(row: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for key in keys:
            value = row.get(key)
            if isinstance(value, Decimal):
                value = str(value)
            elif isinstance(value, date):
                value = value.isoformat()
            out[key] = value
        return out

    return snapshot


def _existing_demo_source() -> str | None:
    return EnterpriseYear.objects.filter(source__startswith=SOURCE_PREFIX).values_list("source", flat=True).first()


@demo_step("enterprises", order=30)
def load_demo_enterprises(ctx: DemoContext) -> None:
    """Create the demo enterprises, their annual figures and qualifications; link the enterprise demo account."""
    ensure_builtin_kinds(actor=None)
    existing = _existing_demo_source()
    if existing is not None:
        ctx.write(f"  已有演示企业（{existing}），跳过：每个数据库只载入一套演示企业。")
        _link_enterprise_user(ctx, None)
        return
    started = time.monotonic()
    kinds = {k.code: k for k in QualificationKind.objects.all()}
    generator = Generator(ctx.rng, demo_places(ctx.scale), {c: k.valid_until for c, k in kinds.items()},
                          taken_usccs=set(Enterprise.objects.values_list("uscc", flat=True)))
    total, chunk = COUNTS[ctx.scale], CHUNKS[ctx.scale]
    source = f"{SOURCE_PREFIX}{ctx.seed}"
    counts = {"enterprises": 0, "years": 0, "qualifications": 0}
    linked: int | None = None
    log = CHANGE_LOG_ROWS[ctx.scale]
    for start in range(0, total, chunk):
        firms = [generator.firm(i) for i in range(start, min(total, start + chunk))]
        ids = write_created(Enterprise, [f.fields for f in firms], [f.fields["name"] for f in firms], log=log)
        years, grants, year_reprs, grant_reprs = [], [], [], []
        for firm, pk in zip(firms, ids, strict=True):
            name = firm.fields["name"]
            for v in firm.years.values():
                years.append({"enterprise_id": pk, "source": source, **year_values(v)})
                year_reprs.append(f"{name} · {v['year']}")
            for g in firm.grants:
                grants.append({"enterprise_id": pk, "kind_id": kinds[g.kind].pk, "number": g.number,
                               "granted_on": g.granted_on, "valid_from": g.valid_from, "valid_to": g.valid_to,
                               "batch": g.batch, "status": g.status, "status_changed_on": g.status_changed_on,
                               "status_reason": g.status_reason})
                grant_reprs.append(f"{name} · {kinds[g.kind].name}")
            if linked is None and _suits_enterprise_user(firm):
                linked = pk
        write_created(EnterpriseYear, years, year_reprs, log=log)
        write_created(Qualification, grants, grant_reprs, log=log)
        counts["enterprises"] += len(firms)
        counts["years"] += len(years)
        counts["qualifications"] += len(grants)
        ctx.write(f"  企业 {counts['enterprises']:,}/{total:,}（{counts['enterprises'] * 100 // total}%），"
                  f"年度数据 {counts['years']:,} 行，资质 {counts['qualifications']:,} 条，"
                  f"用时 {time.monotonic() - started:.1f} 秒")
    _link_enterprise_user(ctx, Enterprise.objects.get(pk=linked) if linked else None)
    hnte = Qualification.objects.valid_on(AS_OF).of_kind("hnte").count()
    tsme = Qualification.objects.valid_on(AS_OF).of_kind("tsme").count()
    record_event("demo.enterprises.loaded", message=f"载入演示企业：规模 {ctx.scale}，种子 {ctx.seed}",
                 data={"scale": ctx.scale, "seed": ctx.seed, **counts, "hnte_valid": hnte, "tsme_valid": tsme,
                       "as_of": AS_OF.isoformat(), "change_log": "rows" if log else "this summary"})
    ctx.write(f"  {AS_OF:%Y-%m-%d} 有效高企 {hnte:,} 家，科小 {tsme:,} 家（共 {total:,} 家，"
              f"用时 {time.monotonic() - started:.1f} 秒）")


def _suits_enterprise_user(firm: Firm) -> bool:
    """The demo enterprise account's firm: in 玄武区, reporting through 2024, a valid 高企 at the end of 2024."""
    return (firm.fields["region_id"].startswith(DEMO_DISTRICT[:6]) and YEARS[-1] in firm.years
            and firm.fields["listing_status"] == ListingStatus.UNLISTED
            and any(g.kind == "hnte" and g.in_force(AS_OF) for g in firm.grants))


def _link_enterprise_user(ctx: DemoContext, enterprise: Enterprise | None) -> None:
    """Scope the `enterprise_user` demo account to `enterprise` (when it has no enterprise yet)."""
    assignment = RoleAssignment.objects.filter(user__username=ENTERPRISE_USER, role=Role.ENTERPRISE_USER).first()
    if assignment is None or assignment.enterprise_id is not None or enterprise is None:
        return
    assignment.enterprise = enterprise
    assignment.save()
    ctx.write(f"  演示账号 {ENTERPRISE_USER} 关联企业：{enterprise.name}（{enterprise.uscc}）")


def iter_digest_rows() -> Iterator[tuple[str, str, int, Decimal]]:
    """Yield (credit code, name, year, sales revenue) of the demo rows, in a stable order (for tests)."""
    yield from EnterpriseYear.objects.filter(source__startswith=SOURCE_PREFIX).order_by(
        "enterprise__uscc", "year").values_list("enterprise__uscc", "enterprise__name", "year", "sales_revenue")
