"""Bind a bundle to whoever exported it: an HMAC-SHA256 of its manifest under a key from the environment.

With ``SCORECARD_BUNDLE_KEY`` set, export writes ``manifest.sig`` (the hex HMAC-SHA256 of ``manifest.json``'s
bytes) and loading refuses a bundle that is unsigned or whose signature was made with another key or over
another manifest. The manifest holds every other file's SHA-256, so the signature covers the whole bundle.
Without the variable, bundles are written unsigned and a signature is not checked. Standard library only:
the runtime calls ``check``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

from scorecard.bundle import format as fmt
from scorecard.errors import BundleError

KEY_ENV = "SCORECARD_BUNDLE_KEY"


def signing_key() -> bytes | None:
    """The key from ``SCORECARD_BUNDLE_KEY`` (its UTF-8 bytes), or None when it is unset or empty."""
    key = os.environ.get(KEY_ENV, "")
    return key.encode("utf-8") if key else None


def sign(manifest: bytes, key: bytes) -> bytes:
    """``manifest.sig``'s content: the hex HMAC-SHA256 of the manifest bytes, and a newline."""
    return (hmac.new(key, manifest, hashlib.sha256).hexdigest() + "\n").encode("ascii")


def check(path: Path, files: dict[str, bytes]) -> str:
    """``signed``, ``unsigned`` (no key configured) or BundleError when a configured key does not match."""
    key = signing_key()
    signature = files.get(fmt.SIGNATURE)
    if key is None:
        return "unsigned" if signature is None else "signed (not checked: no key configured)"
    if signature is None:
        raise BundleError(f"{path}: bundle refused: it is not signed and {KEY_ENV} is set")
    if not hmac.compare_digest(signature.strip(), sign(files[fmt.MANIFEST], key).strip()):
        raise BundleError(
            f"{path}: bundle refused: {fmt.SIGNATURE} does not match the manifest under the key in {KEY_ENV} "
            "(signed with another key, or the manifest changed)"
        )
    return "signed"
