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
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from casework.workflow import CaseState, Priority
from enterprises.classification import EnterpriseStatus, LegalForm, NeedCategory, Stage, Urgency

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
TRADES = ("柑橘种植", "竹编工艺", "土鸡养殖", "食品加工", "电商服务", "民宿", "蔬菜种植", "服装加工", "物流")
FORMS = ("家庭农场", "专业合作社", "有限公司", "个体工商户")
WORKED_BEFORE = ("广东东莞", "浙江义乌", "福建晋江", "江苏苏州")
DAY = 86_400.0


@dataclass(frozen=True)
class SeedSizes:
    cases: int = 100_000
    enterprises: int = 2_000
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
    build_seconds: float
    write_seconds: float

    @property
    def seconds(self) -> float:
        return self.build_seconds + self.write_seconds


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))


def _pick(rng: random.Random, mix: tuple[tuple[Any, float], ...], k: int) -> list[Any]:
    return rng.choices([value for value, _ in mix], weights=[weight for _, weight in mix], k=k)


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
            "id", "name", "legal_form", "district", "town", "village", "industry", "main_products",
            "founded_on", "employees", "migrant_employees", "stage", "status", "founder", "registered_by",
            "created_at", "updated_at",
        ),
    )  # fmt: skip
    enterprise_of: list[tuple[str, int]] = []  # (district, registering broker) by enterprise id - 1
    legal_forms = list(LegalForm)
    for enterprise_id in range(1, sizes.enterprises + 1):
        district = DISTRICTS[enterprise_id % 2]
        broker = rng.choice(brokers[district])
        created = at(rng.uniform(0, 60 * DAY))
        town = rng.choice(TOWNS[district])
        trade = rng.choice(TRADES)
        founders.rows.append(
            (
                enterprise_id, _name(rng), rng.choice(("男", "女")), rng.randint(1965, 1998),
                f"139{rng.randint(0, 99_999_999):08d}", rng.choice(WORKED_BEFORE), rng.randint(2012, 2025),
                broker, created,
            )
        )  # fmt: skip
        enterprises.rows.append(
            (
                enterprise_id, f"{town}{_name(rng)}{trade}{rng.choice(FORMS)}{enterprise_id}",
                rng.choice(legal_forms), district, town, f"{rng.choice(GIVEN)}{rng.choice(GIVEN)}村", "A",
                trade, date(2015, 1, 1) + timedelta(days=rng.randint(0, 3_650)), rng.randint(1, 80),
                rng.randint(0, 40), rng.choice(list(Stage)), EnterpriseStatus.OPERATING, enterprise_id,
                broker, created, created,
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
    return SeedReport(
        rows={table.name: len(table.rows) for table in tables},
        cases_by_state=dict(sorted(Counter(str(row[5]) for row in case_rows).items())),
        officer_district_cases_by_state=dict(
            sorted(Counter(str(row[5]) for row in case_rows if row[3] == KAIZHOU).items())
        ),
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
