"""``scorecard bundle``: look inside a serving bundle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from scorecard.cli.output import console, print_table

app = typer.Typer(no_args_is_help=True)


@app.command("inspect")
def inspect(path: Path = typer.Argument(..., help="Bundle folder or .zip.")) -> None:
    """Print the manifest and verify every file's SHA-256; exit 1 when the bundle would be refused."""
    from scorecard.bundle.runtime import load_bundle, read_files, verify
    from scorecard.bundle.signing import check
    from scorecard.errors import BundleError

    files = read_files(path)
    manifest, status = verify(path, files)
    card: dict[str, Any] = manifest["card"] if isinstance(manifest.get("card"), dict) else {}
    print_table(
        f"bundle {path}",
        ["field", "value"],
        [
            ("format_version", manifest.get("format_version")),
            ("card", f"{card.get('name')} ({card.get('type')})"),
            ("model_version", manifest.get("model_version")),
            ("created_at", manifest.get("created_at")),
            ("code_version", manifest.get("code_version")),
            ("training_data_fingerprint", manifest.get("training_data_fingerprint")),
            ("features", ", ".join(manifest.get("features", []))),
        ],
    )
    listed = manifest.get("files", {})
    print_table(
        "files",
        ["file", "bytes", "sha256", "check"],
        [
            (n, listed.get(n, {}).get("bytes", ""), listed.get(n, {}).get("sha256", "")[:16], s)
            for n, s in status.items()
        ],
    )
    bad = [f"{n}: {s}" for n, s in status.items() if s != "ok"]
    if bad:
        raise BundleError(f"{path}: bundle refused: " + "; ".join(bad))
    load_bundle(path)
    signature = check(path, files)
    console.print(f"[green]verified[/]: every SHA-256 matches and the bundle compiles; {signature}")
