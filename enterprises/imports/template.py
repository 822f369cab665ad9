"""The XLSX template brokers download: the headers the import knows, an example row, and a sheet of notes.

Built by `template_builder`; here is only what is the enterprises'.

Pure: no framework, database or clock.
"""

from __future__ import annotations

from enterprises.identifiers import resident_id_check_character
from enterprises.imports import template_builder
from enterprises.imports.headers import COLUMNS, REQUIRED_FIELDS
from enterprises.imports.rows import EXAMPLE_MARK, TEXT_IDENTIFIERS

TEMPLATE_SHEET = "企业名单"
TEMPLATE_EXAMPLE: dict[str, str | int] = {
    "name": "示例：开州区春华柑橘家庭农场",
    "credit_code": "",
    "legal_form": "家庭农场",
    "district": "开州区",
    "town": "汉丰街道",
    "village": "东华社区",
    "park": "",
    "industry": "农、林、牧、渔业",
    "main_products": "脐橙、柑橘苗木",
    "founded_on": "2021-03-15",
    "employees": 12,
    "migrant_employees": 5,
    "annual_revenue": 680000,
    "stage": "成长型",
    "status": "正常经营",
    "founder_name": "周春华",
    "founder_gender": "男",
    "founder_birth_year": 1986,
    "founder_phone": "13983451234",
    "founder_id_number": "50023419860101123" + resident_id_check_character("50023419860101123"),
    "founder_worked_before": "广东东莞",
    "founder_return_year": 2019,
    "credit_code_note": "",
}
TEMPLATE_NOTES: dict[str, str] = {
    "name": "必填",
    "credit_code": "18位；尚未取得可不填。请将此列设为文本格式",
    "legal_form": "公司、个体工商户、农民专业合作社、家庭农场、其他",
    "district": "区县名称或6位代码；不填则为您所在区县",
    "town": "必填",
    "industry": "国民经济行业门类字母或名称，如 A 或 农、林、牧、渔业",
    "founded_on": "如 2021-03-15",
    "annual_revenue": "元；表头写“年营业收入（万元）”则按万元计",
    "stage": "生存型、成长型、发展型",
    "status": "正常经营、暂停经营、已关停",
    "founder_name": "必填",
    "founder_gender": "男、女",
    "founder_phone": "必填；手机11位或带区号的座机",
    "founder_id_number": "18位；请将此列设为文本格式，否则Excel会改掉末几位",
    "credit_code_note": "信用代码校验不通过但与执照一致时，说明原因",
}
TEMPLATE_ORDER = (
    "name", "credit_code", "legal_form", "district", "town", "village", "park", "industry", "main_products",
    "founded_on", "employees", "migrant_employees", "annual_revenue", "stage", "status",
    "founder_name", "founder_gender", "founder_birth_year", "founder_phone", "founder_id_number",
    "founder_worked_before", "founder_return_year", "credit_code_note",
)  # fmt: skip

SPEC = template_builder.TemplateSpec(
    sheet=TEMPLATE_SHEET,
    order=TEMPLATE_ORDER,
    columns=COLUMNS,
    required=REQUIRED_FIELDS,
    example=TEMPLATE_EXAMPLE,
    notes=TEMPLATE_NOTES,
    row_label="企业名称",
    example_mark=EXAMPLE_MARK,
    widths={name: 22 for name in (*TEXT_IDENTIFIERS, "name")},
    text_fields=TEXT_IDENTIFIERS,
    choices=(
        ("legal_form", "公司,个体工商户,农民专业合作社,家庭农场,其他"),
        ("stage", "生存型,成长型,发展型"),
        ("status", "正常经营,暂停经营,已关停"),
        ("founder_gender", "男,女"),
    ),
    notes_widths={"B": 18, "C": 60},
)


def template_headers() -> list[str]:
    """The template's headers, required ones marked with "*"."""
    return template_builder.template_headers(SPEC)


def template_workbook() -> bytes:
    """The XLSX template: the headers brokers know, one example row (invented), and a sheet of notes."""
    return template_builder.template_workbook(SPEC)
