"""`{% papers_of contract_id user %}`: the papers of a contract the reader issued or received, with download links."""

from __future__ import annotations

from typing import Any

from django import template

from chukai.documents.selectors import papers_for_page

register = template.Library()


@register.inclusion_tag("documents/_papers.html")
def papers_of(contract_id: int, user: Any) -> dict[str, Any]:
    return {"papers": papers_for_page(user=user, contract_id=contract_id)}


@register.filter
def consumption_tax(amount: Any) -> int:
    """The 10 % consumption tax inside a tax-included amount (DOMAIN §12), for the money panels."""
    from chukai.ledger.tax import consumption_tax_in

    try:
        return consumption_tax_in(int(amount))
    except (TypeError, ValueError):
        return 0
