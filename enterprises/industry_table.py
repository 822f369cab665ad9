"""GB/T 4754-2017 (国民经济行业分类) as data: its 20 sections, its 97 divisions, and the words people use.

Pure: no framework, database or clock. Sections are the letters of `enterprises.classification`
(A–T); divisions are the standard's two-digit codes 01–97, each under its section. Groups (three
digits) and classes (four digits) are not all here: only those a common word names, each kept with
the division it belongs to, since the registry stores a section and a division.
"""

from __future__ import annotations

from dataclasses import dataclass

from enterprises.classification import INDUSTRY_SECTIONS

SECTIONS: dict[str, str] = {letter: names[0] for letter, names in INDUSTRY_SECTIONS.items()}

# The standard's division code ranges per section (the table below is checked against them).
SECTION_RANGES: dict[str, tuple[int, int]] = {
    "A": (1, 5), "B": (6, 12), "C": (13, 43), "D": (44, 46), "E": (47, 50), "F": (51, 52), "G": (53, 60),
    "H": (61, 62), "I": (63, 65), "J": (66, 69), "K": (70, 70), "L": (71, 72), "M": (73, 75), "N": (76, 79),
    "O": (80, 82), "P": (83, 83), "Q": (84, 85), "R": (86, 90), "S": (91, 96), "T": (97, 97),
}  # fmt: skip

# code -> (section, name), as GB/T 4754-2017 names them.
DIVISIONS: dict[str, tuple[str, str]] = {
    "01": ("A", "农业"),
    "02": ("A", "林业"),
    "03": ("A", "畜牧业"),
    "04": ("A", "渔业"),
    "05": ("A", "农、林、牧、渔专业及辅助性活动"),
    "06": ("B", "煤炭开采和洗选业"),
    "07": ("B", "石油和天然气开采业"),
    "08": ("B", "黑色金属矿采选业"),
    "09": ("B", "有色金属矿采选业"),
    "10": ("B", "非金属矿采选业"),
    "11": ("B", "开采专业及辅助性活动"),
    "12": ("B", "其他采矿业"),
    "13": ("C", "农副食品加工业"),
    "14": ("C", "食品制造业"),
    "15": ("C", "酒、饮料和精制茶制造业"),
    "16": ("C", "烟草制品业"),
    "17": ("C", "纺织业"),
    "18": ("C", "纺织服装、服饰业"),
    "19": ("C", "皮革、毛皮、羽毛及其制品和制鞋业"),
    "20": ("C", "木材加工和木、竹、藤、棕、草制品业"),
    "21": ("C", "家具制造业"),
    "22": ("C", "造纸和纸制品业"),
    "23": ("C", "印刷和记录媒介复制业"),
    "24": ("C", "文教、工美、体育和娱乐用品制造业"),
    "25": ("C", "石油、煤炭及其他燃料加工业"),
    "26": ("C", "化学原料和化学制品制造业"),
    "27": ("C", "医药制造业"),
    "28": ("C", "化学纤维制造业"),
    "29": ("C", "橡胶和塑料制品业"),
    "30": ("C", "非金属矿物制品业"),
    "31": ("C", "黑色金属冶炼和压延加工业"),
    "32": ("C", "有色金属冶炼和压延加工业"),
    "33": ("C", "金属制品业"),
    "34": ("C", "通用设备制造业"),
    "35": ("C", "专用设备制造业"),
    "36": ("C", "汽车制造业"),
    "37": ("C", "铁路、船舶、航空航天和其他运输设备制造业"),
    "38": ("C", "电气机械和器材制造业"),
    "39": ("C", "计算机、通信和其他电子设备制造业"),
    "40": ("C", "仪器仪表制造业"),
    "41": ("C", "其他制造业"),
    "42": ("C", "废弃资源综合利用业"),
    "43": ("C", "金属制品、机械和设备修理业"),
    "44": ("D", "电力、热力生产和供应业"),
    "45": ("D", "燃气生产和供应业"),
    "46": ("D", "水的生产和供应业"),
    "47": ("E", "房屋建筑业"),
    "48": ("E", "土木工程建筑业"),
    "49": ("E", "建筑安装业"),
    "50": ("E", "建筑装饰、装修和其他建筑业"),
    "51": ("F", "批发业"),
    "52": ("F", "零售业"),
    "53": ("G", "铁路运输业"),
    "54": ("G", "道路运输业"),
    "55": ("G", "水上运输业"),
    "56": ("G", "航空运输业"),
    "57": ("G", "管道运输业"),
    "58": ("G", "多式联运和运输代理业"),
    "59": ("G", "装卸搬运和仓储业"),
    "60": ("G", "邮政业"),
    "61": ("H", "住宿业"),
    "62": ("H", "餐饮业"),
    "63": ("I", "电信、广播电视和卫星传输服务"),
    "64": ("I", "互联网和相关服务"),
    "65": ("I", "软件和信息技术服务业"),
    "66": ("J", "货币金融服务"),
    "67": ("J", "资本市场服务"),
    "68": ("J", "保险业"),
    "69": ("J", "其他金融业"),
    "70": ("K", "房地产业"),
    "71": ("L", "租赁业"),
    "72": ("L", "商务服务业"),
    "73": ("M", "研究和试验发展"),
    "74": ("M", "专业技术服务业"),
    "75": ("M", "科技推广和应用服务业"),
    "76": ("N", "水利管理业"),
    "77": ("N", "生态保护和环境治理业"),
    "78": ("N", "公共设施管理业"),
    "79": ("N", "土地管理业"),
    "80": ("O", "居民服务业"),
    "81": ("O", "机动车、电子产品和日用产品修理业"),
    "82": ("O", "其他服务业"),
    "83": ("P", "教育"),
    "84": ("Q", "卫生"),
    "85": ("Q", "社会工作"),
    "86": ("R", "新闻和出版业"),
    "87": ("R", "广播、电视、电影和录音制作业"),
    "88": ("R", "文化艺术业"),
    "89": ("R", "体育"),
    "90": ("R", "娱乐业"),
    "91": ("S", "中国共产党机关"),
    "92": ("S", "国家机构"),
    "93": ("S", "人民政协、民主党派"),
    "94": ("S", "社会保障"),
    "95": ("S", "群众团体、社会团体和其他成员组织"),
    "96": ("S", "基层群众自治组织及其他组织"),
    "97": ("T", "国际组织"),
}


@dataclass(frozen=True)
class Term:
    """A group or class of the standard (`code` three or four digits), or a short form (`code` ""), and where it points.

    `division` is "" when the word names a whole section but no one division in it (养殖: livestock
    or fish; 物流: road haulage, warehousing or forwarding), so only the section is stored.
    """

    word: str
    section: str
    division: str = ""
    code: str = ""


def _in(division: str) -> str:
    return DIVISIONS[division][0]


def _group(word: str, code: str) -> Term:
    return Term(word, _in(code[:2]), code[:2], code)


# Groups and classes of the standard that rural ledgers name (their codes as GB/T 4754-2017 gives them).
STANDARD_TERMS: tuple[Term, ...] = (
    _group("谷物种植", "011"),
    _group("蔬菜、食用菌及园艺作物种植", "014"),
    _group("蔬菜种植", "0141"),
    _group("食用菌种植", "0142"),
    _group("花卉种植", "0143"),
    _group("水果种植", "015"),
    _group("柑橘类种植", "0153"),
    _group("坚果、含油果、香料和饮料作物种植", "016"),
    _group("茶叶种植", "0164"),
    _group("中药材种植", "017"),
    _group("林木育种和育苗", "021"),
    _group("造林和更新", "022"),
    _group("林产品采集", "025"),
    _group("牲畜饲养", "031"),
    _group("猪的饲养", "0313"),
    _group("家禽饲养", "032"),
    _group("水产养殖", "041"),
    _group("农业专业及辅助性活动", "051"),
    _group("农产品初加工活动", "0514"),
    _group("谷物磨制", "131"),
    _group("饲料加工", "132"),
    _group("屠宰及肉类加工", "135"),
    _group("水产品加工", "136"),
    _group("蔬菜、菌类、水果和坚果加工", "137"),
    _group("焙烤食品制造", "141"),
    _group("方便食品制造", "143"),
    _group("调味品、发酵制品制造", "146"),
    _group("酒的制造", "151"),
    _group("白酒制造", "1512"),
    _group("精制茶加工", "153"),
    _group("机织服装制造", "181"),
    _group("竹、藤、棕、草等制品制造", "204"),
    _group("竹制品制造", "2041"),
    _group("工艺美术及礼仪用品制造", "243"),
    _group("农、林、牧、渔产品批发", "511"),
    _group("综合零售", "521"),
    _group("超级市场零售", "5212"),
    _group("食品、饮料及烟草制品专门零售", "522"),
    _group("互联网零售", "5292"),
    _group("道路货物运输", "543"),
    _group("快递服务", "602"),
    _group("旅游饭店", "611"),
    _group("一般旅馆", "612"),
    _group("民宿服务", "6130"),
    _group("正餐服务", "621"),
    _group("快餐服务", "622"),
    _group("餐饮配送及外卖送餐服务", "624"),
    _group("小吃服务", "6291"),
    _group("互联网平台", "643"),
    _group("旅行社及相关服务", "727"),
    _group("家庭服务", "801"),
    _group("理发及美容服务", "806"),
    _group("汽车修理与维护", "8111"),
    _group("技能培训、教育辅助及其他教育", "839"),
    _group("休闲观光活动", "903"),
)

# Short forms: words that are no name in the standard. Each is read with a warning saying what it was read as.
SHORT_FORMS: tuple[Term, ...] = (
    # 电商 sells the enterprise's own goods online: class 5292 互联网零售, in 52 零售业 (section F).
    # A platform for others' sales would be 64 互联网和相关服务; rural ledgers mean the former.
    Term("电商", "F", "52", "5292"),
    Term("电子商务", "F", "52", "5292"),
    Term("网店", "F", "52", "5292"),
    Term("网络销售", "F", "52", "5292"),
    Term("直播带货", "F", "52", "5292"),
    # The standard classes by main activity. A 农家乐 earns from meals of farm food (62 餐饮业, 621
    # 正餐服务); one that mainly lets rooms is 民宿服务 (6130, in 61). Either way the section is H.
    Term("农家乐", "H", "62", "621"),
    Term("民宿", "H", "61", "6130"),
    Term("饭店", "H", "62", "621"),
    Term("餐馆", "H", "62", "621"),
    Term("宾馆", "H", "61", "612"),
    Term("种植", "A", "01"),
    Term("种植业", "A", "01"),
    Term("果蔬种植", "A", "01"),
    Term("果树种植", "A", "01", "015"),
    Term("柑桔种植", "A", "01", "0153"),
    Term("种养殖", "A"),  # crops and animals at once: the section only
    Term("种养", "A"),
    Term("养殖", "A"),  # livestock (03) or fish (04): the section only
    Term("养殖业", "A"),
    Term("畜禽养殖", "A", "03"),
    Term("生猪养殖", "A", "03", "0313"),
    Term("养猪", "A", "03", "0313"),
    Term("养鸡", "A", "03", "032"),
    Term("渔业养殖", "A", "04", "041"),
    Term("养鱼", "A", "04", "041"),
    Term("农机服务", "A", "05", "0512"),
    Term("农产品加工", "C", "13"),
    Term("食品加工", "C", "13"),
    Term("加工", "C"),  # which goods is not said: the section only
    Term("加工业", "C"),
    Term("制造", "C"),
    Term("建筑", "E"),
    Term("装修", "E", "50"),
    Term("批发", "F", "51"),
    Term("零售", "F", "52"),
    Term("超市", "F", "52", "5212"),
    Term("商贸", "F"),
    Term("交通运输", "G"),
    Term("物流", "G"),  # road haulage (54), warehousing (59) or forwarding (58): the section only
    Term("运输", "G"),
    Term("货运", "G", "54", "543"),
    Term("快递", "G", "60", "602"),
    Term("仓储", "G", "59"),
    Term("软件", "I", "65"),
    Term("家政", "O", "80", "801"),
    Term("家政服务", "O", "80", "801"),
    Term("美容美发", "O", "80", "806"),
    Term("理发", "O", "80", "806"),
    Term("维修", "O", "81"),
    Term("汽修", "O", "81", "8111"),
    Term("培训", "P", "83", "839"),
    Term("乡村旅游", "R", "90", "903"),
    Term("休闲农业", "R", "90", "903"),
    Term("旅游", "R", "90", "903"),
)


def division_name(code: str) -> str:
    """A division's Chinese name, or the code itself when it is no division."""
    return DIVISIONS[code][1] if code in DIVISIONS else code


def section_name(letter: str) -> str:
    """A section's Chinese name, or the letter itself when it is no section."""
    return SECTIONS.get(letter, letter)


def divisions_of(section: str) -> list[tuple[str, str]]:
    """(code, name) of a section's divisions, in the standard's order."""
    return [(code, name) for code, (letter, name) in DIVISIONS.items() if letter == section]
