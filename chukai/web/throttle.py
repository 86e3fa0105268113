"""Sign-in throttling moved to `chukai.accounts.signin` (one path for the web login,
`POST /api/auth/token` and sign-up replays, in the shared cache); kept as an alias."""

from chukai.accounts.signin import address_key, check_password, client_ip, ip_key

__all__ = ["address_key", "check_password", "client_ip", "ip_key"]
