from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest, HttpResponse
from ninja import Router
from pydantic import Field, StrictInt

from chukai.api import caller, created, ok
from chukai.common.text import Text2k
from chukai.common.types import WHOLE, Input
from chukai.contracts.selectors import contract_for
from chukai.reputation import selectors, services

router = Router(tags=["reputation"])


class RatingIn(Input):
    stars: Annotated[StrictInt, Field(ge=1, le=5), WHOLE]  # a JSON true is not a star
    comment: Text2k | None = ""


@router.post("/contracts/{contract_id}/ratings", response={201: dict})
def rating_submit(request: HttpRequest, contract_id: int, data: RatingIn) -> HttpResponse:
    """Rate the other party of an ended contract (1–5 stars, comment ≤ 2,000 characters), once, within
    the window. Hidden from everyone but you until both have rated or the window closes.
    409: `invalid_state` (not ended yet), `already_rated`, `rating_window_closed`."""
    uid = caller(request).pk
    return created(
        request,
        lambda: selectors.rating_dict(
            services.rating_submit(user_id=uid, contract_id=contract_id, stars=data.stars, comment=data.comment or "")
        ),
    )


@router.get("/contracts/{contract_id}/ratings", response=dict)
def rating_list(request: HttpRequest, contract_id: int) -> HttpResponse:
    """The contract's revealed ratings, plus your own while it is hidden; the window's close."""
    user = caller(request)
    contract = contract_for(user=user, contract_id=contract_id)
    return ok(selectors.contract_ratings(contract=contract, user=user))
