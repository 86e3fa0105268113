"""A hidden rating leaks through nothing: every API GET, every page, the admin, any stored row."""

from __future__ import annotations

import re

from django.apps import apps
from django.db import models
from django.test import Client

from chukai.accounts.models import User
from chukai.api import api
from chukai.reputation.models import Rating
from tests.reputation.helpers import completed_contract, rate

SECRET = "SECRET-REVENGE-7f3a 二度と頼みません"
OWN_VIEW = "/api/contracts/{contract_id}/ratings"  # shows the author their own hidden rating


def _api_paths(contract_id: int, user_ids: list[int]) -> list[str]:
    out = []
    for path, ops in api.get_openapi_schema()["paths"].items():
        if "get" not in ops or "_clock" in path:
            continue
        names = set(re.findall(r"{(\w+)}", path))
        if names - {"contract_id", "user_id"}:
            continue  # other objects (reminders, cases …): they never carry a rating
        for uid in user_ids if "user_id" in names else [None]:
            out.append(path.replace("{contract_id}", str(contract_id)).replace("{user_id}", str(uid)))
    return out


def _page_paths(contract_id: int, user_ids: list[int]) -> list[str]:
    from chukai.web.urls import urlpatterns

    out = []
    for p in urlpatterns:
        route = str(p.pattern)
        names = set(re.findall(r"<(?:\w+:)?(\w+)>", route))
        if names - {"contract_id", "user_id"} or "logout" in route:
            continue  # (a GET of logout would end the session and blind the rest of the sweep)
        for uid in user_ids if "user_id" in names else [None]:
            route_ = re.sub(r"<(?:int:)?contract_id>", str(contract_id), route)
            out.append("/" + re.sub(r"<(?:int:)?user_id>", str(uid), route_))
    return out


def _stored_anywhere(text: str) -> list[str]:
    """Every row of every model but Rating itself that contains `text` in a text or JSON field."""
    hits = []
    for model in apps.get_models():
        if model is Rating:
            continue
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        if not fields:
            continue
        for row in model._default_manager.values_list(*fields):
            if any(text in str(v) for v in row):
                hits.append(model._meta.label)
    return hits


def test_hidden_rating_is_invisible_everywhere_until_revealed(client_api, worker_api, staff_api, notified):
    c = completed_contract(client_api, worker_api)
    cid = c["id"]
    users = [client_api.user_id, worker_api.user_id]
    r = rate(worker_api, cid, 1, SECRET)
    assert r.status_code == 201
    assert r.json()["comment"] == SECRET  # its author sees it

    # The JSON API, as the rated party, as staff, and as the author (but for the author's own view).
    checked = 0
    for viewer in (client_api, staff_api, worker_api):
        for path in _api_paths(cid, users):
            if viewer is worker_api and path == OWN_VIEW.format(contract_id=cid):
                continue
            resp = viewer.get(path)
            assert SECRET not in resp.content.decode(), path
            checked += resp.status_code == 200
    assert checked >= 10  # contract, timeline, ratings, profiles, me, notifications …
    for uid in users:
        p = client_api.get(f"/api/users/{uid}/profile").json()
        assert (p["rating_count"], p["rating_average"], p["ratings"]) == (0, None, [])
    assert client_api.get(f"/api/contracts/{cid}/ratings").json()["ratings"] == []
    assert staff_api.get(f"/api/contracts/{cid}/ratings").json()["ratings"] == []
    assert "rating" not in str([e["kind"] for e in client_api.get(f"/api/contracts/{cid}/timeline").json()])

    # The pages, as the rated party and as staff; and the staff console.
    for user_id in (client_api.user_id, None):
        browser = Client(raise_request_exception=False)
        user = User.objects.get(pk=user_id) if user_id else User.objects.get(is_staff=True)
        browser.force_login(user)
        shown = set()
        for path in _page_paths(cid, users):
            resp = browser.get(path)
            assert SECRET not in resp.content.decode(errors="replace"), path
            if resp.status_code == 200:
                shown.add(path)
        assert {f"/users/{worker_api.user_id}", f"/users/{client_api.user_id}", f"/contracts/{cid}"} <= shown
        if user.is_staff:
            for path in ("/admin/reputation/rating/", f"/admin/contracts/contract/{cid}/change/"):
                resp = browser.get(path)
                assert resp.status_code == 200, path
                assert SECRET not in resp.content.decode(), path

    # No notification, email or other stored row carries it, and nobody was told of a reveal.
    assert not [n for n in notified if n["kind"] == "ratings_revealed"]
    assert not [n for n in notified if SECRET in str(n)]
    assert _stored_anywhere(SECRET) == []

    # Once the other party rates, it is there for everyone.
    assert rate(client_api, cid, 4, "また機会があれば").status_code == 201
    assert SECRET in client_api.get(f"/api/users/{client_api.user_id}/profile").content.decode()
    assert client_api.get(f"/api/users/{client_api.user_id}/profile").json()["rating_average"] == 1.0
    assert SECRET in staff_api.get(f"/api/contracts/{cid}/ratings").content.decode()
