"""The public grade board: no login, published years only, grades only, in Chinese."""
from __future__ import annotations

from tests import factories
from tests import factories_display as fd


def _years():
    town = factories.unit(kind="town", name="骆驼街道", peer_group="town", principal_leader="张三丰")
    village = factories.unit(name="公开村", parent_id=town.id, principal_leader="李四光")
    fd.result(village, 2024, 0, 91.37, grade="A")
    fd.result(town, 2024, 0, 66.52, grade="C")
    fd.result(village, 2025, 0, 55.55, grade="C")   # computed, not published
    fd.year_status(2024, "published")
    fd.year_status(2025, "approved")
    fd.case(village, title="秘密案件标题")
    return town, village


def test_public_board_shows_published_grades_only(client):
    _years()
    response = client.get("/public/grades")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "公开村" in html and "骆驼街道" in html
    assert 'grade-A">A<' in html and 'grade-C">C<' in html
    assert 'lang="zh-CN"' in html
    # Grades only: no index, no people, no cases.
    for secret in ("91.37", "91.4", "66.52", "张三丰", "李四光", "秘密案件标题"):
        assert secret not in html
    # The approved-but-unpublished year is neither listed nor reachable.
    assert '<option value="2025"' not in html
    assert client.get("/public/grades?year=2025").status_code == 404


def test_public_board_with_nothing_published(client):
    village = factories.unit(name="未公开村")
    fd.result(village, 2025, 0, 90, grade="A")
    fd.year_status(2025, "computed")
    html = client.get("/public/grades").get_data(as_text=True)
    assert "未公开村" not in html
    assert client.get("/public/grades?year=2025").status_code in (200, 404)
    assert "未公开村" not in client.get("/public/grades?year=2025").get_data(as_text=True)


def test_public_board_filters_and_print_button(client):
    _years()
    html = client.get("/public/grades?year=2024&kind=village").get_data(as_text=True)
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    assert "公开村" in body and body.count("<tr>") == 1
    assert "data-print" in html and "js/print.js" in html


def test_public_board_stays_in_english_when_switched(client):
    _years()
    from tests.conftest import csrf_token

    token = csrf_token(client, "/public/grades")
    client.post("/lang", data={"lang": "en", "csrf_token": token, "next": "/public/grades"})
    assert 'lang="en"' in client.get("/public/grades").get_data(as_text=True)
