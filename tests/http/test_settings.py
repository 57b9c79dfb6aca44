"""Campus settings through the API: everyone reads the campus facts, planners change them."""

from __future__ import annotations

from sqlalchemy import select, text

from models import entities as e
from models.db import session_scope
from models.settings import load_settings
from tests.http.conftest import Api

PATH = "/api/v1/settings"


def _read(api: Api, who: str = "planner") -> tuple[dict, str]:
    response = api.client.get(PATH, headers=api.headers(who))
    assert response.status_code == 200, response.text
    return response.json(), response.headers["ETag"]


def _patch(api: Api, body: object, etag: str | None, who: str = "planner"):
    headers = api.headers(who)
    if etag is not None:
        headers["If-Match"] = etag
    return api.client.patch(PATH, headers=headers, json=body)


def test_a_campus_that_never_saved_reads_the_defaults(api: Api) -> None:
    body, etag = _read(api)
    assert body["horizon_weeks"] == 6
    assert body["school_year"] is None
    assert body["targets"] == {"vmbo_pupils": 600, "mbo_students": 800, "job_seekers": 50}
    assert body["mail"]["enabled"] is False
    assert etag == '"0"'


def test_other_keys_read_the_campus_facts_but_not_the_mail_settings(api: Api) -> None:
    for who in ("company", "school", "trainer"):
        body, _ = _read(api, who)
        assert body["mail"] is None, who
        assert body["withdrawal_cutoff_working_days"] == 10, who


def test_a_patch_changes_only_what_it_names_inside_sections_too(api: Api) -> None:
    _, etag = _read(api)
    response = _patch(
        api,
        {"school_year": {"first": "2026-08-24", "last": "2027-07-16"},
         "targets": {"vmbo_pupils": 650}},
        etag,
    )  # fmt: skip
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["targets"] == {"vmbo_pupils": 650, "mbo_students": 800, "job_seekers": 50}
    assert body["school_year"] == {"first": "2026-08-24", "last": "2027-07-16"}
    assert body["horizon_weeks"] == 6
    assert response.headers["ETag"] != etag
    with session_scope(api.engine) as session:
        assert load_settings(session).targets.vmbo_pupils == 650
        audit = session.scalars(select(e.AuditEvent)).all()
        assert [(a.entity, a.entity_key, a.action, a.actor_label) for a in audit] == [
            ("settings", "campus", "update", "Planbureau")
        ]
        assert audit[0].changes == {
            "school_year.first": [None, "2026-08-24"],
            "school_year.last": [None, "2027-07-16"],
            "targets.vmbo_pupils": [600, 650],
        }


def test_if_match_is_required_and_a_stale_one_writes_nothing(api: Api) -> None:
    _, etag = _read(api)
    assert _patch(api, {"horizon_weeks": 8}, None).status_code == 428
    assert _patch(api, {"horizon_weeks": 8}, etag).status_code == 200
    stale = _patch(api, {"horizon_weeks": 9}, etag)
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    assert _read(api)[0]["horizon_weeks"] == 8


def test_only_planners_change_settings(api: Api) -> None:
    for who in ("company", "school", "trainer"):
        assert _patch(api, {"horizon_weeks": 8}, "*", who).status_code == 403, who
    assert _read(api)[0]["horizon_weeks"] == 6


def test_bad_settings_are_refused_with_the_path_and_nothing_is_written(api: Api) -> None:
    _, etag = _read(api)
    cases = [
        ({"horizon_weeks": 0}, "$.horizon_weeks"),
        ({"horizon_weeks": "six"}, "$.horizon_weeks"),
        ({"horizon_weeks": True}, "$.horizon_weeks"),
        ({"horizon_weeks": 7.5}, "$.horizon_weeks"),
        ({"mail": {"enabled": "yes"}}, "$.mail.enabled"),
        ({"targets": {"vmbo_pupils": -1}}, "$.targets.vmbo_pupils"),
        ({"school_year": {"first": "2027-07-16", "last": "2026-08-24"}}, "$.school_year"),
        ({"school_year": {"first": "2026-08-24"}}, "$.school_year.last"),
        ({"school_year": {"first": 20260824, "last": "2027-07-16"}}, "$.school_year.first"),
        ({"mail": {"enabled": True}}, "$.mail"),
        ({"mail": {"sender": "not an address"}}, "$.mail"),
        ({"mail": {"smtp_port": 70000}}, "$.mail.smtp_port"),
        ({"mail": {"password_env": "lower case"}}, "$.mail"),
        ({"colour": "blue"}, "$.colour"),
        ([1, 2], "$"),
    ]
    for body, path in cases:
        response = _patch(api, body, etag)
        assert response.status_code == 422, (body, response.text)
        assert [err["path"] for err in response.json()["errors"]] == [path], body
    assert _read(api)[1] == etag


def test_a_password_is_refused_and_never_stored_shown_or_audited(api: Api) -> None:
    _, etag = _read(api)
    for body in ({"mail": {"password": "hunter2-geheim"}}, {"password": "hunter2-geheim"}):
        response = _patch(api, body, etag)
        assert response.status_code == 422
        assert "environment variable" in response.json()["detail"]
        assert "hunter2" not in response.text
    ok = _patch(
        api,
        {"mail": {"enabled": True, "smtp_host": "smtp.example.org",
                  "sender": "planning@tic.example", "password_env": "CAMPUS_SMTP_PASSWORD"}},
        etag,
    )  # fmt: skip
    assert ok.status_code == 200, ok.text
    assert ok.json()["mail"]["password_env"] == "CAMPUS_SMTP_PASSWORD"
    with api.engine.connect() as conn:
        dump = " ".join(
            str(row)
            for table in ("campus_settings", "audit_events")
            for row in conn.execute(text(f"SELECT * FROM {table}"))
        )
    assert "hunter2" not in dump


def test_null_unsets_the_school_year(api: Api) -> None:
    _, etag = _read(api)
    set_ = _patch(api, {"school_year": {"first": "2026-08-24", "last": "2027-07-16"}}, etag)
    unset = _patch(api, {"school_year": None}, set_.headers["ETag"])
    assert unset.status_code == 200, unset.text
    assert unset.json()["school_year"] is None
