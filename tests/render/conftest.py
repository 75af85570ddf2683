from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "browser: opens HTML reports in headless Chromium (skipped without it; -m 'not browser' to leave out)",
    )
