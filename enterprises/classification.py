"""The vocabularies that classify enterprises and needs (see shared/REFERENCE.md).

Each enum's `label` is an English message id; pages translate it (Chinese by default).
"""

from __future__ import annotations

from enum import StrEnum


class LegalForm(StrEnum):
    COMPANY = "company"
    INDIVIDUAL_BUSINESS = "individual_business"
    FARMERS_COOPERATIVE = "farmers_cooperative"
    FAMILY_FARM = "family_farm"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _LEGAL_FORM_LABELS[self]


_LEGAL_FORM_LABELS = {
    LegalForm.COMPANY: "Company",
    LegalForm.INDIVIDUAL_BUSINESS: "Individual business",
    LegalForm.FARMERS_COOPERATIVE: "Farmers' cooperative",
    LegalForm.FAMILY_FARM: "Family farm",
    LegalForm.OTHER: "Other legal form",
}


class EnterpriseStatus(StrEnum):
    OPERATING = "operating"
    SUSPENDED = "suspended"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return {"operating": "Operating", "suspended": "Suspended", "closed": "Closed"}[self.value]


class Stage(StrEnum):
    """Chongqing's tiers for individual businesses (2024 plan)."""

    SURVIVAL = "survival"
    GROWTH = "growth"
    DEVELOPMENT = "development"

    @property
    def label(self) -> str:
        return {"survival": "Survival", "growth": "Growth", "development": "Development"}[self.value]


class NeedCategory(StrEnum):
    FINANCING = "financing"
    TECHNOLOGY = "technology"
    MARKET = "market"
    MANAGEMENT = "management"
    HIRING = "hiring"
    POLICY = "policy"
    LEGAL = "legal"
    PREMISES = "premises"
    ECOMMERCE = "ecommerce"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _NEED_CATEGORY_LABELS[self]

    @property
    def is_money(self) -> bool:
        """Whether a need of this kind asks for an amount of money."""
        return self is NeedCategory.FINANCING


_NEED_CATEGORY_LABELS = {
    NeedCategory.FINANCING: "Financing",
    NeedCategory.TECHNOLOGY: "Technology",
    NeedCategory.MARKET: "Market & sales",
    NeedCategory.MANAGEMENT: "Management",
    NeedCategory.HIRING: "Hiring & skills",
    NeedCategory.POLICY: "Policy",
    NeedCategory.LEGAL: "Legal",
    NeedCategory.PREMISES: "Land & premises",
    NeedCategory.ECOMMERCE: "E-commerce & brand",
    NeedCategory.OTHER: "Other need",
}


class Urgency(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def label(self) -> str:
        return {"low": "Low", "normal": "Normal", "high": "High", "urgent": "Urgent"}[self.value]


class SnapshotSource(StrEnum):
    """Where an outcome measurement came from."""

    INTAKE = "intake"
    FOLLOW_UP = "follow_up"
    SURVEY = "survey"
    IMPORT = "import"
    SURVEY_3M = "survey_3m"  # the outcome surveys 3, 6 and 12 months after a case moved to monitoring
    SURVEY_6M = "survey_6m"
    SURVEY_12M = "survey_12m"
    VISIT = "visit"  # a periodic visit's task
    OFFICER = "officer"  # a survey task an officer dispatched by hand

    @property
    def label(self) -> str:
        return _SOURCE_LABELS[self]


_SOURCE_LABELS = {
    SnapshotSource.INTAKE: "At intake",
    SnapshotSource.FOLLOW_UP: "Follow-up",
    SnapshotSource.SURVEY: "Survey",
    SnapshotSource.IMPORT: "Spreadsheet import",
    SnapshotSource.SURVEY_3M: "3-month survey",
    SnapshotSource.SURVEY_6M: "6-month survey",
    SnapshotSource.SURVEY_12M: "12-month survey",
    SnapshotSource.VISIT: "At a periodic visit",
    SnapshotSource.OFFICER: "Survey asked by an officer",
}


class RevenueBand(StrEnum):
    """Annual revenue in bands: what a founder answers at the door, where an exact figure is not known."""

    NONE = "none"
    UNDER_100K = "under_100k"
    FROM_100K_TO_500K = "100k_500k"
    FROM_500K_TO_1M = "500k_1m"
    FROM_1M_TO_5M = "1m_5m"
    OVER_5M = "over_5m"

    @property
    def label(self) -> str:
        return _REVENUE_BAND_LABELS[self]


_REVENUE_BAND_LABELS = {
    RevenueBand.NONE: "No revenue yet",
    RevenueBand.UNDER_100K: "Under 100,000 yuan",
    RevenueBand.FROM_100K_TO_500K: "100,000 to 500,000 yuan",
    RevenueBand.FROM_500K_TO_1M: "500,000 to 1 million yuan",
    RevenueBand.FROM_1M_TO_5M: "1 to 5 million yuan",
    RevenueBand.OVER_5M: "Over 5 million yuan",
}


# GB/T 4754-2017 sections: letter -> (Chinese name, English name).
INDUSTRY_SECTIONS: dict[str, tuple[str, str]] = {
    "A": ("农、林、牧、渔业", "Agriculture, forestry, animal husbandry and fishery"),
    "B": ("采矿业", "Mining"),
    "C": ("制造业", "Manufacturing"),
    "D": ("电力、热力、燃气及水生产和供应业", "Electricity, heat, gas and water supply"),
    "E": ("建筑业", "Construction"),
    "F": ("批发和零售业", "Wholesale and retail trade"),
    "G": ("交通运输、仓储和邮政业", "Transport, storage and postal services"),
    "H": ("住宿和餐饮业", "Accommodation and catering"),
    "I": ("信息传输、软件和信息技术服务业", "Information transmission, software and IT services"),
    "J": ("金融业", "Finance"),
    "K": ("房地产业", "Real estate"),
    "L": ("租赁和商务服务业", "Leasing and business services"),
    "M": ("科学研究和技术服务业", "Scientific research and technical services"),
    "N": ("水利、环境和公共设施管理业", "Water, environment and public facilities management"),
    "O": ("居民服务、修理和其他服务业", "Resident services, repair and other services"),
    "P": ("教育", "Education"),
    "Q": ("卫生和社会工作", "Health and social work"),
    "R": ("文化、体育和娱乐业", "Culture, sports and entertainment"),
    "S": ("公共管理、社会保障和社会组织", "Public administration, social security and social organisations"),
    "T": ("国际组织", "International organisations"),
}


def industry_name(section: str, locale: str = "zh_CN") -> str:
    names = INDUSTRY_SECTIONS.get(section)
    if names is None:
        return section
    return names[0] if locale.startswith("zh") else names[1]
