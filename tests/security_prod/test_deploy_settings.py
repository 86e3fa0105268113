"""Production settings: `check --deploy` clean with a production environment; DEBUG off and a
secret key required by default; every security setting reachable from the environment."""

from __future__ import annotations

import json
import subprocess

from tests.security_prod.conftest import REPO, manage, production_env


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(manage(*args), cwd=REPO, env=env, capture_output=True, text=True, timeout=120)


def _settings(env: dict[str, str], *names: str) -> dict[str, object]:
    code = (
        "import json; from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n, None) for n in {list(names)!r}}}, default=str))"
    )
    r = _run("shell", "-c", code, env=env)
    assert r.returncode == 0, r.stderr[-2000:]
    return dict(json.loads(r.stdout.strip().splitlines()[-1]))


def test_check_deploy_is_clean_with_a_production_environment():
    r = _run("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no issues" in r.stdout


def test_check_deploy_fails_without_a_secret_key():
    env = production_env()
    del env["DJANGO_SECRET_KEY"]
    r = _run("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert r.returncode != 0
    assert "security.W009" in r.stdout + r.stderr


def test_production_is_the_default():
    env = production_env()
    s = _settings(
        env,
        "DEBUG",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "SECURE_PROXY_SSL_HEADER",
        "CSRF_TRUSTED_ORIGINS",
        "ALLOWED_HOSTS",
    )
    assert s["DEBUG"] is False
    assert s["SECURE_SSL_REDIRECT"] is True and s["SESSION_COOKIE_SECURE"] is True and s["CSRF_COOKIE_SECURE"] is True
    assert s["SECURE_HSTS_SECONDS"] == 31536000
    assert s["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert s["CSRF_TRUSTED_ORIGINS"] == ["https://chukai.example"]
    assert s["ALLOWED_HOSTS"] == ["chukai.example", "127.0.0.1"]


def test_every_deploy_setting_comes_from_the_environment():
    env = production_env(
        CHUKAI_HTTPS="0",
        DJANGO_SECURE_HSTS_SECONDS="600",
        DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS="0",
        DJANGO_SECURE_HSTS_PRELOAD="0",
        DJANGO_SESSION_COOKIE_SECURE="1",
    )
    s = _settings(
        env,
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
    )
    assert s == {
        "SECURE_SSL_REDIRECT": False,
        "SESSION_COOKIE_SECURE": True,  # its own variable wins over CHUKAI_HTTPS
        "CSRF_COOKIE_SECURE": False,
        "SECURE_HSTS_SECONDS": 600,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": False,
        "SECURE_HSTS_PRELOAD": False,
    }


def test_the_server_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["DJANGO_SECRET_KEY"]
    r = _run("serve", "--addr", "127.0.0.1:1", "--no-worker", env=env)
    assert r.returncode != 0
    assert "DJANGO_SECRET_KEY is not set and DEBUG is off: refusing to start" in r.stderr
    # gunicorn (or any WSGI server) importing the application refuses the same way
    imp = subprocess.run(
        [manage()[0], "-c", "import config.wsgi"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert imp.returncode != 0 and "refusing to start" in imp.stderr


def test_files_can_live_in_s3_compatible_storage_by_environment():
    env = production_env(
        CHUKAI_STORAGE="s3", CHUKAI_S3_BUCKET="chukai-files", CHUKAI_S3_ENDPOINT_URL="https://s3.example"
    )
    storages = _settings(env, "STORAGES")["STORAGES"]
    assert isinstance(storages, dict)
    assert storages["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storages["default"]["OPTIONS"]["bucket_name"] == "chukai-files"
    assert storages["default"]["OPTIONS"]["endpoint_url"] == "https://s3.example"
    del env["CHUKAI_S3_BUCKET"]
    r = _run("check", env=env)
    assert r.returncode != 0 and "CHUKAI_STORAGE=s3 needs CHUKAI_S3_BUCKET" in r.stderr
