from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        email = self.normalize_email(email).lower()
        extra.setdefault("display_name", email.split("@")[0])
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("display_name", "事務局")
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    LOCALES = [("ja", "日本語"), ("en", "English")]
    EMAIL_STATUSES = [("ok", "ok"), ("bouncing", "bouncing")]

    email = models.EmailField(unique=True)
    display_name = models.CharField(max_length=100)
    locale = models.CharField(max_length=2, choices=LOCALES, default="ja")
    time_zone = models.CharField(max_length=64, default="Asia/Tokyo")
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(max_length=10, choices=EMAIL_STATUSES, default="ok")

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []  # noqa: RUF012

    def __str__(self) -> str:
        return f"{self.display_name} <{self.email}>"


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
