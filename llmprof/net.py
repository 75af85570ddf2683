"""Where an endpoint is: on this machine, on a private network, or out on the internet."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit, urlunsplit


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return None


def is_loopback_host(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    address = _address(host)
    return address is not None and address.is_loopback


def is_loopback(url: str) -> bool:
    """On this machine: a proxy from the environment must not be used to reach it."""
    return is_loopback_host(urlsplit(url).hostname or "")


def is_local(url: str) -> bool:
    """Loopback or a private address: a self-hosted server, not a metered API."""
    host = urlsplit(url).hostname or ""
    if is_loopback_host(host):
        return True
    address = _address(host)
    return address is not None and address.is_private


def public_url(url: str) -> str:
    """The URL as recorded and shown: no user:password, no query string (Gemini keys travel there)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
