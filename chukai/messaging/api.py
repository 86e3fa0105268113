from __future__ import annotations

from typing import Annotated

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import File, Query, Router, Schema, UploadedFile
from pydantic import Field

from chukai.api import caller, created, ok
from chukai.common.text import Text10k
from chukai.common.types import Id, Input
from chukai.contracts.selectors import contract_for
from chukai.errors import Invalid
from chukai.messaging import selectors, services

router = Router(tags=["messaging"])


class MessageIn(Input):
    body: Text10k
    # ids from POST /contracts/{id}/attachments
    attachments: Annotated[list[Id], Field(max_length=settings.CHUKAI_ATTACHMENT_MAX_COUNT)] = []


class ThreadQuery(Schema):
    after: int | None = None
    before: int | None = None
    latest: bool = False
    limit: Annotated[int, Field(ge=1, le=selectors.PAGE_MAX)] = selectors.PAGE_DEFAULT


class NotificationQuery(Schema):
    before: int | None = None
    unread: bool = False
    limit: Annotated[int, Field(ge=1, le=selectors.PAGE_MAX)] = selectors.PAGE_DEFAULT


class MarkReadIn(Input):
    ids: Annotated[list[Id], Field(max_length=1000)] | None = None  # none: all of them


@router.get("/contracts/{contract_id}/messages", response=list)
def message_list(request: HttpRequest, contract_id: int, q: Query[ThreadQuery]) -> HttpResponse:
    """The thread, oldest first; a `Link: <…?after=N>; rel="next"` header points to the next page."""
    contract = contract_for(user=caller(request), contract_id=contract_id)
    page, cursors = selectors.thread_page(
        contract=contract, after=q.after, before=q.before, latest=q.latest, limit=q.limit
    )
    response = ok(page)
    links = []
    if cursors["next_after"] is not None:
        links.append(f'<{request.path}?after={cursors["next_after"]}&limit={q.limit}>; rel="next"')
    if cursors["prev_before"] is not None:
        links.append(f'<{request.path}?before={cursors["prev_before"]}&limit={q.limit}>; rel="prev"')
    if links:
        response["Link"] = ", ".join(links)
    return response


@router.post("/contracts/{contract_id}/messages", response={201: dict})
def message_post(request: HttpRequest, contract_id: int, data: MessageIn) -> HttpResponse:
    uid = caller(request).pk

    def make() -> dict[str, object]:
        msg = services.message_post(user_id=uid, contract_id=contract_id, body=data.body, attachments=data.attachments)
        return selectors.message_dict(msg, list(msg.attachments.all()))

    return created(request, make)


@router.post("/contracts/{contract_id}/messages/read", response=dict)
def messages_read(request: HttpRequest, contract_id: int) -> HttpResponse:
    return ok({"marked": services.messages_mark_read(user_id=caller(request).pk, contract_id=contract_id)})


@router.post("/contracts/{contract_id}/attachments", response={201: dict})
def attachment_upload(request: HttpRequest, contract_id: int, file: File[UploadedFile]) -> HttpResponse:
    """Upload one file (multipart, field `file`); then send its id with a message."""
    uid = caller(request).pk

    def make() -> dict[str, object]:
        att = services.attachment_upload(user_id=uid, contract_id=contract_id, file=file, name=file.name)
        return {"id": att.pk, "name": att.name, "size": att.size, "content_type": att.content_type}

    return created(request, make)


@router.get("/contracts/{contract_id}/attachments/{attachment_id}", response=dict)
def attachment_download(request: HttpRequest, contract_id: int, attachment_id: int) -> FileResponse:
    contract = contract_for(user=caller(request), contract_id=contract_id)
    att = selectors.attachment_for(contract=contract, attachment_id=attachment_id)
    return selectors.attachment_response(att)


@router.get("/contracts/{contract_id}/reachability", response=dict)
def reachability(request: HttpRequest, contract_id: int) -> HttpResponse:
    user = caller(request)
    contract = contract_for(user=user, contract_id=contract_id)
    return ok(selectors.reachability(contract=contract, user=user))


@router.get("/me/notifications", response=list)
def notifications(request: HttpRequest, q: Query[NotificationQuery]) -> HttpResponse:
    """Newest first; `before=<id>` pages back, `unread=true` filters."""
    return ok(
        selectors.notifications_for(user_id=caller(request).pk, before=q.before, unread_only=q.unread, limit=q.limit)
    )


@router.post("/me/notifications/read", response=dict)
def notifications_read(request: HttpRequest, data: MarkReadIn | None = None) -> HttpResponse:
    raw = request.body.strip()
    if raw and not raw.startswith(b"{"):
        # Only a missing body or an object may mean "all": `123`, `[]` or `null` must not mark everything read.
        raise Invalid({"body": 'Send no body or {} to mark all read, or {"ids": [...]}.'})
    ids = data.ids if data is not None else None
    return ok({"marked": services.notifications_mark_read(user_id=caller(request).pk, ids=ids)})
