"""Partners through the API: planners keep the register, a partner keeps its own entry."""

from __future__ import annotations

from sqlalchemy import select

from models import entities as e
from models.db import session_scope
from tests.http.conftest import Api

OWN = "/api/v1/partners/warmte-west"


def _read(api: Api, path: str = OWN, who: str = "company") -> tuple[dict, str]:
    response = api.client.get(path, headers=api.headers(who))
    assert response.status_code == 200, response.text
    return response.json(), response.headers["ETag"]


def _patch(api: Api, body: object, etag: str | None, who: str = "company", path: str = OWN):
    headers = api.headers(who)
    if etag is not None:
        headers["If-Match"] = etag
    return api.client.patch(path, headers=headers, json=body)


def test_each_key_lists_exactly_the_partners_it_may_see(api: Api) -> None:
    def keys(who: str, query: str = "") -> tuple[list[str], int]:
        body = api.client.get("/api/v1/partners" + query, headers=api.headers(who)).json()
        return [p["key"] for p in body["items"]], body["total"]

    assert keys("planner") == (["elektro-noord", "otib-like-fund", "vmbo-zuidoost",
                                "warmte-west"], 4)  # fmt: skip
    assert keys("planner", "?kind=company&limit=1&offset=1") == (["warmte-west"], 2)
    assert keys("company") == (["warmte-west"], 1)
    assert keys("school") == (["vmbo-zuidoost"], 1)
    assert keys("school", "?kind=company") == ([], 0)
    body, _ = _read(api, "/api/v1/partners/vmbo-zuidoost", "school")
    assert body["kind"] == "school" and body["language"] == "nl"


def test_a_company_updates_its_contact_and_language_and_nothing_else(api: Api) -> None:
    before, etag = _read(api)
    response = _patch(api, {"contact": {"phone": "020 555 0199"}, "language": "en"}, etag)
    assert response.status_code == 200, response.text
    after = response.json()
    assert after["contact"] == {**before["contact"], "phone": "020 555 0199"}
    assert after["language"] == "en"
    assert {k: after[k] for k in ("key", "name", "kind", "address")} == {
        k: before[k] for k in ("key", "name", "kind", "address")
    }
    with session_scope(api.engine) as session:
        audit = session.scalars(select(e.AuditEvent)).all()
        assert [(a.entity, a.entity_key, a.action, a.actor_role) for a in audit] == [
            ("partner", "warmte-west", "update", "company")
        ]
        assert audit[0].changes == {
            "contact_phone": ["020 555 0101", "020 555 0199"],
            "language": ["nl", "en"],
        }


def test_a_company_may_not_rename_itself_but_a_planner_may(api: Api) -> None:
    _, etag = _read(api)
    refused = _patch(api, {"name": "Warmte West Holding"}, etag)
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["path"] == "$.name"
    assert _patch(api, {"name": "Warmte West Holding"}, None).status_code == 403  # before 428
    renamed = _patch(api, {"name": "Warmte West Holding"}, etag, who="planner")
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "Warmte West Holding"


def test_if_match_is_required_and_a_stale_one_writes_nothing(api: Api) -> None:
    _, etag = _read(api)
    assert _patch(api, {"address": "Nieuw 1"}, None).status_code == 428
    assert _patch(api, {"address": "Nieuw 1"}, etag).status_code == 200
    assert _patch(api, {"address": "Nieuw 2"}, etag).status_code == 412
    assert _read(api)[0]["address"] == "Nieuw 1"


def test_a_planner_adds_a_partner_once(api: Api) -> None:
    body = {"key": "roc-west", "name": "ROC West", "kind": "school", "language": "en",
            "contact": {"name": "Ans", "email": "ans@roc-west.example"}}  # fmt: skip
    made = api.client.post("/api/v1/partners", headers=api.headers("planner"), json=body)
    assert made.status_code == 201, made.text
    assert made.headers["Location"] == "/api/v1/partners/roc-west"
    assert made.json()["contact"] == {"name": "Ans", "email": "ans@roc-west.example", "phone": ""}
    again = api.client.post("/api/v1/partners", headers=api.headers("planner"), json=body)
    assert again.status_code == 409
    for who in ("company", "school", "trainer"):
        other = {**body, "key": f"x-{who}"}
        answer = api.client.post("/api/v1/partners", headers=api.headers(who), json=other)
        assert answer.status_code == 403, who
    with session_scope(api.engine) as session:
        audit = session.scalars(select(e.AuditEvent)).one()
        assert (audit.entity, audit.entity_key, audit.action) == ("partner", "roc-west", "create")
        assert audit.changes["language"] == [None, "en"]
        assert audit.changes["kind"] == [None, "school"]


def test_bad_partner_input_names_the_field_and_writes_nothing(api: Api) -> None:
    _, etag = _read(api, who="planner")
    patches = [
        ({"kind": "school"}, "$.kind"),
        ({"key": "other"}, "$.key"),
        ({"language": "de"}, "$.language"),
        ({"name": None}, "$.name"),
        ({"name": "x" * 201}, "$.name"),
        ({"contact": {"phone": "1" * 51}}, "$.contact.phone"),
        ({"contact": {"fax": "1"}}, "$.contact.fax"),
        ({"address": "a\nb"}, "$.address"),
    ]
    for body, path in patches:
        response = _patch(api, body, etag, who="planner")
        assert response.status_code == 422, (body, response.text)
        assert [err["path"] for err in response.json()["errors"]] == [path], body
    posts = [
        ({"key": "bad key", "name": "X", "kind": "school"}, "$.key"),
        ({"key": "x", "name": "X", "kind": "bank"}, "$.kind"),
        ({"key": "x", "kind": "school"}, "$.name"),
    ]
    for body, path in posts:
        response = api.client.post("/api/v1/partners", headers=api.headers("planner"), json=body)
        assert response.status_code == 422, (body, response.text)
        assert [err["path"] for err in response.json()["errors"]] == [path], body
    assert _read(api, who="planner")[1] == etag
    with session_scope(api.engine) as session:
        assert session.scalars(select(e.AuditEvent)).all() == []
