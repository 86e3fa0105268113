"""A password hasher that counts its work, to compare code paths without timing them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import MD5PasswordHasher

CALLS: list[str] = []


class CountingHasher(MD5PasswordHasher):
    algorithm = "counting_md5"

    def encode(self, password: str, salt: str) -> Any:
        CALLS.append("encode")
        return super().encode(password, salt)
