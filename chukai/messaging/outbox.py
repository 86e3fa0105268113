"""The email outbox: rows written with the event, sent by the worker through Django's SMTP backend.

Delivery semantics (docs/email.md): an email is marked `sent` only after the
SMTP server accepted it, in a transaction after the send. A worker killed
between the two leaves its lease; when the lease runs out another pass sends
the same email again with the same Message-ID. So an email is never lost, and
at worst delivered twice with one Message-ID (mail clients show one).
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import unicodedata
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.message import make_msgid
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string

from chukai import clock
from chukai.accounts.models import User
from chukai.contracts.models import Contract
from chukai.deadlines.services import worker_id
from chukai.deadlines.worker_steps import step
from chukai.messaging.models import OutboxEmail
from chukai.messaging.texts import Viewer, render

log = logging.getLogger("chukai.outbox")

BATCHED_KINDS = ("message_new",)


def _conf(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def _domain() -> str:
    sender = str(settings.DEFAULT_FROM_EMAIL)
    return sender.rsplit("@", 1)[-1].strip(" >") if "@" in sender else "chukai.example"


def contract_link(contract_id: int | None) -> str:
    base = str(_conf("CHUKAI_SITE_URL", "http://127.0.0.1:8000")).rstrip("/")
    return f"{base}/contracts/{contract_id}" if contract_id else f"{base}/"


def _render_email(user: User, kind: str, params: dict[str, Any], official: bool) -> tuple[str, str]:
    viewer = Viewer(user.locale, user.time_zone, clock.now())
    shown = render(kind, params, viewer, official=official)
    locale = "ja" if user.locale == "ja" else "en"
    body = render_to_string(
        f"messaging/email/notification_{locale}.txt",
        {
            "name": user.display_name,
            "title": shown.title,
            "body": shown.body or shown.title,
            "link": contract_link(params.get("contract_id")),
            "has_contract": bool(params.get("contract_id")),
            "official": official,
            "site": str(_conf("CHUKAI_SITE_URL", "")).rstrip("/"),
        },
    )
    return shown.title, body


def email_enqueue(
    *, user: User, contract: Contract | None, kind: str, params: dict[str, Any], official: bool = False
) -> OutboxEmail:
    """Queue an email in the caller's transaction. New messages in one thread within the
    batch window join the email still waiting, so a burst of messages makes one email."""
    now = clock.now()
    key = f"{kind}:{contract.pk}:{user.pk}" if kind in BATCHED_KINDS and contract is not None else ""
    if key:
        waiting = OutboxEmail.objects.select_for_update().filter(batch_key=key, status=OutboxEmail.PENDING).first()
        if waiting is not None:
            merged = dict(waiting.params)
            merged["messages"] = list(merged.get("messages") or []) + list(params.get("messages") or [])
            merged["count"] = len(merged["messages"])
            merged["message_id"] = params.get("message_id")
            waiting.params = merged
            waiting.subject, waiting.body = _render_email(user, kind, merged, official)
            waiting.save(update_fields=["params", "subject", "body"])
            return waiting
    window = dt.timedelta(seconds=_conf("CHUKAI_MESSAGE_EMAIL_BATCH_SECONDS", 300)) if key else dt.timedelta(0)
    subject, body = _render_email(user, kind, params, official)
    suppressed = user.email_status == "bouncing" and not official
    return OutboxEmail.objects.create(
        user=user,
        to_email=user.email,
        contract=contract,
        kind=kind,
        locale=user.locale,
        subject=subject,
        body=body,
        params=params,
        message_id=make_msgid(idstring=kind.replace("_", "-"), domain=_domain()),
        batch_key=key,
        official=official,
        status=OutboxEmail.SUPPRESSED if suppressed else OutboxEmail.PENDING,
        last_error="the address bounces; shown in the app only" if suppressed else "",
        send_after=now + window,
        created_at=now,
    )


def email_skip_batch(*, user_id: int, contract_id: int, kind: str) -> int:
    """The recipient read the thread in the app: the email still waiting for its window is not needed."""
    return OutboxEmail.objects.filter(batch_key=f"{kind}:{contract_id}:{user_id}", status=OutboxEmail.PENDING).update(
        status=OutboxEmail.SKIPPED
    )


def user_mark_bouncing(*, user_id: int, email: str = "", reason: str = "") -> bool:
    """Record a permanent refusal of the user's address (unless they changed it meanwhile)."""
    qs = User.objects.filter(pk=user_id)
    if email:
        qs = qs.filter(email__iexact=email)
    changed = qs.exclude(email_status="bouncing").update(email_status="bouncing")
    if changed:
        log.warning("email to user %s bounces: %s", user_id, reason)
    return bool(changed)


# --- sending ------------------------------------------------------------------------


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=_conf("CHUKAI_OUTBOX_LEASE_SECONDS", 300))


def backoff(attempts: int) -> dt.timedelta:
    """Growing delays while the server is unreachable: 30 s, 1, 2, 4 … minutes, at most an hour."""
    return dt.timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


def outbox_claim(*, worker: str, limit: int = 20) -> list[int]:
    """Lease due emails (and those whose worker died) to this worker, skipping rows others hold."""
    wall = clock.real_now()
    now = clock.now()
    with transaction.atomic():
        due = (
            OutboxEmail.objects.select_for_update(skip_locked=True)
            .filter(status__in=OutboxEmail.WAITING, send_after__lte=now)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=wall))
            .order_by("id")
            .values_list("id", flat=True)[:limit]
        )
        ids = list(due)
        if len(ids) < limit:
            stale = (
                OutboxEmail.objects.select_for_update(skip_locked=True)
                .filter(status=OutboxEmail.SENDING, lease_until__lt=wall)
                .order_by("id")
                .values_list("id", flat=True)[: limit - len(ids)]
            )
            ids += list(stale)
        if ids:
            OutboxEmail.objects.filter(id__in=ids).update(
                status=OutboxEmail.SENDING, leased_by=worker, lease_until=wall + _lease()
            )
    return ids


def one_line(text: str, limit: int = 300) -> str:
    """A header value on one line: line breaks and every other control or separator character
    (CR, LF, NEL, U+2028/9, tabs, NUL …) become a space, runs of spaces one. Whatever the stored text
    holds (a display name saved before such names were refused, say), no header can be split or
    injected; Django would refuse it anyway, and one refused email must not hold up the others."""
    cleaned = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in str(text))
    return " ".join(cleaned.split())[:limit]


def _message(row: OutboxEmail, connection: Any) -> EmailMessage:
    headers = {
        "Message-ID": one_line(row.message_id),
        "Auto-Submitted": "auto-generated",
        "Content-Language": one_line(row.locale),
        "X-Chukai-Kind": one_line(row.kind),
    }
    return EmailMessage(
        subject=one_line(row.subject),
        body=row.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.to_email],
        headers=headers,
        connection=connection,
    )


def _record_sent(row: OutboxEmail, worker: str) -> None:
    with transaction.atomic():
        done = OutboxEmail.objects.filter(pk=row.pk, status=OutboxEmail.SENDING, leased_by=worker).update(
            status=OutboxEmail.SENT,
            sent_at=clock.now(),
            attempts=F("attempts") + 1,
            smtp_code=250,
            last_error="",
            leased_by="",
            lease_until=None,
        )
        if done:
            # The address works again (an official notice went through): clear the flag.
            User.objects.filter(pk=row.user_id, email__iexact=row.to_email, email_status="bouncing").update(
                email_status="ok"
            )


def _record_failure(row: OutboxEmail, worker: str, *, code: int | None, error: str, outcome: str) -> str:
    """`outcome`: `bounce` (recipient refused for good), `permanent` (another 5xx) or `temporary`."""
    max_attempts = _conf("CHUKAI_OUTBOX_MAX_ATTEMPTS", 30)
    with transaction.atomic():
        current = OutboxEmail.objects.select_for_update().filter(pk=row.pk).first()
        if current is None or current.status != OutboxEmail.SENDING or current.leased_by != worker:
            return "lost_lease"
        current.attempts += 1
        current.smtp_code = code
        current.last_error = error[-2000:]
        current.leased_by = ""
        current.lease_until = None
        if outcome == "bounce":
            current.status = OutboxEmail.BOUNCED
            user_mark_bouncing(user_id=current.user_id, email=current.to_email, reason=error)
        elif outcome == "permanent" or current.attempts >= max_attempts:
            current.status = OutboxEmail.FAILED
        else:
            current.status = OutboxEmail.DEFERRED
            current.next_attempt_at = clock.real_now() + backoff(current.attempts)
        current.save()
        return current.status


class ServerTrouble(Exception):
    """The mail server (or the way to it) failed: every email waiting in the batch would fail alike."""


def _classify(exc: BaseException) -> tuple[int | None, str, bool]:
    """(SMTP code, outcome, is it the server's trouble rather than this email's?).

    Only a server that is unreachable, gone or timing out holds up the rest of the batch; an
    answer about this email (its recipient refused, its content refused) or an error building it
    (a header Django refuses, an address that cannot be encoded, any bug in rendering) concerns
    this email alone."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [c for c, _ in exc.recipients.values()]
        code = max(codes) if codes else None
        return code, "bounce" if code is not None and code >= 500 else "temporary", False
    if isinstance(exc, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ServerTrouble)):
        return getattr(exc, "smtp_code", None), "temporary", True
    if isinstance(exc, smtplib.SMTPResponseException):
        code = exc.smtp_code
        return code, "permanent" if 500 <= code < 600 else "temporary", False
    if isinstance(exc, smtplib.SMTPException):
        return None, "temporary", False
    if isinstance(exc, OSError):
        return None, "temporary", True  # refused, reset, timed out: the server, not the email
    return None, "permanent", False  # BadHeaderError, UnicodeError, …: this email can never be sent as is


def _still_usable(connection: Any) -> bool:
    """After an error about one email, is the SMTP session still fit for the next? (RSET answers 250.)"""
    session = getattr(connection, "connection", None)
    if session is None:
        return True  # nothing open: the next email opens a fresh connection
    try:
        return bool(session.rset()[0] == 250)
    except Exception:
        return False


def _send_one(row: OutboxEmail, connection: Any) -> None:
    try:
        message = _message(row, connection)
        message.message()  # build it first: an error here is this email's, not the server's
    except Exception as exc:
        raise _Unbuildable(exc) from exc
    try:
        connection.open()  # no-op while the connection is up
    except Exception as exc:
        raise ServerTrouble(f"{type(exc).__name__}: {exc}") from exc
    if connection.send_messages([message]) != 1:
        raise ServerTrouble("the mail backend accepted nothing (no connection)")


class _Unbuildable(Exception):
    def __init__(self, cause: Exception) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.cause = cause


def outbox_send_due(*, worker: str | None = None, limit: int = 20) -> int:
    """Send what is due; returns how many emails were handled (sent, deferred or refused).

    One email's permanent error (an unbuildable message, a refused recipient, refused content)
    marks that email alone `failed`/`bounced` with the reason; the others go on, over the same
    connection when it still answers, else over a new one. Only trouble with the server itself
    (unreachable, disconnected, timing out) defers the rest of the batch."""
    me = worker or worker_id()
    ids = outbox_claim(worker=me, limit=limit)
    if not ids:
        return 0
    rows = list(OutboxEmail.objects.filter(pk__in=ids, status=OutboxEmail.SENDING, leased_by=me).order_by("id"))
    connection = get_connection(fail_silently=False)
    handled = 0
    try:
        for i, row in enumerate(rows):
            try:
                _send_one(row, connection)
            except Exception as exc:
                cause = exc.cause if isinstance(exc, _Unbuildable) else exc
                code, outcome, server_trouble = _classify(cause)
                error = f"{type(cause).__name__}: {cause}"
                status = _record_failure(row, me, code=code, error=error, outcome=outcome)
                log.warning("email %s to %r: %s (%s)", row.pk, row.to_email, status, error)
                handled += 1
                if server_trouble:
                    # The server is gone: the rest of this batch waits for the same back-off.
                    for rest in rows[i + 1 :]:
                        _record_failure(rest, me, code=None, error=error, outcome="temporary")
                        handled += 1
                    break
                if not isinstance(exc, _Unbuildable) and not _still_usable(connection):
                    _close(connection)  # the next email opens a fresh connection
                continue
            _record_sent(row, me)
            handled += 1
    finally:
        _close(connection)
    return handled


def _close(connection: Any) -> None:
    try:
        connection.close()
    except Exception:  # closing a dead connection
        log.debug("closing the SMTP connection failed", exc_info=True)


@step
def outbox_step() -> int:
    return outbox_send_due()
