from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from chukai.common import demo


class Command(BaseCommand):
    help = "Load demo users and contracts through the services (safe to run again: nothing is duplicated)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--strict", action="store_true", help="fail if any demo part fails (tests)")
        parser.add_argument("--quiet-list", action="store_true", help="do not list the contracts")

    def handle(self, *args: Any, **opts: Any) -> None:
        result = demo.load(strict=opts["strict"], warn=lambda m: self.stderr.write(self.style.WARNING(m)))
        made = len(result.made)
        self.stdout.write(
            self.style.SUCCESS(f"demo data: {made} contract(s) created" if made else "demo data: already loaded")
        )
        if result.skipped:
            self.stdout.write(f"demo parts skipped (not available yet): {', '.join(result.skipped)}")
        if not opts["quiet_list"]:
            for pk, policy, status, title in demo.summary(result):
                self.stdout.write(f"  #{pk:<4} {policy:<11} {status:<16} {title}")
        self.stdout.write("")
        self.stdout.write("Demo logins (password for all three: " + demo.PASSWORD + ")")
        self.stdout.write(f"  client (発注者):   {demo.CLIENT_EMAIL}")
        self.stdout.write(f"  worker (受注者):   {demo.WORKER_EMAIL}")
        self.stdout.write(f"  staff  (事務局):   {demo.STAFF_EMAIL}   (support office console /staff/, admin /admin/)")
