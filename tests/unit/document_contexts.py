"""Sample contexts for every document kind, modelled on the Zhenhai seed article.

Used by tests/unit/test_documents.py and handy for rendering samples by hand.
"""
from __future__ import annotations

ORGAN = "中共宁波市镇海区纪律检查委员会"

NOTICE = {
    "organ": ORGAN,
    "number": "镇纪预告〔2026〕12号",
    "unit_name": "骆驼街道荣吉村村民委员会",
    "case_number": "YJ-2026-0012",
    "title": "村级工程项目未按规定公开招标",
    "findings": (
        "经廉情监测站点直报和区审计局审计监督反映，你村2026年上半年实施的村道拓宽工程"
        "（合同金额48.6万元）未经村民代表会议讨论，也未按规定进入镇公共资源交易平台公开招标，"
        "直接委托施工，工程款已支付32万元。\n"
        "村务公开栏中该工程的预算、合同和付款情况均未公开，群众通过96178廉政投诉中心多次反映。"
    ),
    "requirements": (
        "立即暂停该工程后续付款，对工程发包过程进行自查，形成书面自查报告。\n"
        "按照“四议两公开”的要求补办民主决策程序，并在村务公开栏公开工程预算、合同和付款情况。\n"
        "健全村级小型工程项目管理制度，明确发包方式、审批权限和监督责任。"
    ),
    "severity_label": "橙色预警",
    "rectify_workdays": 20,
    "rectify_due": "2026年10月23日",
    "ack_due": "2026年9月29日",
    "report_instructions": "整改完成后，请通过廉情预警信息管理平台提交整改报告，并附相关会议记录、公开照片等佐证材料；确有困难不能按期完成的，应在期限届满前书面说明理由。",
    "issued_on": "2026-09-24",
    "contact": "王晓东，0574-86271234",
}

RECEIPT = {
    "organ": ORGAN,
    "number": "镇纪预告〔2026〕12号",
    "document_title": "预警告知书（村级工程项目未按规定公开招标）",
    "unit_name": "骆驼街道荣吉村村民委员会",
    "delivered_at": "2026-09-25 10:32",
    "received_by": "李建国（村党总支书记）",
    "method_label": "系统签收",
    "note": "单位负责人已在廉情预警信息管理平台签收。",
    "officer": "王晓东",
}

RECOMMENDATION = {
    "organ": ORGAN,
    "number": "镇纪预建〔2027〕7号",
    "unit_name": "区住房和城乡建设局",
    "year": 2026,
    "grade": "C",
    "colour_label": "红色",
    "warning_level": "红色预警",
    "index": 58.4,
    "quarters": [
        {"quarter": 1, "index": 71.2, "colour_label": "橙色"},
        {"quarter": 2, "index": 63.5, "colour_label": "橙色"},
        {"quarter": 3, "index": 55.0, "colour_label": "红色"},
        {"quarter": 4, "index": 58.4, "colour_label": "红色"},
    ],
    "problems": [
        "工程建设领域廉政风险点防控措施落实不到位，控制性评价中2项内控制度未执行。",
        "年内发生党政纪处分1起，涉及中层干部违规收受管理服务对象礼金。",
        "相对人均行政成本偏离度高于同类单位平均水平。",
    ],
    "open_cases": [
        {"number": "YJ-2026-0031", "title": "保障性住房分配审核把关不严", "state_label": "整改中", "due": "2027-02-10"},
    ],
    "requirements": [
        "领导班子专题研究预警建议书反映的问题，制定整改方案，明确责任人和完成时限。",
        "对工程建设、行政审批等重点岗位开展廉政风险排查，完善防控措施。",
        "加强对干部的日常教育监督，落实党风廉政建设主体责任。",
    ],
    "reply_due": "2027-03-15",
    "issued_on": "2027-01-20",
}

SITUATION = {
    "organ": ORGAN,
    "colour_counts": {
        "green": 74, "orange": 116, "red": 6,
        "previous": {"green": 70, "orange": 117, "red": 9},
    },
    "turned_red": [
        {"unit_name": "招宝山街道城管中队", "index": 57.8},
        {"unit_name": "九龙湖镇汶溪村", "index": 55.2},
    ],
    "signals_by_channel": [
        {"label": "廉情监测站点直报", "count": 46},
        {"label": "96178廉政投诉中心", "count": 31},
        {"label": "信访举报", "count": 27},
        {"label": "领导干部下访接访约访", "count": 12},
        {"label": "区长值班电话和区长信箱", "count": 9},
        {"label": "市民服务热线", "count": 15},
        {"label": "网络论坛", "count": 8},
        {"label": "审计监督和其他监督", "count": 11},
    ],
    "signals_by_category": [
        {"label": "工程建设", "count": 38},
        {"label": "村务公开", "count": 29},
        {"label": "作风效能", "count": 41},
        {"label": "资金资产管理", "count": 25},
        {"label": "其他", "count": 26},
    ],
    "cases": {"opened": 34, "closed": 27, "overdue": 3, "escalated": 2},
    "top_categories": [
        {"label": "村级工程项目发包不规范", "count": 9},
        {"label": "村务、财务公开不及时不完整", "count": 7},
        {"label": "公务接待和公车使用不规范", "count": 5},
    ],
    "time_to_rectify": {"mean_days": 16.4, "median_days": 14},
    "summary_paragraphs": [
        "从本期情况看，全区廉情总体平稳，绿色单位数量有所增加，红色预警单位减少，"
        "预警告知书发出后绝大多数单位能够按期整改。",
        "但工程建设和村务公开领域的苗头性、倾向性问题仍较集中，个别单位整改不及时，"
        "需要通过廉政谈话和专门工作组跟踪督促。",
        "建议下一阶段重点加强对村级小型工程和“三资”管理的监督，进一步发挥廉情监测站点的前哨作用。",
    ],
}

QUARTERLY_REPORT = {
    **SITUATION,
    "number": "镇纪预析〔2026〕3号",
    "period_label": "2026年第三季度",
    "issued_on": "2026-10-12",
}

HALFYEAR_REVIEW = {
    **SITUATION,
    "number": "镇纪预研〔2026〕2号",
    "period_label": "2026年上半年",
    "issued_on": "2026-07-15",
}

CONTEXTS = {
    "notice": NOTICE,
    "receipt": RECEIPT,
    "recommendation": RECOMMENDATION,
    "quarterly_report": QUARTERLY_REPORT,
    "halfyear_review": HALFYEAR_REVIEW,
}

# What must appear verbatim in every format: (title, unit or addressee, number)
EXPECTED = {
    "notice": ("预警告知书", NOTICE["unit_name"], NOTICE["number"]),
    "receipt": ("送达回证", RECEIPT["unit_name"], RECEIPT["number"]),
    "recommendation": ("预警建议书", RECOMMENDATION["unit_name"], RECOMMENDATION["number"]),
    "quarterly_report": ("2026年第三季度廉情分析报告", ORGAN, QUARTERLY_REPORT["number"]),
    "halfyear_review": ("2026年上半年廉情形势研究报告", "区党风廉政建设领导小组", HALFYEAR_REVIEW["number"]),
}
