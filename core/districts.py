"""Chongqing's 38 county-level divisions (GB/T 2260), the districts of the bureau's organisation."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class District:
    code: str
    name_zh: str
    name_en: str


DISTRICTS: tuple[District, ...] = (
    District("500101", "万州区", "Wanzhou District"),
    District("500102", "涪陵区", "Fuling District"),
    District("500103", "渝中区", "Yuzhong District"),
    District("500104", "大渡口区", "Dadukou District"),
    District("500105", "江北区", "Jiangbei District"),
    District("500106", "沙坪坝区", "Shapingba District"),
    District("500107", "九龙坡区", "Jiulongpo District"),
    District("500108", "南岸区", "Nan'an District"),
    District("500109", "北碚区", "Beibei District"),
    District("500110", "綦江区", "Qijiang District"),
    District("500111", "大足区", "Dazu District"),
    District("500112", "渝北区", "Yubei District"),
    District("500113", "巴南区", "Banan District"),
    District("500114", "黔江区", "Qianjiang District"),
    District("500115", "长寿区", "Changshou District"),
    District("500116", "江津区", "Jiangjin District"),
    District("500117", "合川区", "Hechuan District"),
    District("500118", "永川区", "Yongchuan District"),
    District("500119", "南川区", "Nanchuan District"),
    District("500120", "璧山区", "Bishan District"),
    District("500151", "铜梁区", "Tongliang District"),
    District("500152", "潼南区", "Tongnan District"),
    District("500153", "荣昌区", "Rongchang District"),
    District("500154", "开州区", "Kaizhou District"),
    District("500155", "梁平区", "Liangping District"),
    District("500156", "武隆区", "Wulong District"),
    District("500229", "城口县", "Chengkou County"),
    District("500230", "丰都县", "Fengdu County"),
    District("500231", "垫江县", "Dianjiang County"),
    District("500233", "忠县", "Zhong County"),
    District("500235", "云阳县", "Yunyang County"),
    District("500236", "奉节县", "Fengjie County"),
    District("500237", "巫山县", "Wushan County"),
    District("500238", "巫溪县", "Wuxi County"),
    District("500240", "石柱土家族自治县", "Shizhu Tujia Autonomous County"),
    District("500241", "秀山土家族苗族自治县", "Xiushan Tujia and Miao Autonomous County"),
    District("500242", "酉阳土家族苗族自治县", "Youyang Tujia and Miao Autonomous County"),
    District("500243", "彭水苗族土家族自治县", "Pengshui Miao and Tujia Autonomous County"),
)

BY_CODE: dict[str, District] = {district.code: district for district in DISTRICTS}


def is_district(code: str) -> bool:
    return code in BY_CODE


def district_name(code: str, locale: str = "zh_CN") -> str:
    """The district's name in the locale, or the code itself when it is not one of the 38."""
    district = BY_CODE.get(code)
    if district is None:
        return code
    return district.name_zh if locale.startswith("zh") else district.name_en
