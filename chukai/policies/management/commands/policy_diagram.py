from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from chukai.policies import rulebooks
from chukai.policies.diagram import all_policies_markdown, mermaid


class Command(BaseCommand):
    help = "Write a policy's states and timed transitions as a Mermaid state diagram."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("name", nargs="?", help=f"one of {', '.join(rulebooks.NAMES)}")
        parser.add_argument("--all", action="store_true", help="all four policies as Markdown")
        parser.add_argument("--markdown", action="store_true")
        parser.add_argument("--out", help="write to this file instead of standard output")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["all"]:
            text = all_policies_markdown()
        else:
            name = opts["name"]
            if name not in rulebooks.NAMES:
                raise CommandError(f"Unknown policy {name!r}: choose one of {', '.join(rulebooks.NAMES)}.")
            text = mermaid(rulebooks.current(name))
            if opts["markdown"]:
                text = f"```mermaid\n{text}```\n"
        if opts["out"]:
            Path(opts["out"]).write_text(text, encoding="utf-8")
            self.stdout.write(f"wrote {opts['out']}")
        else:
            self.stdout.write(text, ending="")
