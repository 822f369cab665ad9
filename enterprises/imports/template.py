"""The XLSX template brokers download: the headers the import knows, an example row, and a sheet of notes.

Built by `template_builder`; here is only what is the enterprises'.

Pure: no framework, database or clock.
"""

from __future__ import annotations

from enterprises.identifiers import resident_id_check_character
from enterprises.imports import template_builder
from enterprises.imports.headers import COLUMNS, REQUIRED_FIELDS
from enterprises.imports.rows import EXAMPLE_MARK, TEXT_IDENTIFIERS
from enterprises.industry_table import SECTIONS, SHORT_FORMS, STANDARD_TERMS, division_name, divisions_of, section_name

TEMPLATE_SHEET = "企业名单"
INDUSTRY_SHEET = "行业代码"


def industry_codes_sheet() -> template_builder.ReferenceSheet:
    """GB/T 4754-2017's sections and divisions, then the common words and what they are read as."""
    rows: list[list[str]] = [["门类", "大类代码", "名称（GB/T 4754-2017）"]]
    for letter, name in SECTIONS.items():
        rows.append([letter, "", name])
        rows.extend(["", code, division] for code, division in divisions_of(letter))
    rows += [[], ["常见写法", "读作", "说明"]]
    for term in (*STANDARD_TERMS, *SHORT_FORMS):
        code = term.division or term.section
        read_as = f"{code} {division_name(code) if term.division else section_name(code)}"
        kind = f"标准{'小类' if len(term.code) == 4 else '中类'} {term.code}" if term in STANDARD_TERMS else "常见简称"
        rows.append([term.word, read_as, kind])
    return template_builder.ReferenceSheet(INDUSTRY_SHEET, rows, {"A": 24, "B": 40, "C": 44})


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
    "need_category": "融资、电商",
    "need_description": "扩建冷库缺资金；想在网上卖脐橙",
}
TEMPLATE_NOTES: dict[str, str] = {
    "name": "必填",
    "credit_code": "18位；尚未取得可不填。请将此列设为文本格式",
    "legal_form": "公司、个体工商户、农民专业合作社、家庭农场、其他",
    "district": "区县名称或6位代码；不填则为您所在区县",
    "town": "必填",
    "industry": "行业门类字母、两位行业大类代码或名称，如 A、15 或 酒、饮料和精制茶制造业；见“行业代码”表",
    "founded_on": "如 2021-03-15",
    "annual_revenue": "元；表头写“年营业收入（万元）”则按万元计",
    "stage": "生存型、成长型、发展型",
    "status": "正常经营、暂停经营、已关停",
    "founder_name": "必填",
    "founder_gender": "男、女",
    "founder_phone": "必填；手机11位或带区号的座机",
    "founder_id_number": "18位；请将此列设为文本格式，否则Excel会改掉末几位",
    "credit_code_note": "选填：信用代码校验位不符但与营业执照一致时的说明（此类记录导入后标记“核对营业执照”）",
    "need_category": "选填；可填多项，用顿号、逗号或空格隔开；每项需求提交一个案件",
    "need_description": "选填；需求的具体说明",
}
TEMPLATE_ORDER = (
    "name", "credit_code", "legal_form", "district", "town", "village", "park", "industry", "main_products",
    "founded_on", "employees", "migrant_employees", "annual_revenue", "stage", "status",
    "founder_name", "founder_gender", "founder_birth_year", "founder_phone", "founder_id_number",
    "founder_worked_before", "founder_return_year", "credit_code_note", "need_category", "need_description",
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
    references=(industry_codes_sheet(),),
)


def template_headers() -> list[str]:
    """The template's headers, required ones marked with "*"."""
    return template_builder.template_headers(SPEC)


def template_workbook() -> bytes:
    """The XLSX template: the headers brokers know, one example row (invented), and a sheet of notes."""
    return template_builder.template_workbook(SPEC)
