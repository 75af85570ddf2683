from __future__ import annotations

import pytest

from llmprof.net import is_local, is_loopback, is_loopback_host, public_url


@pytest.mark.parametrize(
    ("url", "loopback", "local"),
    [
        ("http://127.0.0.1:8000/v1", True, True),
        ("http://localhost:11434", True, True),
        ("http://[::1]:8000", True, True),
        ("http://10.0.3.7:8000/v1", False, True),
        ("http://192.168.1.20/v1", False, True),
        ("https://api.openai.com/v1", False, False),
        ("https://8.8.8.8/v1", False, False),
    ],
)
def test_where_an_endpoint_is(url: str, loopback: bool, local: bool) -> None:
    assert (is_loopback(url), is_local(url)) == (loopback, local)


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("::1%lo", True),
        ("0.0.0.0", False),
        ("192.168.1.5", False),
        ("localhost", True),
    ],
)
def test_loopback_hosts(address: str, loopback: bool) -> None:
    assert is_loopback_host(address) is loopback


def test_public_url_drops_credentials_and_query() -> None:
    assert (
        public_url("https://user:secret@host.example:8443/v1beta?key=AIza-secret") == "https://host.example:8443/v1beta"
    )
    assert public_url("http://[::1]:8000/v1") == "http://[::1]:8000/v1"
