"""Deterministic Chinese names for demo units and people."""
from __future__ import annotations

import random

TOWNS = ["招宝山街道", "蛟川街道", "骆驼街道", "庄市街道", "贵驷街道", "澥浦镇", "九龙湖镇"]
AGENCIES = [
    "区委办公室", "区政府办公室", "区委组织部", "区委宣传部", "区委统战部", "区委政法委", "区人大常委会办公室",
    "区政协办公室", "区发展和改革局", "区教育局", "区科学技术局", "区经济和信息化局", "区公安分局", "区民政局",
    "区司法局", "区财政局", "区人力资源和社会保障局", "区自然资源和规划分局", "区生态环境分局", "区住房和城乡建设局",
    "区交通运输局", "区农业农村局", "区水利局", "区商务局", "区文化广电旅游体育局", "区卫生健康局",
    "区退役军人事务局", "区应急管理局", "区审计局", "区市场监督管理局", "区统计局", "区医疗保障局",
    "区综合行政执法局", "区信访局", "区行政审批服务局", "区机关事务管理局", "区人民防空办公室", "区供销合作社",
    "区总工会", "团区委", "区妇女联合会", "区科学技术协会", "区残疾人联合会", "区归国华侨联合会", "区工商业联合会",
    "区红十字会", "区融媒体中心", "区委党校", "区档案馆", "区人民法院", "区人民检察院", "区税务局",
    "区国有资产管理中心", "区投资促进中心", "区大数据发展中心", "区公共资源交易中心",
]
STATION_KINDS = ["财政所", "国土资源所", "派出所", "市场监管所", "司法所"]
ENTERPRISES = [
    "区城市建设投资集团", "区交通投资集团", "区水务集团", "区国有资产投资公司", "区开发投资公司",
    "区港务集团", "区文化旅游集团", "区农业发展有限公司", "区建设工程集团",
]
_VILLAGE_A = "东西南北上下前后新老大小金银清石桥湾塘河山林田沙庙庄岙浦"
_VILLAGE_B = "联民丰胜光明兴华和安平宁海湖塘浦岭港家园"
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段漕钱汤尹黎易常武乔贺赖龚文"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强海燕德明国平文斌春梅晓东红霞永军"


def village_names(rng: random.Random, n: int, suffix: str) -> list[str]:
    """``n`` distinct two-character place names with ``suffix`` (村 / 社区)."""
    seen: set[str] = set()
    names: list[str] = []
    while len(names) < n:
        name = rng.choice(_VILLAGE_A) + rng.choice(_VILLAGE_B) + suffix
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def person(rng: random.Random) -> str:
    """A plausible Chinese personal name."""
    given = rng.choice(_GIVEN) + (rng.choice(_GIVEN) if rng.random() < 0.6 else "")
    return rng.choice(_SURNAMES) + given[:2]
