"""PATCH changes only what it names, needs the ETag it read, and every change is audited."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm.exc import StaleDataError

from models import entities as e
from models.db import session_scope
from tests.http.conftest import Api

PATH = "/api/v1/locations/ww-hal"


def _read(api: Api, who: str = "company") -> tuple[dict, str]:
    response = api.client.get(PATH, headers=api.headers(who))
    assert response.status_code == 200
    return response.json(), response.headers["ETag"]


def _patch(api: Api, body: dict, etag: str | None, who: str = "company"):
    headers = api.headers(who)
    if etag is not None:
        headers["If-Match"] = etag
    return api.client.patch(PATH, headers=headers, json=body)


def test_patch_changes_the_named_fields_and_keeps_every_other(api: Api) -> None:
    before, etag = _read(api)
    windows = api.client.get(PATH + "/availability", headers=api.headers("company")).json()
    response = _patch(api, {"capacity": 18, "address": "Nieuwe straat 1"}, etag)
    assert response.status_code == 200, response.text
    after = response.json()
    assert after["capacity"] == 18 and after["address"] == "Nieuwe straat 1"
    unchanged = {k: v for k, v in before.items() if k not in ("capacity", "address")}
    assert {k: after[k] for k in unchanged} == unchanged  # equipment, name, coordinates
    assert response.headers["ETag"] != etag
    again = api.client.get(PATH + "/availability", headers=api.headers("company")).json()
    assert again == windows


def test_a_change_without_if_match_is_428_and_a_stale_one_412(api: Api) -> None:
    _, etag = _read(api)
    missing = _patch(api, {"capacity": 18}, None)
    assert missing.status_code == 428
    assert "If-Match" in missing.json()["detail"]
    assert _patch(api, {"capacity": 17}, etag).status_code == 200
    stale = _patch(api, {"capacity": 16}, etag)
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    assert _read(api)[0]["capacity"] == 17  # the stale change wrote nothing


def test_two_writers_that_read_the_same_version_one_wins_one_gets_412(api: Api) -> None:
    """Both pass the If-Match check (they read before either wrote); the row version decides."""
    _, etag = _read(api)
    first = _patch(api, {"name": "Hal A"}, etag, who="company")
    second = _patch(api, {"name": "Hal B"}, etag, who="planner")
    assert (first.status_code, second.status_code) == (200, 412)
    assert _read(api)[0]["name"] == "Hal A"


def test_the_row_version_refuses_an_update_based_on_an_older_read(engine: Engine, api: Api) -> None:
    """The race the If-Match check cannot see: two transactions interleaved (SQLite, PostgreSQL)."""
    with session_scope(engine) as one, session_scope(engine) as two:
        a = one.scalars(select(e.Location).where(e.Location.key == "ww-hal")).one()
        b = two.scalars(select(e.Location).where(e.Location.key == "ww-hal")).one()
        assert a.version == b.version
        a.capacity = 11
        one.commit()
        b.capacity = 12
        with pytest.raises(StaleDataError):
            two.flush()
        two.rollback()
    assert _read(api)[0]["capacity"] == 11


def test_the_audit_says_who_changed_which_fields_from_what_to_what(api: Api) -> None:
    before, etag = _read(api)
    _patch(api, {"capacity": 18, "name": before["name"]}, etag)
    with session_scope(api.engine) as session:
        rows = session.scalars(select(e.AuditEvent)).all()
        assert [(r.entity, r.entity_key, r.action) for r in rows] == [
            ("location", "ww-hal", "update")
        ]
        assert rows[0].changes == {"capacity": [before["capacity"], 18]}  # name did not change
        assert (rows[0].actor_role, rows[0].actor_label) == ("company", "Sanne")
        assert "tic_" not in str(rows[0].changes)


def test_bad_patches_say_which_field_and_why(api: Api) -> None:
    _, etag = _read(api)
    cases = {
        "capacity": ({"capacity": 0}, "$.capacity"),
        "null": ({"name": None}, "$.name"),
        "unknown": ({"equipment": {}}, "$.equipment"),
        "type": ({"latitude": "north"}, "$.latitude"),
    }
    for name, (body, path) in cases.items():
        response = _patch(api, body, etag)
        assert response.status_code == 422, name
        assert [err["path"] for err in response.json()["errors"]] == [path], name
    assert _read(api)[1] == etag  # nothing was written
