"""What every browser test shares: Debian's Chromium driven by Playwright, where screenshots go, and
the watch for Content-Security-Policy violations that fails any browser test whose pages log one."""

import os
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

MISSING = "Debian's Chromium is not installed at /usr/bin/chromium (`make install-browser` installs it)"
# CI (and anyone who sets REQUIRE_BROWSER=true) runs the browser tests whatever happens: a missing
# Chromium then fails them instead of skipping them.
REQUIRED = os.environ.get("REQUIRE_BROWSER", "").lower() in ("1", "true", "yes", "on")

browser_test = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists() and not REQUIRED, reason=MISSING),
]

# Every page of a watched context reports each violation of the page's policy to Python: the DOM's
# own event (what the browser blocked, by which directive), and Chromium's console line as well,
# which no script of the page can intercept.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => window.reportCspViolation(
  `${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`
  + ` (${event.sourceFile || "the page"}:${event.lineNumber})`
));
"""


def watch_for_csp_violations(context) -> list[str]:
    """The list every Content-Security-Policy violation in `context`'s pages is added to, as
    "<page>: <what was blocked>". Chromium keeps the policy (no bypass), so a violation is also
    something that did not load or run."""
    violations: list[str] = []

    def reported(source, text):
        violations.append(f"{source['page'].url}: {text}")

    def console(message):
        if "Content Security Policy" in message.text:
            violations.append(f"{message.page.url if message.page else '?'}: console: {message.text}")

    context.expose_binding("reportCspViolation", reported)
    context.add_init_script(CSP_LISTENER)
    context.on("console", console)
    return violations


def settle(page) -> None:
    """Wait until the page has stopped loading, then make one round trip to it, so that every
    violation it reported has reached Python (events arrive in order on Playwright's connection)."""
    page.wait_for_load_state("networkidle")
    page.evaluate("0")
