"""Tokens, the error shape, pagination, OpenAPI, unit scoping."""
from __future__ import annotations

from datetime import timedelta

from caseflow import clock
from caseflow.extensions import db
from caseflow.models import ApiToken
from tests import factories


def test_token_issue_and_use(client):
    user = factories.user("officer")
    response = client.post("/api/v1/tokens", json={"username": user.username, "password": factories.PASSWORD})
    assert response.status_code == 201
    token = response.json["token"]
    assert db.session.query(ApiToken).one().token_hash != token  # only the digest is stored
    factories.unit(name="甲村")
    listing = client.get("/api/v1/units", headers={"Authorization": f"Bearer {token}"})
    assert listing.status_code == 200
    assert set(listing.json) >= {"items", "total", "page"}
    assert set(listing.json["items"][0]) >= {"id", "code", "name", "kind", "colour"}


def test_wrong_credentials_give_401_in_error_shape(client):
    factories.user("officer", username="someone")
    response = client.post("/api/v1/tokens", json={"username": "someone", "password": "nope"})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"
    assert response.json["error"]["message"]


def test_malformed_json_is_400_and_missing_field_422(client):
    response = client.post("/api/v1/tokens", data="{not json", content_type="application/json")
    assert response.status_code == 400 and response.json["error"]["code"] == "bad_request"
    response = client.post("/api/v1/tokens", json={"username": "x"})
    assert response.status_code == 422
    assert response.json["error"] == {"code": "invalid_field", "field": "password",
                                      "message": response.json["error"]["message"]}


def test_missing_malformed_and_expired_tokens(client, api_token):
    assert client.get("/api/v1/units").status_code == 401
    assert client.get("/api/v1/units", headers={"Authorization": "Bearer nonsense"}).status_code == 401
    assert client.get("/api/v1/units", headers={"Authorization": "Basic abc"}).status_code == 401
    headers = api_token("officer")
    row = db.session.query(ApiToken).one()
    row.expires_at = clock.now() - timedelta(seconds=1)
    db.session.commit()
    response = client.get("/api/v1/units", headers=headers)
    assert response.status_code == 401 and response.json["error"]["code"] == "unauthorized"


def test_filters_and_pagination(client, api_token):
    for i in range(5):
        factories.unit(name=f"村{i}")
    factories.unit(name="某局", kind="agency", peer_group="agency")
    headers = api_token("supervisor")
    page = client.get("/api/v1/units?kind=village&per_page=2&page=2", headers=headers).json
    assert page["total"] == 5 and page["page"] == 2 and len(page["items"]) == 2
    assert client.get("/api/v1/units?q=某局", headers=headers).json["total"] == 1
    bad = client.get("/api/v1/units?page=0", headers=headers)
    assert bad.status_code == 422 and bad.json["error"]["field"] == "page"


def test_unit_leader_sees_only_own_unit(client, api_token):
    other = factories.unit(name="别的村")
    headers = api_token("unit_leader")
    listing = client.get("/api/v1/units", headers=headers).json
    assert listing["total"] == 1 and listing["items"][0]["id"] != other.id
    own_id = listing["items"][0]["id"]
    assert client.get(f"/api/v1/units/{own_id}", headers=headers).status_code == 200
    response = client.get(f"/api/v1/units/{other.id}", headers=headers)
    assert response.status_code == 403 and response.json["error"]["code"] == "forbidden"


def test_monitor_cannot_list_units_and_unknown_unit_is_404(client, api_token):
    assert client.get("/api/v1/units", headers=api_token("monitor")).status_code == 403
    response = client.get("/api/v1/units/987654", headers=api_token("officer"))
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/tokens" in spec["paths"] and "/api/v1/units/{unit_id}" in spec["paths"]
    assert "bearer" in spec["components"]["securitySchemes"]


def test_unknown_api_route_is_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
