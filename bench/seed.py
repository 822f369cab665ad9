"""Seed a throwaway database fast: plain bulk inserts, no ORM objects, no per-row round trips.

The rows are built once in Python (deterministic for a given seed) and written with `executemany`
on SQLite or `COPY` on PostgreSQL. Ids are given explicitly and grow with `created_at`, as they
would in a database filled over two years.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

from casework.workflow import CaseState, Priority
from enterprises.classification import EnterpriseStatus, LegalForm, NeedCategory, Stage, Urgency
from enterprises.identifiers import (
    CREDIT_CODE_ALPHABET,
    complete_credit_code,
)

KAIZHOU = "500154"  # officer1's district
YONGCHUAN = "500118"
DISTRICTS = (KAIZHOU, YONGCHUAN)
OFFICER = "officer1"
PASSWORD = "bench-password-1"  # every seeded account has it; the database is thrown away after the run

# The state mix of a queue two years into service: most cases are settled one way or another.
STATE_MIX: tuple[tuple[CaseState, float], ...] = (
    (CaseState.DRAFT, 0.08),
    (CaseState.SUBMITTED, 0.20),
    (CaseState.TRIAGED, 0.40),
    (CaseState.DECLINED, 0.15),
    (CaseState.WITHDRAWN, 0.17),
)
PRIORITY_MIX: tuple[tuple[Priority, float], ...] = (
    (Priority.LOW, 0.15),
    (Priority.NORMAL, 0.60),
    (Priority.HIGH, 0.20),
    (Priority.URGENT, 0.05),
)
TOWNS = {
    KAIZHOU: ("汉丰街道", "文峰街道", "云枫街道", "镇东街道", "丰乐街道", "临江镇", "温泉镇", "郭家镇"),
    YONGCHUAN: ("中山路街道", "胜利路街道", "南大街街道", "茶山竹海街道", "卫星湖街道", "朱沱镇", "仙龙镇"),
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
GIVEN = "德明春燕立新敏建国雪梅文斌巧玲华军红霞志强秀英海波丽娟永刚晓东桂兰国庆玉珍小平"
# Enterprise names as they read on business licences: a place (district, town or village), often a
# brand or the founder's name, a product word, and the suffix of the legal form. The product words
# are what officers search for (柑橘 is the one the benchmark searches).
# (product word, GB/T 4754 section, main products, legal forms it comes in)
PRODUCTS: tuple[tuple[str, str, str, tuple[LegalForm, ...]], ...] = (
    ("柑橘", "A", "柑橘种植", (LegalForm.FAMILY_FARM, LegalForm.FARMERS_COOPERATIVE, LegalForm.COMPANY)),
    ("竹编", "C", "竹编工艺品", (LegalForm.FARMERS_COOPERATIVE, LegalForm.COMPANY, LegalForm.INDIVIDUAL_BUSINESS)),
    ("土鸡", "A", "土鸡养殖", (LegalForm.FAMILY_FARM, LegalForm.FARMERS_COOPERATIVE, LegalForm.INDIVIDUAL_BUSINESS)),
    ("茶叶", "A", "茶叶种植加工", (LegalForm.FAMILY_FARM, LegalForm.FARMERS_COOPERATIVE, LegalForm.COMPANY)),
    ("民宿", "H", "乡村民宿", (LegalForm.COMPANY, LegalForm.INDIVIDUAL_BUSINESS)),
    ("汽修", "O", "汽车维修", (LegalForm.COMPANY, LegalForm.INDIVIDUAL_BUSINESS)),
    ("豆干", "C", "豆制品加工", (LegalForm.COMPANY, LegalForm.INDIVIDUAL_BUSINESS)),
    ("蔬菜", "A", "蔬菜种植", (LegalForm.FAMILY_FARM, LegalForm.FARMERS_COOPERATIVE)),
    ("生猪", "A", "生猪养殖", (LegalForm.FAMILY_FARM, LegalForm.FARMERS_COOPERATIVE, LegalForm.COMPANY)),
    ("蜂蜜", "A", "中蜂养殖", (LegalForm.FAMILY_FARM, LegalForm.FARMERS_COOPERATIVE, LegalForm.INDIVIDUAL_BUSINESS)),
    ("腊肉", "C", "腊肉香肠加工", (LegalForm.COMPANY, LegalForm.INDIVIDUAL_BUSINESS)),
    ("农家乐", "H", "餐饮住宿", (LegalForm.FAMILY_FARM, LegalForm.INDIVIDUAL_BUSINESS)),
    ("电商", "F", "农产品网上销售", (LegalForm.COMPANY, LegalForm.INDIVIDUAL_BUSINESS)),
    ("服装", "C", "服装加工", (LegalForm.COMPANY, LegalForm.INDIVIDUAL_BUSINESS)),
    ("花椒", "A", "花椒种植", (LegalForm.FAMILY_FARM, LegalForm.FARMERS_COOPERATIVE)),
    ("中药材", "A", "中药材种植", (LegalForm.FAMILY_FARM, LegalForm.FARMERS_COOPERATIVE, LegalForm.COMPANY)),
    ("水产", "A", "水产养殖", (LegalForm.FAMILY_FARM, LegalForm.FARMERS_COOPERATIVE)),
    ("物流", "G", "农村物流配送", (LegalForm.COMPANY, LegalForm.INDIVIDUAL_BUSINESS)),
)
SUFFIXES = {
    LegalForm.FAMILY_FARM: "家庭农场",
    LegalForm.FARMERS_COOPERATIVE: "专业合作社",
    LegalForm.COMPANY: "有限公司",
    LegalForm.INDIVIDUAL_BUSINESS: "店",
}
# The two characters after the area code in a credit code: registration authority and entity type.
CREDIT_CODE_KIND = {
    LegalForm.FAMILY_FARM: "92",
    LegalForm.FARMERS_COOPERATIVE: "93",
    LegalForm.COMPANY: "91",
    LegalForm.INDIVIDUAL_BUSINESS: "92",
}
DISTRICT_NAMES = {KAIZHOU: "开州区", YONGCHUAN: "永川区"}
VILLAGES = (
    "石龙", "白果", "青杠", "桂花", "福德", "黄泥", "水口", "大坪", "双河", "新华", "红旗", "金竹",
    "柏林", "龙泉", "三合", "瓦屋", "竹园", "高峰", "长岭", "铁桥", "凤凰", "松林", "团堡", "河堰",
    "观音", "梨子", "岩口", "楠木", "万家", "花园", "龙井", "石桥", "杨柳", "枫香", "槐树", "庙坝",
)  # fmt: skip
BRANDS = (
    "绿源", "丰收", "金穗", "山里人", "巴渝", "老街", "鑫旺", "兴农", "佳禾", "润田", "德丰", "益民",
    "天香", "乡味", "顺达", "云峰", "竹海", "福满", "宏发", "田园", "农哥", "川东", "盛康", "红土地",
)  # fmt: skip
# Mobile prefixes that phonenumbers accepts as mainland mobiles (checked once; the numbers are invented).
MOBILE_PREFIXES = (
    "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "157", "158", "159", "166",
    "173", "177", "178", "180", "181", "182", "183", "186", "187", "188", "189", "191", "198", "199",
)  # fmt: skip
COMPANY_WORDS = ("", "开发", "科技", "实业", "农业", "商贸", "发展", "服务")
CREDIT_CODE_SHARE = {  # how many of each form have a credit code on record
    LegalForm.COMPANY: 1.0,
    LegalForm.FARMERS_COOPERATIVE: 1.0,
    LegalForm.FAMILY_FARM: 0.5,
    LegalForm.INDIVIDUAL_BUSINESS: 0.4,
}
SEARCH_WORD = "柑橘"  # what the search scenarios look for by name
WORKED_BEFORE = ("广东东莞", "浙江义乌", "福建晋江", "江苏苏州")
DAY = 86_400.0


@dataclass(frozen=True)
class SeedSizes:
    cases: int = 100_000
    enterprises: int = 20_000
    brokers_per_district: int = 20


@dataclass
class Table:
    name: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]] = field(default_factory=list)


@dataclass
class SeedReport:
    rows: dict[str, int]
    cases_by_state: dict[str, int]
    officer_district_cases_by_state: dict[str, int]
    officer_district_enterprises: int
    search_word: str  # the name fragment the search scenarios look for
    search_word_matches: int  # enterprises of officer1's district whose name or founder's name has it
    search_phone: str  # 8 digits of a founder's phone in officer1's district
    search_phone_matches: int
    build_seconds: float
    write_seconds: float

    @property
    def seconds(self) -> float:
        return self.build_seconds + self.write_seconds


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))


def _pick(rng: random.Random, mix: tuple[tuple[Any, float], ...], k: int) -> list[Any]:
    return rng.choices([value for value, _ in mix], weights=[weight for _, weight in mix], k=k)


def _short_place(town: str) -> str:
    """临江镇 -> 临江, 汉丰街道 -> 汉丰: how a town appears inside a name."""
    return town.removesuffix("街道").removesuffix("镇")


def _enterprise_name(
    rng: random.Random, district: str, town: str, village: str, founder: str, product: str, form: LegalForm
) -> str:
    """A name as registered: 开州区王德明柑橘家庭农场, 开州区临江镇石龙村茶叶专业合作社, 重庆绿源豆干有限公司,
    临江老王汽修店."""
    place = DISTRICT_NAMES[district]
    if form is LegalForm.FAMILY_FARM:
        return f"{place}{rng.choice((founder, _short_place(town) + founder))}{product}{SUFFIXES[form]}"
    if form is LegalForm.FARMERS_COOPERATIVE:
        return f"{place}{town}{village}{product}{rng.choice(('', '产销', '农民'))}{SUFFIXES[form]}"
    if form is LegalForm.COMPANY:
        where = rng.choice(("重庆", "重庆市" + place, "重庆" + _short_place(town)))
        return f"{where}{rng.choice(BRANDS)}{product}{rng.choice(COMPANY_WORDS)}{SUFFIXES[form]}"
    owner = rng.choice((f"老{founder[0]}", f"{founder[0]}记", founder, rng.choice(BRANDS)))
    return f"{rng.choice((_short_place(town), village.removesuffix('村')))}{owner}{product}{SUFFIXES[form]}"


def _credit_code(rng: random.Random, district: str, form: LegalForm) -> str:
    """An invented 统一社会信用代码 with a correct check character (GB 32100-2015)."""
    first17 = CREDIT_CODE_KIND[form] + district + "".join(rng.choices(CREDIT_CODE_ALPHABET, k=9))
    return complete_credit_code(first17)


Product = tuple[str, str, str, tuple[LegalForm, ...]]


def _new_enterprise(
    rng: random.Random, district: str, founder: str, names: set[str]
) -> tuple[str, str, Product, LegalForm, str]:
    """Town, village, product, legal form and a name not yet taken (place and product drawn again on a clash)."""
    for _ in range(30):
        town = rng.choice(TOWNS[district])
        village = f"{rng.choice(VILLAGES)}村"
        product = rng.choice(PRODUCTS)
        form = rng.choice(product[3])
        name = _enterprise_name(rng, district, town, village, founder, product[0], form)
        if name not in names:
            break
    else:  # not seen with the default sizes; keeps larger seeds going
        base, number = name, 2
        while (name := f"{base}{number}") in names:
            number += 1
    names.add(name)
    return town, village, product, form, name


def _unique(seen: set[str], make: Callable[[], str]) -> str:
    """`make()` until it gives a value not yet seen."""
    while (value := make()) in seen:
        pass
    seen.add(value)
    return value


def build(sizes: SeedSizes, password_hash: str, now: datetime, seed: int = 154) -> list[Table]:
    """All rows of the seeded world, in insertion order (parents before children)."""
    rng = random.Random(seed)
    start = now - timedelta(days=730)
    t0 = start.timestamp()

    def at(offset_seconds: float) -> datetime:
        return datetime.fromtimestamp(t0 + offset_seconds, tz=UTC)

    users = Table(
        "accounts_user",
        (
            "id",
            "username",
            "display_name",
            "password_hash",
            "role",
            "district",
            "town",
            "is_active",
            "created_at",
        ),
    )
    users.rows += [
        (1, OFFICER, "张敏", password_hash, "district_officer", KAIZHOU, "", True, start),
        (2, "officer2", "李建国", password_hash, "district_officer", YONGCHUAN, "", True, start),
        (3, "city1", "赵雪梅", password_hash, "city_officer", "", "", True, start),
    ]
    brokers: dict[str, list[int]] = {district: [] for district in DISTRICTS}
    for district in DISTRICTS:
        for n in range(sizes.brokers_per_district):
            user_id = len(users.rows) + 1
            town = TOWNS[district][n % len(TOWNS[district])]
            users.rows.append(
                (
                    user_id,
                    f"broker_{district}_{n:02d}",
                    _name(rng),
                    password_hash,
                    "broker",
                    district,
                    town,
                    True,
                    start,
                )
            )
            brokers[district].append(user_id)

    founders = Table(
        "enterprises_founder",
        (
            "id",
            "name",
            "gender",
            "birth_year",
            "phone",
            "worked_before",
            "return_year",
            "registered_by",
            "created_at",
        ),
    )
    enterprises = Table(
        "enterprises_enterprise",
        (
            "id", "name", "credit_code", "legal_form", "district", "town", "village", "industry", "main_products",
            "founded_on", "employees", "migrant_employees", "stage", "status", "founder", "registered_by",
            "created_at", "updated_at",
        ),
    )  # fmt: skip
    enterprise_of: list[tuple[str, int]] = []  # (district, registering broker) by enterprise id - 1
    names: set[str] = set()
    phones: set[str] = set()
    codes: set[str] = set()
    stages = list(Stage)
    for enterprise_id in range(1, sizes.enterprises + 1):
        district = DISTRICTS[enterprise_id % 2]
        broker = rng.choice(brokers[district])
        created = at(60 * DAY * enterprise_id / (sizes.enterprises + 1))
        founder_name = _name(rng)
        town, village, (_, industry, main_products, _), form, name = _new_enterprise(rng, district, founder_name, names)
        phone = _unique(phones, lambda: rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}")
        code = ""
        if rng.random() < CREDIT_CODE_SHARE[form]:
            code = _unique(codes, partial(_credit_code, rng, district, form))
        founders.rows.append(
            (
                enterprise_id, founder_name, rng.choice(("男", "女")), rng.randint(1965, 1998), phone,
                rng.choice(WORKED_BEFORE), rng.randint(2012, 2025), broker, created,
            )
        )  # fmt: skip
        enterprises.rows.append(
            (
                enterprise_id, name, code, form, district, town, village, industry, main_products,
                date(2015, 1, 1) + timedelta(days=rng.randint(0, 3_650)), rng.randint(1, 80), rng.randint(0, 40),
                rng.choice(stages), EnterpriseStatus.OPERATING, enterprise_id, broker, created, created,
            )
        )  # fmt: skip
        enterprise_of.append((district, broker))

    needs = Table(
        "enterprises_need",
        ("id", "enterprise", "category", "description", "urgency", "amount_sought", "filed_by", "created_at"),
    )
    cases = Table(
        "casework_case",
        (
            "id",
            "enterprise",
            "filed_by",
            "district",
            "priority",
            "state",
            "version",
            "created_at",
            "updated_at",
        ),
    )
    case_needs = Table("casework_case_need", ("id", "case", "need"))
    events = Table(
        "casework_case_event", ("id", "case", "actor", "kind", "from_state", "to_state", "note", "created_at")
    )
    n = sizes.cases
    states = _pick(rng, STATE_MIX, n)
    priorities = _pick(rng, PRIORITY_MIX, n)
    categories = rng.choices(list(NeedCategory), k=n)
    urgencies = rng.choices(list(Urgency), weights=(15, 60, 20, 5), k=n)
    span = 730 * DAY - 61 * DAY
    for i in range(n):
        case_id = i + 1
        enterprise_id = rng.randrange(sizes.enterprises) + 1
        district, broker = enterprise_of[enterprise_id - 1]
        created = at(61 * DAY + span * i / n + rng.uniform(0, 60))
        state = states[i]
        moved = state not in (CaseState.DRAFT, CaseState.SUBMITTED)
        updated = created + timedelta(days=rng.uniform(1, 30)) if moved else created
        category = categories[i]
        amount = Decimal(rng.randrange(10, 500) * 1_000) if category is NeedCategory.FINANCING else None
        needs.rows.append(
            (case_id, enterprise_id, category, f"需要{category.value}方面的帮助（{case_id}）",
             urgencies[i], amount, broker, created)
        )  # fmt: skip
        cases.rows.append(
            (
                case_id,
                enterprise_id,
                broker,
                district,
                priorities[i],
                state,
                2 if moved else 1,
                created,
                updated,
            )
        )
        case_needs.rows.append((case_id, case_id, case_id))
        filed_as = CaseState.DRAFT if state is CaseState.DRAFT else CaseState.SUBMITTED
        events.rows.append((case_id, case_id, broker, "filed", "", filed_as, "", created))
    return [users, founders, enterprises, needs, cases, case_needs, events]


def _sqlite_value(value: Any) -> Any:
    # As Piccolo's SQLite adapters store them: aware datetimes as str() in UTC, dates ISO, numerics float.
    if isinstance(value, datetime):
        return str(value.astimezone(UTC))
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str):
        return str(value)  # StrEnum members as their plain value
    return value


def _insert_sql(table: Table, placeholder: str = "?") -> str:
    columns = ", ".join(f'"{c}"' for c in table.columns)
    return f'INSERT INTO "{table.name}" ({columns}) VALUES ({", ".join([placeholder] * len(table.columns))})'


def write_sqlite(path: Path, tables: list[Table]) -> None:
    connection = sqlite3.connect(path, timeout=30)
    try:
        connection.execute("PRAGMA synchronous = OFF")  # this connection only: the seed is rebuilt if lost
        with connection:
            for table in tables:
                rows = [tuple(_sqlite_value(v) for v in row) for row in table.rows]
                connection.executemany(_insert_sql(table), rows)
    finally:
        connection.close()


def _pg_value(value: Any) -> Any:
    if isinstance(value, str):
        return str(value)
    return value


async def write_postgres(url: str, tables: list[Table]) -> None:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        async with connection.transaction():
            for table in tables:
                records = [tuple(_pg_value(v) for v in row) for row in table.rows]
                await connection.copy_records_to_table(table.name, records=records, columns=list(table.columns))
                # Ids were given explicitly: move the sequence past them for the app's own inserts.
                await connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                    f'(SELECT MAX("id") FROM "{table.name}"))'
                )
        # What autovacuum does soon after a bulk load: statistics for the planner, and the visibility
        # map that lets counts use index-only scans. Without it the figures are those of minute one.
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()


def summarise(tables: list[Table], build_seconds: float, write_seconds: float) -> SeedReport:
    by_name = {table.name: table for table in tables}
    case_rows = by_name["casework_case"].rows
    founder_of = {row[0]: row for row in by_name["enterprises_founder"].rows}
    # (enterprise name, founder name, founder phone) of officer1's district
    reachable = [
        (row[1], founder_of[row[14]][1], founder_of[row[14]][4])
        for row in by_name["enterprises_enterprise"].rows
        if row[4] == KAIZHOU
    ]
    phone = reachable[len(reachable) // 2][2][3:] if reachable else ""
    return SeedReport(
        rows={table.name: len(table.rows) for table in tables},
        cases_by_state=dict(sorted(Counter(str(row[5]) for row in case_rows).items())),
        officer_district_cases_by_state=dict(
            sorted(Counter(str(row[5]) for row in case_rows if row[3] == KAIZHOU).items())
        ),
        officer_district_enterprises=len(reachable),
        search_word=SEARCH_WORD,
        search_word_matches=sum(1 for name, founder, _ in reachable if SEARCH_WORD in name or SEARCH_WORD in founder),
        search_phone=phone,
        search_phone_matches=sum(1 for _, _, p in reachable if phone and phone in p),
        build_seconds=build_seconds,
        write_seconds=write_seconds,
    )


def seed(sizes: SeedSizes, password_hash: str, sqlite_path: Path | None, postgres_url: str | None) -> SeedReport:
    """Build and write the world into the database (exactly one of the two targets)."""
    import asyncio

    started = time.perf_counter()
    tables = build(sizes, password_hash, now=datetime.now(UTC))
    built = time.perf_counter()
    if sqlite_path is not None:
        write_sqlite(sqlite_path, tables)
    elif postgres_url is not None:
        asyncio.run(write_postgres(postgres_url, tables))
    else:
        raise ValueError("no database to seed")
    return summarise(tables, built - started, time.perf_counter() - built)
