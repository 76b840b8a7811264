"""Exceptions to the Content-Security-Policy (tracker/settings.py), each as narrow as it can be."""

import base64
import hashlib

from csp.constants import UNSAFE_HASHES


def style_attributes(*declarations: str) -> dict:
    """A policy update admitting style="…" attributes whose value is exactly one of `declarations`
    and no other: the browser hashes each attribute it meets and compares (CSP's 'unsafe-hashes').
    For third-party templates that carry a fixed attribute or two; our own templates use none."""
    hashes = [f"'sha256-{base64.b64encode(hashlib.sha256(d.encode()).digest()).decode()}'" for d in declarations]
    return {"style-src-attr": [UNSAFE_HASHES, *hashes]}
