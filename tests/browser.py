"""What every browser test shares: Debian's Chromium driven by Playwright, and where screenshots go."""

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
# How long a step or an expect() waits for the page (the live server shares a busy CI machine).
TIMEOUT_MS = 15_000
# Flags that keep Chromium off the network (this machine reaches none but the registries).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

browser_test = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed at /usr/bin/chromium"),
]
