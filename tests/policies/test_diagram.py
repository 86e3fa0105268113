from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from chukai.policies.diagram import all_policies_markdown


def test_each_policy_draws_its_own_timed_transitions():
    def draw(name):
        out = StringIO()
        call_command("policy_diagram", name, stdout=out)
        return out.getvalue()

    chukai, lancers, crowdworks, upwork = (draw(n) for n in ("chukai", "lancers", "crowdworks", "upwork"))
    assert chukai.startswith("stateDiagram-v2")
    assert "accepted automatically" in chukai and "accepted automatically" in upwork
    assert "accepted automatically" not in lancers and "accepted automatically" not in crowdworks
    assert "contact reminder" in lancers and "contact reminder" not in crowdworks
    assert "partial pay" in chukai and "partial pay" not in crowdworks
    assert "5 business days" in chukai and "5 business days" not in lancers
    assert "acceptance period lapses" in crowdworks


def test_unknown_policy_is_a_clear_error():
    with pytest.raises(CommandError, match="Unknown policy"):
        call_command("policy_diagram", "fiverr", stdout=StringIO())


def test_docs_show_the_current_diagrams():
    docs = Path(__file__).resolve().parents[2] / "docs" / "policies.md"
    assert docs.read_text(encoding="utf-8") == all_policies_markdown(), (
        "docs/policies.md is stale: run `python manage.py policy_diagram --all --out docs/policies.md`"
    )
