"""`{% papers_of contract_id user %}`: the papers of a contract the reader issued or received, with download links."""

from __future__ import annotations

from typing import Any

from django import template

from chukai.documents.selectors import papers_for_page

register = template.Library()


@register.inclusion_tag("documents/_papers.html")
def papers_of(contract_id: int, user: Any) -> dict[str, Any]:
    return {"papers": papers_for_page(user=user, contract_id=contract_id)}
