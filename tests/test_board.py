"""The three-colour board: colours, groups, filters, change marks, quarters, pagination, access."""
from __future__ import annotations

import re

from caseflow.selectors.board import board_page, change_mark
from caseflow.selectors.common import current_quarter
from tests import factories
from tests import factories_display as fd


def _district():
    town = factories.unit(kind="town", name="招宝山街道", peer_group="town", code="T01")
    green = factories.unit(name="绿水村", parent_id=town.id, code="V01")
    red = factories.unit(name="红旗村", parent_id=town.id, code="V02")
    agency = factories.unit(kind="agency", name="区财政局", peer_group="agency", code="A01")
    year, quarter = current_quarter()
    prev = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    fd.result(town, year, quarter, 80)
    fd.result(green, year, quarter, 90)
    fd.result(green, *prev, 75)          # orange -> green: up
    fd.result(red, year, quarter, 60)
    fd.result(red, *prev, 88)            # green -> red: down
    return {"town": town, "green": green, "red": red, "agency": agency, "year": year, "quarter": quarter,
            "prev": prev}


def test_board_shows_every_unit_coloured_and_grouped(login_as):
    d = _district()
    client = login_as("supervisor")
    html = client.get("/board/").get_data(as_text=True)
    assert "招宝山街道" in html and "区财政局" in html
    assert re.search(rf'class="tile c-green[^"]*" href="/units/{d["green"].id}', html)
    assert re.search(rf'class="tile c-red[^"]*" href="/units/{d["red"].id}', html)
    assert re.search(rf'class="tile c-none[^"]*" href="/units/{d["agency"].id}', html)
    # Counts per colour: 1 green, 1 orange (the town), 1 red, 1 not scored.
    counts = re.findall(r'class="sum c-(\w+)"><span class="sum-n">(\d+)', html)
    assert dict(counts) == {"green": "1", "orange": "1", "red": "1", "none": "1"}
    # Change marks since last quarter.
    assert html.count("chg-up") == 1 and html.count("chg-down") == 1
    # Villages sit under their town, agencies in their own group.
    assert html.index("招宝山街道") < html.index("绿水村") < html.index("区财政局")


def test_board_filters(login_as):
    d = _district()
    client = login_as("officer")
    html = client.get("/board/?colour=red").get_data(as_text=True)
    assert "红旗村" in html and "绿水村" not in html
    html = client.get(f"/board/?town={d['town'].id}").get_data(as_text=True)
    assert "绿水村" in html and "区财政局" not in html
    html = client.get("/board/?kind=agency").get_data(as_text=True)
    assert "区财政局" in html and "绿水村" not in html
    html = client.get("/board/?q=绿水").get_data(as_text=True)
    assert "绿水村" in html and "红旗村" not in html
    html = client.get("/board/?colour=none").get_data(as_text=True)
    assert "区财政局" in html and "红旗村" not in html


def test_past_quarter_selector(login_as):
    d = _district()
    client = login_as("auditor")
    y, q = d["prev"]
    html = client.get(f"/board/?period={y}-{q}").get_data(as_text=True)
    # Last quarter the red village was green and the green one orange.
    assert re.search(rf'class="tile c-green[^"]*" href="/units/{d["red"].id}', html)
    assert re.search(rf'class="tile c-orange[^"]*" href="/units/{d["green"].id}', html)
    assert f'value="{y}-{q}" selected' in html


def test_board_pages_groups_and_splits_large_groups(db):
    year, quarter = current_quarter()
    towns = [factories.unit(kind="town", peer_group="town", code=f"T{i:02d}") for i in range(3)]
    for i in range(25):
        unit = factories.unit(parent_id=towns[0].id, code=f"V{i:03d}")
        fd.result(unit, year, quarter, 50 + i * 2, commit=False)
    db.session.commit()
    board = board_page(year=year, quarter=quarter, tiles_per_page=10, groups_per_page=2)
    assert board.total == 28
    assert sum(len(g.tiles) for g in board.groups) <= 10
    seen = []
    for page in range(1, board.pages + 1):
        b = board_page(year=year, quarter=quarter, tiles_per_page=10, groups_per_page=2, page=page)
        assert len(b.groups) <= 2 and sum(len(g.tiles) for g in b.groups) <= 10
        seen += [t.id for g in b.groups for t in g.tiles]
    assert len(seen) == len(set(seen)) == 28


def test_change_mark():
    assert change_mark("green", "red") == "up"
    assert change_mark("red", "orange") == "down"
    assert change_mark("red", "red") is None and change_mark("red", None) is None


def test_board_is_internal(login_as, client):
    assert login_as("unit_leader").get("/board/").status_code == 403
    assert login_as("monitor").get("/board/").status_code == 403
    assert client.get("/board/").status_code == 302


def test_board_print_view(login_as):
    _district()
    response = login_as("supervisor").get("/board/print?colour=red")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "红旗村" in html and "绿水村" not in html
    assert '<table class="table compact print-group">' in html
