"""``scorecard serve``: serve a bundle over HTTP (``POST /score``, ``GET /health``, ``GET /ready``)."""

from __future__ import annotations

from pathlib import Path

import typer

from scorecard.cli.output import console
from scorecard.errors import ScorecardError


def serve(
    bundle: Path | None = typer.Option(None, "--bundle", help="Bundle folder or .zip to serve."),
    model: str | None = typer.Option(
        None, "--model", help="Registered model alias instead of --bundle, e.g. application@champion."
    ),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8080, "--port", min=1, max=65535, help="TCP port."),
    poll_seconds: float = typer.Option(
        30.0,
        "--poll-seconds",
        min=0,
        help="Reload when the bundle or alias changes, checked this often (0: off).",
    ),
    max_body_bytes: int = typer.Option(
        1 << 20, "--max-body-bytes", min=1, help="Larger request bodies get 413."
    ),
) -> None:
    """Serve a bundle: SIGHUP or a change of the bundle / alias reloads it; a bundle that fails verification
    is not swapped in."""
    import uvicorn

    from scorecard.serving.app import create_app
    from scorecard.serving.source import BundleSource, PathSource, RegistrySource, Served

    if (bundle is None) == (model is None):
        raise ScorecardError("give either --bundle PATH or --model NAME@ALIAS (e.g. application@champion)")
    source: BundleSource = PathSource(bundle) if bundle is not None else RegistrySource(str(model))
    served = Served(source)
    console.print(f"serving {served.label} on http://{host}:{port}", highlight=False)
    app = create_app(served, max_body_bytes=max_body_bytes, poll_seconds=poll_seconds)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
