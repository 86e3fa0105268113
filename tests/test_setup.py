"""The setup steps the README promises."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from chukai.accounts.models import User
from tests.conftest import Api

pytestmark = pytest.mark.django_db


def test_createsuperuser_noinput_from_the_standard_environment(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "Boss@Example.com")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "staff pass phrase 2026")
    call_command("createsuperuser", "--noinput", stdout=io.StringIO(), stderr=io.StringIO())

    user = User.objects.get(email__iexact="boss@example.com")
    assert user.is_staff and user.is_superuser
    assert user.display_name  # the profile shows a name, not an empty string
    r = Api().post("/api/auth/token", {"email": "boss@example.com", "password": "staff pass phrase 2026"})
    assert r.status_code == 200, r.content
    me = Api(r.json()["token"]).get("/api/me").json()
    assert me["is_staff"] is True


def test_openapi_document_and_docs_are_served():
    assert Api().get("/api/openapi.json").status_code == 200
    assert Api().get("/api/docs").status_code == 200
