"""Sign-in throttling: after N failures for one e-mail (from any address) or one client
address, further attempts are refused for a while. Counts live in the Django cache (Redis
when configured, so every node shares them)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def _keys(email: str, ip: str) -> list[str]:
    e = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return [f"login-fail:email:{e}", f"login-fail:ip:{ip}"]


def is_locked(email: str, ip: str) -> bool:
    limit = settings.LOGIN_MAX_FAILURES
    email_key, ip_key = _keys(email, ip)
    # An address gets more room than one account: several people may share a NAT.
    return (cache.get(email_key, 0) >= limit) or (cache.get(ip_key, 0) >= limit * 4)


def register_failure(email: str, ip: str) -> None:
    for key in _keys(email, ip):
        if not cache.add(key, 1, settings.LOGIN_LOCKOUT_SECONDS):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, settings.LOGIN_LOCKOUT_SECONDS)


def reset(email: str, ip: str) -> None:
    cache.delete(_keys(email, ip)[0])
