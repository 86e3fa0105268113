"""Every template keeps to the Content-Security-Policy: no inline script, handler or style, so a
page added later cannot silently break under it (the browser test covers the pages it visits)."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FORBIDDEN = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
    "inline event handler": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I),
    "style attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I),
    "<style> element": re.compile(r"<style[\s>]", re.I),
    "javascript: URL": re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.I),
}


def test_no_template_needs_unsafe_inline():
    templates = sorted(REPO.glob("chukai/*/templates/**/*.html"))
    assert len(templates) > 20
    found = [
        f"{t.relative_to(REPO)}: {what}"
        for t in templates
        for what, pattern in FORBIDDEN.items()
        if pattern.search(t.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_check_catches_what_it_should():
    samples = {
        "inline <script>": "<script>alert(1)</script>",
        "inline event handler": '<button onclick="go()">',
        "style attribute": '<h2 style="margin:0">',
        "<style> element": "<style>p{}</style>",
        "javascript: URL": '<a href="javascript:go()">',
    }
    for what, sample in samples.items():
        assert FORBIDDEN[what].search(sample), what
    assert not FORBIDDEN["inline <script>"].search('<script src="/static/web/htmx.min.js" defer></script>')
