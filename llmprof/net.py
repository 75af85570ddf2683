"""Where an endpoint is: on this machine, on a private network, or out on the internet."""

from __future__ import annotations

import ipaddress
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from llmprof.errors import UsageError

#: Where an endpoint is, decided once when a bench's settings are resolved: the built-in mock,
#: a server on this machine or a private network (free, self-hosted), or a remote metered API.
EndpointKind = Literal["mock", "local", "remote"]


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


def kind_of(url: str) -> EndpointKind:
    return "local" if is_local(url) else "remote"


def checked_url(url: str) -> str:
    """A base URL llmprof can send requests to, or a usage error saying what is wrong with it
    (shown without its credentials)."""
    shown = public_url(url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UsageError(
            f"endpoint {shown!r} is not a valid URL ({exc})", "write it like http://localhost:8000/v1"
        ) from exc
    if parts.scheme not in ("http", "https"):
        raise UsageError(
            f"endpoint {shown!r}: llmprof speaks http and https, not {parts.scheme or 'a bare host'}",
            "write it like https://api.example.com/v1 or http://localhost:8000/v1",
        )
    if not parts.hostname:
        raise UsageError(f"endpoint {shown!r} has no host", "write it like http://localhost:8000/v1")
    if port == 0:
        raise UsageError(f"endpoint {shown!r}: port 0 is not a port a server listens on", "give the server's port.")
    return url


def public_url(url: str) -> str:
    """The URL as recorded and shown: no user:password, no query string (Gemini keys travel there)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:  # a malformed port or bracket: drop what can hold a secret, by hand
        scheme, sep, rest = url.partition("://")
        rest = rest.split("?")[0].split("#")[0]
        netloc, slash, path = rest.partition("/")
        return f"{scheme}{sep}{netloc.rpartition('@')[2]}{slash}{path}"
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
