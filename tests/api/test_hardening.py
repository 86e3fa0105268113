"""Issue 12, the API's input and answers: one-line texts, time zones, strict numbers and choices, one
404 text, 403 for staff on a party's write, Idempotency-Key on every creating POST and on fund,
body limits and malformed bodies, unknown paths, and the staff console for someone not staff.

Everything goes through the URLconf with Django's test client (the server path a client uses).
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from django.test import Client

from chukai.common.text import time_zones
from tests.conftest import Api, make_contract, signup
from tests.stories.helpers import say

pytestmark = pytest.mark.django_db


def _problem(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, (r.status_code, r.content[:500])
    assert r["Content-Type"].startswith("application/problem+json"), r["Content-Type"]
    body: dict[str, Any] = r.json()
    assert body["status"] == status and body["code"], body
    return body


_seq = itertools.count(1)


def _signup_body(**extra: Any) -> dict[str, Any]:
    n = next(_seq)
    return {"email": f"strict{n}@example.com", "password": "correct horse battery", "display_name": "山田", **extra}


# --- 1. one-line texts refuse control characters; multi-line texts keep only tab and line breaks ---


@pytest.mark.parametrize(
    "name",
    ["山田\n太郎", "山田\r", "a\tb", "\x1b[31mred", "x\x7f", "x\x85y", "evil\u202etxt.exe", "a\u2066b", "a\u2028b"],
)
def test_display_name_refuses_control_and_direction_characters(name: str) -> None:
    r = Api().post("/api/auth/signup", _signup_body(display_name=name))
    assert list(_problem(r, 422)["fields"]) == ["display_name"]


def test_blank_display_name_is_refused_and_plain_one_is_taken() -> None:
    assert list(_problem(Api().post("/api/auth/signup", _signup_body(display_name="\u3000 ")), 422)["fields"]) == [
        "display_name"
    ]
    r = Api().post("/api/auth/signup", _signup_body(display_name="山田 太郎 (Yamada)"))
    assert r.status_code == 201 and r.json()["display_name"] == "山田 太郎 (Yamada)"


def test_titles_are_one_line_and_messages_keep_line_breaks(client_api: Api, worker_api: Api) -> None:
    job = {"title": "翻訳\nBcc: x@example.com", "description": "英日\n二行目", "budget_jpy": 1000, "pricing": "fixed"}
    assert list(_problem(client_api.post("/api/jobs", job), 422)["fields"]) == ["title"]
    job["title"] = "翻訳"
    assert client_api.post("/api/jobs", job).status_code == 201  # a description may have lines
    c = make_contract(client_api, worker_api)
    cid = c["id"]
    plan = {"milestones": [{"title": "本文\u202e", "amount_jpy": 1000}]}
    assert list(_problem(client_api.post(f"/api/contracts/{cid}/plan-changes", plan), 422)["fields"]) == [
        "milestones[0].title"
    ]
    r = client_api.post(f"/api/contracts/{cid}/messages", {"body": "一行目\r\n二行目\tタブ"})
    assert r.status_code == 201 and r.json()["body"] == "一行目\n二行目\tタブ"
    r = client_api.post(f"/api/contracts/{cid}/messages", {"body": "bell\x07"})
    assert list(_problem(r, 422)["fields"]) == ["body"]


def test_web_forms_use_the_same_text_rules(db: Any) -> None:
    r = Client().post(
        "/signup",
        {
            "email": "webstrict@example.com",
            "display_name": "evil\u202etxt",
            "password": "correct horse battery",
            "locale": "ja",
            "time_zone": "Asia/Tokyo",
        },
    )
    assert r.status_code == 422 and "display_name" in r.context["form"].errors
    r = Client().post(
        "/signup",
        {
            "email": "webstrict@example.com",
            "display_name": "山田",
            "password": "correct horse battery",
            "locale": "ja",
            "time_zone": "right/UTC",
        },
    )
    assert r.status_code == 422 and "time_zone" in r.context["form"].errors


# --- 2. time zones: canonical IANA names only -------------------------------------------------------


@pytest.mark.parametrize("zone", ["localtime", "Factory", "posixrules", "right/UTC", "posix/Asia/Tokyo", "Mars/Base"])
def test_non_canonical_time_zones_are_refused(zone: str) -> None:
    body = _problem(Api().post("/api/auth/signup", _signup_body(time_zone=zone)), 422)
    assert list(body["fields"]) == ["time_zone"]


def test_canonical_time_zones_are_taken_and_documented() -> None:
    assert "Asia/Tokyo" in time_zones() and "UTC" in time_zones() and "localtime" not in time_zones()
    r = Api().post("/api/auth/signup", _signup_body(time_zone="Europe/Berlin"))
    assert r.status_code == 201, r.content
    doc = Client().get("/api/openapi.json").json()
    assert set(doc["components"]["schemas"]["SignupIn"]["properties"]["time_zone"]["enum"]) == set(time_zones())


# --- 3. strict numbers, choices and ranges --------------------------------------------------------


@pytest.mark.parametrize("budget", ["100", True, 1.5, 0, 100_000_001, None])
def test_yen_is_a_json_integer_in_range(client_api: Api, budget: Any) -> None:
    job = {"title": "翻訳", "description": "英日", "budget_jpy": budget, "pricing": "fixed"}
    assert list(_problem(client_api.post("/api/jobs", job), 422)["fields"]) == ["budget_jpy"]


def test_choices_unknown_fields_and_stars(client_api: Api, worker_api: Api) -> None:
    job = {"title": "翻訳", "description": "英日", "budget_jpy": 1000, "pricing": "weekly"}
    assert list(_problem(client_api.post("/api/jobs", job), 422)["fields"]) == ["pricing"]
    job = {"title": "翻訳", "description": "英日", "budget_jpy": 1000, "pricing": "fixed", "budget": 5}
    assert list(_problem(client_api.post("/api/jobs", job), 422)["fields"]) == ["budget"]  # a misspelt field
    cid = make_contract(client_api, worker_api)["id"]
    for stars in (True, "5", 0, 6):
        r = client_api.post(f"/api/contracts/{cid}/ratings", {"stars": stars, "comment": ""})
        assert list(_problem(r, 422)["fields"]) == ["stars"], stars
    r = client_api.post(f"/api/contracts/{cid}/termination-requests", {"reason": "都合", "pay_worker_jpy": "0"})
    assert list(_problem(r, 422)["fields"]) == ["pay_worker_jpy"]


def test_ranges_and_choices_are_in_the_openapi_document() -> None:
    schemas = Client().get("/api/openapi.json").json()["components"]["schemas"]
    budget = schemas["JobIn"]["properties"]["budget_jpy"]
    assert budget == {"maximum": 100_000_000, "minimum": 1, "title": "Budget Jpy", "type": "integer"}
    assert schemas["JobIn"]["properties"]["pricing"]["enum"] == ["fixed", "hourly"]
    assert schemas["RatingIn"]["properties"]["stars"]["maximum"] == 5
    assert schemas["JobIn"]["additionalProperties"] is False
    assert "pattern" in schemas["SignupIn"]["properties"]["display_name"]


# --- 4. one 404 text: someone else's object and a missing id answer alike --------------------------


def _other_world(clock: Any) -> dict[str, Any]:
    """A contract of two other people with one of everything a stranger could look up."""
    client, worker = signup(), signup()
    c = make_contract(
        client, worker, milestones=[{"title": "前半", "amount_jpy": 10_000}, {"title": "後半", "amount_jpy": 20_000}]
    )
    cid, mids = c["id"], [m["id"] for m in c["milestones"]]
    assert client.post(f"/api/contracts/{cid}/milestones/{mids[0]}/fund").status_code == 200
    say(worker, cid, "よろしくお願いします")
    clock.advance(days=7)
    reminder = worker.post(f"/api/contracts/{cid}/contact-reminders")
    assert reminder.status_code == 201, reminder.content
    case = worker.post(f"/api/contracts/{cid}/support-cases", {"kind": "other", "body": "相談"}).json()
    c2 = make_contract(client, worker)
    assert client.post(f"/api/contracts/{c2['id']}/milestones/{c2['milestones'][0]['id']}/fund").status_code == 200
    term = client.post(f"/api/contracts/{c2['id']}/termination-requests", {"reason": "予定変更"})
    assert term.status_code == 201, term.content
    c3 = make_contract(
        client, worker, milestones=[{"title": "前半", "amount_jpy": 10_000}, {"title": "後半", "amount_jpy": 20_000}]
    )
    due = worker.post(f"/api/contracts/{c3['id']}/due-date-changes", {"due_date": "2027-12-31"})
    assert due.status_code == 201, due.content
    plan = client.post(
        f"/api/contracts/{c3['id']}/plan-changes", {"milestones": [{"title": "後半", "amount_jpy": 20_000}]}
    )
    assert plan.status_code == 201, plan.content
    return {
        "contract": cid,
        "milestone": mids[1],
        "due": due.json()["id"],
        "plan": plan.json()["id"],
        "reminder": reminder.json()["id"],
        "case": case["id"],
        "term": term.json()["id"],
    }


CALLS = [
    ("GET", "/api/contracts/{contract}"),
    ("GET", "/api/contracts/{contract}/timeline"),
    ("GET", "/api/contracts/{contract}/messages"),
    ("POST", "/api/contracts/{contract}/messages"),
    ("GET", "/api/contracts/{contract}/reachability"),
    ("POST", "/api/contracts/{contract}/milestones/{milestone}/fund"),
    ("POST", "/api/contracts/{contract}/milestones/{milestone}/deliver"),
    ("POST", "/api/due-date-changes/{due}/accept"),
    ("POST", "/api/due-date-changes/{due}/decline"),
    ("POST", "/api/plan-changes/{plan}/accept"),
    ("POST", "/api/plan-changes/{plan}/decline"),
    ("GET", "/api/contact-reminders/{reminder}"),
    ("GET", "/api/termination-requests/{term}"),
    ("POST", "/api/termination-requests/{term}/agree"),
    ("POST", "/api/termination-requests/{term}/decline"),
    ("POST", "/api/termination-requests/{term}/withdraw"),
    ("GET", "/api/support-cases/{case}"),
    ("POST", "/api/support-cases/{case}/escalate"),
    ("GET", "/api/contracts/{contract}/ratings"),
]
BODIES = {"/messages": {"body": "こんにちは"}}


def test_someone_elses_object_and_a_missing_one_answer_the_same(clock: Any) -> None:
    ids = _other_world(clock)
    stranger = signup("stranger")
    missing = {k: 10**9 + i for i, k in enumerate(ids)}
    for method, path in CALLS:
        body = next((b for suffix, b in BODIES.items() if path.endswith(suffix)), {}) if method == "POST" else None
        answers = []
        for values in (ids, missing):
            url = path.format(**values)
            if method == "GET":
                r = stranger.get(url)
            else:
                r = stranger.post(url, body)
            answers.append(_problem(r, 404))
        assert answers[0] == answers[1], (method, path, answers)


# --- 5. staff on a write only a party may make: 403 ------------------------------------------------


def test_staff_get_403_on_party_writes_they_can_read(clock: Any, staff_api: Api) -> None:
    ids = _other_world(clock)
    writes = [
        ("/api/contracts/{contract}/milestones/{milestone}/fund", None),
        ("/api/contracts/{contract}/milestones/{milestone}/deliver", {}),
        ("/api/contracts/{contract}/milestones/{milestone}/accept", None),
        ("/api/contracts/{contract}/milestones/{milestone}/request-revision", {"reason": "直して"}),
        ("/api/contracts/{contract}/due-date-changes", {"due_date": "2028-01-31"}),
        ("/api/due-date-changes/{due}/accept", None),
        ("/api/due-date-changes/{due}/decline", None),
        ("/api/contracts/{contract}/plan-changes", {"milestones": [{"title": "後半", "amount_jpy": 20_000}]}),
        ("/api/plan-changes/{plan}/accept", None),
        ("/api/plan-changes/{plan}/decline", None),
        ("/api/contracts/{contract}/messages", {"body": "事務局です"}),
        ("/api/contracts/{contract}/messages/read", None),
        ("/api/contracts/{contract}/contact-reminders", None),
        ("/api/contracts/{contract}/termination-requests", {"reason": "事務局"}),
        ("/api/termination-requests/{term}/agree", None),
        ("/api/termination-requests/{term}/decline", None),
        ("/api/termination-requests/{term}/withdraw", None),
        ("/api/contracts/{contract}/support-cases", {"kind": "other", "body": "事務局"}),
        ("/api/contracts/{contract}/ratings", {"stars": 5, "comment": ""}),
    ]
    assert staff_api.get(f"/api/contracts/{ids['contract']}").status_code == 200  # staff read it
    for path, body in writes:
        r = staff_api.post(path.format(**ids), body)
        assert _problem(r, 403)["code"] == "forbidden", (path, r.content)


# --- 6. Idempotency-Key: fund honours it; the same key with another body is refused -----------------


def test_fund_with_a_repeated_key_pays_once(client_api: Api, worker_api: Api) -> None:
    c = make_contract(client_api, worker_api)
    url = f"/api/contracts/{c['id']}/milestones/{c['milestones'][0]['id']}/fund"
    first = client_api.post(url, None, headers={"Idempotency-Key": "fund-1"})
    assert first.status_code == 200, first.content
    balance = client_api.get("/api/me").json()["balance_jpy"]
    again = client_api.post(url, None, headers={"Idempotency-Key": "fund-1"})
    assert again.status_code == 200 and again.json() == first.json()
    assert client_api.get("/api/me").json()["balance_jpy"] == balance
    without = client_api.post(url)  # no key: a second fund is a rule refusal, as before
    assert _problem(without, 409)["code"] == "invalid_state"


def test_same_key_with_another_body_is_refused(client_api: Api) -> None:
    job = {"title": "翻訳", "description": "英日", "budget_jpy": 1000, "pricing": "fixed"}
    first = client_api.post("/api/jobs", job, headers={"Idempotency-Key": "job-1"})
    assert first.status_code == 201
    same = client_api.post("/api/jobs", json.dumps(job, indent=2, sort_keys=True), headers={"Idempotency-Key": "job-1"})
    assert same.status_code == 201 and same.json() == first.json()  # the same request, spelled otherwise
    other = client_api.post("/api/jobs", {**job, "budget_jpy": 999_999}, headers={"Idempotency-Key": "job-1"})
    assert _problem(other, 422)["code"] == "idempotency_key_reused"
    assert len(client_api.get("/api/jobs").json()) == 1


def test_signup_replay_needs_the_same_request() -> None:
    body = _signup_body(display_name="最初")
    first = Api().post("/api/auth/signup", body, headers={"Idempotency-Key": "signup-1"})
    assert first.status_code == 201
    replay = Api().post("/api/auth/signup", body, headers={"Idempotency-Key": "signup-1"})
    assert replay.status_code == 201 and replay.json() == first.json()
    for change in ({"password": "another horse battery"}, {"display_name": "別人"}, {"locale": "en"}):
        other = Api().post("/api/auth/signup", {**body, **change}, headers={"Idempotency-Key": "signup-1"})
        assert "Idempotency-Key" in _problem(other, 422)["fields"], change


# --- 7. body limits, malformed bodies, unknown paths -------------------------------------------------


def test_body_over_the_limit_is_a_413_problem(client_api: Api, settings: Any) -> None:
    big = {
        "title": "x",
        "description": "y" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10),
        "budget_jpy": 1,
        "pricing": "fixed",
    }
    assert _problem(client_api.post("/api/jobs", big), 413)["code"] == "too_large"
    r = client_api.client.post(
        "/api/auth/token",
        data="{}",
        content_type="application/json",
        CONTENT_LENGTH=str(settings.CHUKAI_API_MAX_BODY_BYTES + 1),
    )
    assert _problem(r, 413)["code"] == "too_large"


def test_malformed_json_and_multipart_are_422_problems(client_api: Api, worker_api: Api) -> None:
    cid = make_contract(client_api, worker_api)["id"]
    for raw in ("{not json", "[1, 2", '{"body": "x"', "\xff"):
        r = client_api.client.post(
            f"/api/contracts/{cid}/messages",
            data=raw.encode("latin-1"),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {client_api.token}",
        )
        assert _problem(r, 422)["code"] == "invalid", raw
    for ctype, raw in (
        (
            "multipart/form-data; boundary=XYZ",
            b'--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n',
        ),
        ("multipart/form-data", b"no boundary at all"),
        ("multipart/form-data; boundary=" + "b" * 100, b"--x"),
    ):
        r = client_api.client.post(
            f"/api/contracts/{cid}/attachments",
            data=raw,
            content_type=ctype,
            HTTP_AUTHORIZATION=f"Bearer {client_api.token}",
        )
        assert r.status_code in (422,), (ctype, r.status_code, r.content[:300])
        assert r["Content-Type"].startswith("application/problem+json")


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "GET"])
def test_unknown_api_path_is_a_404_problem_even_without_a_csrf_token(method: str) -> None:
    client = Client(enforce_csrf_checks=True)
    r = client.generic(method, "/api/no-such-thing/42", data="{}", content_type="application/json")
    assert _problem(r, 404)["code"] == "not_found"


# --- 8. the staff console for someone signed in but not staff ---------------------------------------


def test_staff_console_is_a_403_page_for_a_signed_in_non_staff_user(db: Any) -> None:
    from chukai.accounts.models import User

    User.objects.create_user("notstaff@example.com", "correct horse battery", display_name="一般")
    c = Client()
    assert c.login(username="notstaff@example.com", password="correct horse battery")
    assert c.get("/staff/").status_code == 403
    assert c.get("/staff/dashboard").status_code == 403
    anonymous = Client().get("/staff/")
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]


def test_web_milestone_lines_are_one_line_titles(client_api: Api) -> None:
    job = client_api.post("/api/jobs", {"title": "翻訳", "description": "英日", "budget_jpy": 2000, "pricing": "fixed"})
    web = Client()
    r = web.post(
        "/signup",
        {
            "email": "webworker@example.com",
            "display_name": "作業者",
            "password": "correct horse battery",
            "locale": "ja",
            "time_zone": "Asia/Tokyo",
        },
    )
    assert r.status_code == 302
    url = f"/jobs/{job.json()['id']}/propose"
    bad = web.post(url, {"amount_jpy": "2000", "message": "できます", "milestones": "前半\u202e, 1000\n後半, 1000"})
    assert bad.status_code == 422 and "milestones" in bad.context["form"].errors
    good = web.post(url, {"amount_jpy": "2000", "message": "できます", "milestones": "前半, 1000\r\n後半, 1000"})
    assert good.status_code == 302
