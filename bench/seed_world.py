"""The seeded world's frame: its two districts and their towns, the accounts (officers and the brokers who
register enterprises and file cases), the sizes, and the `Table` every builder fills.

Everything here is invented; the database is thrown away after the run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

KAIZHOU = "500154"  # officer1's district
YONGCHUAN = "500118"
DISTRICTS = (KAIZHOU, YONGCHUAN)
OFFICER = "officer1"
PASSWORD = "bench-password-1"  # every seeded account has it; the database is thrown away after the run

TOWNS = {
    KAIZHOU: ("汉丰街道", "文峰街道", "云枫街道", "镇东街道", "丰乐街道", "临江镇", "温泉镇", "郭家镇"),
    YONGCHUAN: ("中山路街道", "胜利路街道", "南大街街道", "茶山竹海街道", "卫星湖街道", "朱沱镇", "仙龙镇"),
}
DISTRICT_NAMES = {KAIZHOU: "开州区", YONGCHUAN: "永川区"}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
GIVEN = "德明春燕立新敏建国雪梅文斌巧玲华军红霞志强秀英海波丽娟永刚晓东桂兰国庆玉珍小平"
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


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))


def build_accounts(
    rng: random.Random, sizes: SeedSizes, password_hash: str, start: datetime
) -> tuple[Table, dict[str, list[int]]]:
    """The users table (officer1, officer2, city1, then the brokers) and the brokers' ids by district."""
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
                    person_name(rng),
                    password_hash,
                    "broker",
                    district,
                    town,
                    True,
                    start,
                )
            )
            brokers[district].append(user_id)
    return users, brokers
