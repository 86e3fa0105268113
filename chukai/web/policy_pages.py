"""Each policy's rules in plain words, and its state diagram as server-rendered SVG."""

from __future__ import annotations

from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from chukai.policies import rulebooks
from chukai.web import labels


def _fee(fee: dict[str, Any] | None) -> str:
    if not fee:
        return _("none")
    if fee["kind"] == "flat":
        return f"{fee['bp'] / 100:g} %"
    parts = []
    low = 0
    for t in fee["tiers"]:
        if t["up_to"] is None:
            parts.append(_("%(pct)s above ¥%(low)s") % {"pct": f"{t['bp'] / 100:g} %", "low": f"{low:,}"})
        else:
            parts.append(_("%(pct)s up to ¥%(high)s") % {"pct": f"{t['bp'] / 100:g} %", "high": f"{t['up_to']:,}"})
            low = t["up_to"]
    return ", ".join(parts)


def rules_in_words(p: dict[str, Any]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    cr = p.get("contact_reminder")
    if cr:
        out.append(
            (
                _("Contact reminder (連絡催促申請)"),
                _(
                    "On a fixed-price contract in progress, either party may file when the other has not answered "
                    "their messages for %(silence)d days. The other party has %(respond)d days to answer (reminded "
                    "%(before)s days before). If nobody answers: delivered milestones are paid to the worker, "
                    "escrowed ones are refunded to the client, unfunded ones are cancelled, the contract ends and "
                    "the silent party gets a penalty mark. So report completion before you file."
                )
                % {
                    "silence": cr["silence_days"],
                    "respond": cr["respond_days"],
                    "before": " / ".join(str(d) for d in cr.get("notify_before_days", [])) or "—",
                },
            )
        )
    else:
        out.append((_("Contact reminder (連絡催促申請)"), _("Not offered by this policy.")))
    term = p.get("termination")
    if term:
        text = _(
            "Either party of a fixed-price contract in progress may ask to end it, with a reason. The other party "
            "agrees or declines; if they stay silent, it takes effect after %(days)d days. The escrow is refunded "
            "to the client."
        ) % {"days": term["takes_effect_days"]}
        if term["partial_payment"]:
            text += " " + _("The request may pay the worker part of the escrow for work done; the rest is refunded.")
        out.append((_("Early termination (途中終了)"), text))
    else:
        out.append((_("Early termination (途中終了)"), _("Not offered by this policy.")))
    acc = p["acceptance"]
    out.append(
        (
            _("Acceptance (検収)"),
            _("After a delivery the client has %(days)d days to accept or ask for a revision; then %(lapse)s.")
            % {"days": acc["review_days"], "lapse": labels.label(labels.POLICY_ON_LAPSE, acc["on_lapse"])},
        )
    )
    notice = p["notice"]
    out.append(
        (
            _("Support office notices"),
            (
                _(
                    "A party told by the support office to respond has %(days)d business days (weekends and Japanese holidays skipped)."
                )
                if notice["business_days"]
                else _("A party told by the support office to respond has %(days)d days.")
            )
            % {"days": notice["respond_days"]},
        )
    )
    fees = p["fees"]
    out.append(
        (
            _("Fees"),
            _("Worker: %(worker)s, taken at payment. Client: %(client)s. Rounded down to the yen, tax included.")
            % {"worker": _fee(fees["worker"]), "client": _fee(fees.get("client"))},
        )
    )
    out.append(
        (
            _("Ratings"),
            _(
                "After the contract ends each party may rate the other within %(days)d days. Ratings stay hidden "
                "until both are in or the window closes."
            )
            % {"days": p["ratings"]["window_days"]},
        )
    )
    return out


NODES = {
    "unfunded": (80, 100),
    "escrowed": (350, 100),
    "delivered": (620, 100),
    "paid": (890, 100),
    "cancelled": (80, 300),
    "refunded": (350, 300),
    "settled": (780, 300),
}
BOX_W, BOX_H = 130, 44


def diagram(p: dict[str, Any]) -> SafeString:
    """Milestone states. One arrow per pair of states, with every way it can happen listed on it:
    plain text is a party's action; [auto] and a dashed arrow mean it happens by itself at a deadline."""
    edges: dict[tuple[str, str], list[tuple[str, bool]]] = {}

    def add(a: str, b: str, text: str, timed: bool = False) -> None:
        edges.setdefault((a, b), []).append((text, timed))

    add("unfunded", "escrowed", _("client funds"))
    add("escrowed", "delivered", _("worker reports completion"))
    add("delivered", "paid", _("client accepts"))
    add("delivered", "escrowed", _("revision"))
    acc = p["acceptance"]
    if acc["on_lapse"] == "auto_accept":
        add("delivered", "paid", _("auto after %(d)d days") % {"d": acc["review_days"]}, True)
    elif acc["on_lapse"] == "support":
        add("delivered", "paid", _("support office decides"))
    cr = p.get("contact_reminder")
    if cr:
        text = _("reminder unanswered %(d)dd") % {"d": cr["respond_days"]}
        add("delivered", "paid", text, True)
        add("escrowed", "refunded", text, True)
        add("unfunded", "cancelled", text, True)
    term = p.get("termination")
    if term:
        add("escrowed", "refunded", _("termination (silent %(d)dd)") % {"d": term["takes_effect_days"]}, True)
        if term["partial_payment"]:
            add("escrowed", "settled", _("termination with partial pay"))
    add("escrowed", "refunded", _("support office decides"))
    w, h = 980, 370
    title = _("Milestone states of this policy")
    legend = _("Solid arrow: a party acts. Dashed arrow and [auto]: happens by itself at a deadline.")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" aria-label="{escape(title)}">',
        '<defs><marker id="arr" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#1d2430"/></marker></defs>',
    ]
    hw, hh = BOX_W // 2, BOX_H // 2
    auto = _("[auto]")
    for (a, b), labels_ in edges.items():
        (x1, y1), (x2, y2) = NODES[a], NODES[b]
        timed_only = all(t for _txt, t in labels_)
        if y1 == y2 and x2 > x1:  # forward along the row: labels stacked above
            sx, sy, ex, ey = x1 + hw, y1 - 6, x2 - hw, y2 - 6
            lx, ly, anchor, step = (sx + ex) // 2, sy - 6, "middle", -14
        elif y1 == y2:  # backward (revision): below the row
            sx, sy, ex, ey = x1 - hw, y1 + 12, x2 + hw, y2 + 12
            lx, ly, anchor, step = (sx + ex) // 2, sy + 16, "middle", 14
        else:  # down to an end state: labels to the right of the arrow
            sx, sy = (x1 + (20 if x2 > x1 else 0), y1 + hh)
            ex, ey = (x2 - (hw - 10) if x2 > x1 else x2, y2 - hh)
            frac = 0.5 if x1 == x2 else 0.75  # a diagonal's words sit near its end, clear of the others
            lx = int(sx + (ex - sx) * frac) + 8
            ly = int(sy + (ey - sy) * frac) - 7 * (len(labels_) - 1)
            anchor, step = "start", 14
        dash = ' stroke-dasharray="6 4"' if timed_only else ""
        parts.append(
            f'<line x1="{sx}" y1="{sy}" x2="{ex}" y2="{ey}" stroke="#1d2430" stroke-width="1.6"{dash} '
            f'marker-end="url(#arr)"/>'
        )
        for i, (text, timed) in enumerate(labels_):
            parts.append(
                f'<text x="{lx}" y="{ly + i * step}" font-size="11" text-anchor="{anchor}" fill="#1d2430">'
                f"{escape((auto + ' ' if timed else '') + text)}</text>"
            )
    for name, (x, y) in NODES.items():
        parts.append(
            f'<rect x="{x - hw}" y="{y - hh}" width="{BOX_W}" height="{BOX_H}" rx="8" fill="#fff" '
            f'stroke="#13243a" stroke-width="2"/>'
        )
        parts.append(
            f'<text x="{x}" y="{y + 5}" font-size="13" text-anchor="middle" font-weight="600" fill="#13243a">'
            f"{escape(_short(name))}</text>"
        )
    parts.append(f'<text x="10" y="{h - 8}" font-size="11" fill="#1d2430">{escape(legend)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def _short(state: str) -> str:
    return {
        "unfunded": _("Not funded"),
        "escrowed": _("Escrowed"),
        "delivered": _("Delivered"),
        "paid": _("Paid"),
        "refunded": _("Refunded"),
        "cancelled": _("Cancelled"),
        "settled": _("Settled (split)"),
    }[state]


def all_policies() -> list[dict[str, Any]]:
    lang = "en" if (get_language() or "ja").startswith("en") else "ja"
    out = []
    for name in rulebooks.NAMES:
        p = rulebooks.current(name)
        out.append(
            {
                "name": name,
                "version": p["version"],
                "label": p["label"][lang],
                "summary": p["summary"][lang],
                "rules": rules_in_words(p),
                "diagram": diagram(p),
                "default": name == rulebooks.DEFAULT_POLICY,
            }
        )
    return out
