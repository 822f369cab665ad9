"""The casework benchmark's people: the officers, brokers and experts with their accounts, and the founders
and their enterprises, spread over the districts (the two largest have more) and their brokers.

A builder of bench.casework_world; the brokers and districts noted here are the ones the cases are filed by.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from bench.casework_world import DAY, OFFICER, OFFICER_DISTRICT, World, as_json
from bench.seed_world import Table, person_name
from core.districts import DISTRICTS
from enterprises.classification import EnterpriseStatus, LegalForm, NeedCategory, Stage
from enterprises.phones import PHONE_COLUMNS, stored_phone

PEOPLE_TABLES = ("accounts_user", "experts_expert", "enterprises_founder", "enterprises_enterprise")

PRODUCTS = (
    "柑橘",
    "竹编",
    "土鸡",
    "茶叶",
    "民宿",
    "汽修",
    "豆干",
    "蔬菜",
    "生猪",
    "蜂蜜",
    "腊肉",
    "电商",
    "花椒",
    "中药材",
)
SUFFIXES = {
    LegalForm.FAMILY_FARM: "家庭农场",
    LegalForm.FARMERS_COOPERATIVE: "专业合作社",
    LegalForm.COMPANY: "有限公司",
    LegalForm.INDIVIDUAL_BUSINESS: "店",
}
TOWN_WORDS = ("龙", "桥", "河", "石", "新", "丰", "兴", "安", "平", "溪", "山", "福")


def accounts(world: World, password_hash: str) -> list[Table]:
    """The users (an officer or more per district, the city officer, the brokers, the experts) and the experts."""
    users = Table(
        "accounts_user",
        ("id", "username", "display_name", "password_hash", "role", "district", "town", "is_active", "created_at"),
    )
    experts = Table(
        "experts_expert",
        ("id", "user", "name", "organisation", "title", "specialties", "districts", "capacity", "created_at"),
    )
    rng, created = world.rng, world.at(world.start)

    def user(username: str, role: str, district: str = "") -> int:
        user_id = world.ids.take("accounts_user")
        users.rows.append((user_id, username, person_name(rng), password_hash, role, district, "", True, created))
        return user_id

    world.officers[OFFICER_DISTRICT] = [user(OFFICER, "district_officer", OFFICER_DISTRICT)]
    user("city1", "city_officer")
    for d in DISTRICTS:
        have = world.officers.setdefault(d.code, [])
        while len(have) < world.sizes.officers_per_district:
            have.append(user(f"officer_{d.code}_{len(have) + 1}", "district_officer", d.code))
    for d in DISTRICTS:
        world.brokers[d.code] = [
            user(f"broker_{d.code}_{n:02d}", "broker", d.code) for n in range(world.sizes.brokers_per_district)
        ]
    categories = [c.value for c in NeedCategory]
    codes = [d.code for d in DISTRICTS]
    for n in range(world.sizes.experts):
        user_id = user(f"expert_{n + 1:04d}", "expert")
        world.expert_users.append(user_id)
        experts.rows.append(
            (
                world.ids.take("experts_expert"), user_id, users.rows[-1][2], "重庆市创业指导专家库", "高级经济师",
                as_json(rng.sample(categories, 2)), as_json(rng.sample(codes, rng.randint(0, 3))), 5, created,
            )
        )  # fmt: skip
    return [users, experts]


def enterprises(world: World) -> Iterator[list[Table]]:
    """The founders and their enterprises, in chunks; each enterprise's district and broker noted on `world`."""
    rng = world.rng
    codes = [d.code for d in DISTRICTS]
    names = {d.code: d.name_zh for d in DISTRICTS}
    # The two largest districts have 2.5 times the enterprises of the others.
    weights = [2.5 if code in (OFFICER_DISTRICT, "500101") else 1.0 for code in codes]
    forms = list(SUFFIXES)
    stages = [s.value for s in Stage]
    n, chunk = world.sizes.enterprises, world.sizes.chunk * 2
    for first in range(0, n, chunk):
        founders = Table(
            "enterprises_founder",
            ("id", "name", "gender", "birth_year", *PHONE_COLUMNS, "worked_before", "return_year",
             "id_number_last4", "registered_by", "created_at"),
        )  # fmt: skip
        enterprises = Table(
            "enterprises_enterprise",
            ("id", "name", "credit_code", "legal_form", "district", "town", "village", "industry",
             "main_products", "founded_on", "employees", "migrant_employees", "stage", "status", "founder",
             "registered_by", "created_at", "updated_at"),
        )  # fmt: skip
        districts = rng.choices(codes, weights=weights, k=min(chunk, n - first))
        for i, district in enumerate(districts):
            enterprise_id = first + i + 1
            broker = rng.choice(world.brokers[district])
            created = world.at(world.start + 120 * DAY * enterprise_id / (n + 1))
            founder = person_name(rng)
            form, product = rng.choice(forms), rng.choice(PRODUCTS)
            town = rng.choice(TOWN_WORDS) + rng.choice(TOWN_WORDS) + "镇"
            # Phones unique by construction: 7919 is coprime with 10^8.
            phone = f"1{rng.choice('3589')}{rng.randrange(10)}{enterprise_id * 7919 % 100_000_000:08d}"
            founders.rows.append(
                (enterprise_id, founder, rng.choice(("男", "女")), rng.randint(1965, 1998),
                 *stored_phone(phone).values(), "广东东莞", rng.randint(2012, 2025), f"{rng.randrange(10_000):04d}",
                 broker, created)
            )  # fmt: skip
            enterprises.rows.append(
                (enterprise_id, f"{names[district]}{town[:2]}{founder}{product}{SUFFIXES[form]}", "", form.value,
                 district, town, rng.choice(TOWN_WORDS) + "村", "A", product,
                 date(2015, 1, 1) + timedelta(days=rng.randint(0, 3_650)), rng.randint(1, 80), rng.randint(0, 40),
                 rng.choice(stages), EnterpriseStatus.OPERATING.value, enterprise_id, broker, created, created)
            )  # fmt: skip
            world.enterprise_district.append(district)
            world.enterprise_broker.append(broker)
        yield [founders, enterprises]
