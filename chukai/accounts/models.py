from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils.translation import gettext_lazy as _


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

    # Verbose names appear in password messages ("too similar to the メールアドレス").
    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("Display name"), max_length=100)
    locale = models.CharField(max_length=2, choices=LOCALES, default="ja")
    time_zone = models.CharField(max_length=64, default="Asia/Tokyo")
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    email_status = models.CharField(max_length=10, choices=EMAIL_STATUSES, default="ok")
    # Who the party is on papers (DOMAIN §12, chukai.documents): 個人 or 法人, the legal name printed on
    # invoices (display_name when blank) and the qualified-invoice registration number (T + 13 digits, or "").
    ENTITY_TYPES = [("individual", "individual"), ("company", "company")]
    entity_type = models.CharField(max_length=10, choices=ENTITY_TYPES, default="individual")
    legal_name = models.CharField(max_length=200, blank=True, default="")
    invoice_registration_number = models.CharField(max_length=14, blank=True, default="")

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []  # noqa: RUF012

    def __str__(self) -> str:
        return f"{self.display_name} <{self.email}>"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # `set_password` leaves the raw password in `_password` until the next save (a hash
        # upgrade at sign-in clears it first): a changed password revokes every API token,
        # whichever code path set it (page, admin, a service, createsuperuser).
        password_changed = self._password is not None and not self._state.adding  # type: ignore[attr-defined]
        super().save(*args, **kwargs)
        if password_changed:
            ApiToken.objects.filter(user=self).delete()


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 is stored. It stops working at `expires_at` (fixed, from
    creation: `CHUKAI_API_TOKEN_DAYS`), on `POST /api/auth/logout`, or when the password changes."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)


class CacheEntry(models.Model):
    """The table of Django's database cache (settings.CACHES, when `REDIS_URL` is not set).

    Declared as a model so that `migrate` creates it on every database, test databases included,
    and test flushes empty it; the columns are the ones `createcachetable` would make.
    """

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "chukai_cache"
