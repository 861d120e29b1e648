"""Where the served bundle comes from, and swapping it safely: a bundle path, or a registry alias polled.

``Served`` holds the bundle being served. ``reload()`` loads the source again and swaps it in only when the new
bundle verifies and compiles; otherwise the old one keeps serving and the failure is remembered (``/health``
shows it). A registry source (``card@alias``) downloads the alias's bundle when the version it points at has
changed (MLflow is imported only for this source).
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from scorecard.bundle.runtime import Bundle, load_bundle
from scorecard.errors import ScorecardError


class BundleSource(Protocol):
    """Something that can say which bundle version it offers and hand over its files."""

    def version(self) -> str:
        """A token that changes when the bundle changes (file time, registry version)."""
        ...

    def load(self) -> Bundle:
        """Load and verify the bundle (BundleError when it fails verification)."""
        ...


@dataclass
class PathSource:
    """A bundle folder or zip on disk; its version is the manifest's modification time and size."""

    path: Path

    def version(self) -> str:
        manifest = self.path / "manifest.json" if self.path.is_dir() else self.path
        stat = manifest.stat()
        return f"{stat.st_mtime_ns}:{stat.st_size}"

    def load(self) -> Bundle:
        return load_bundle(self.path)


@dataclass
class RegistrySource:
    """A registered model's alias, e.g. ``application@champion``: the bundle of the version it points at."""

    ref: str
    _cache: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="scorecard-serve-")))

    def version(self) -> str:
        from scorecard.tracking.registry import model_version, parse_model_ref

        name, which = parse_model_ref(self.ref)
        return str(model_version(name, which).version)

    def load(self) -> Bundle:
        from scorecard.tracking.registry import download_bundle

        target = self._cache / f"v{self.version()}"
        if target.exists():
            shutil.rmtree(target)
        return load_bundle(download_bundle(self.ref, target))


class Served:
    """The bundle being served, swapped atomically by ``reload`` only when the new one verifies."""

    def __init__(self, source: BundleSource) -> None:
        self.source = source
        self._lock = threading.Lock()
        self.bundle: Bundle | None = None
        self.loaded_version: str | None = None
        self.last_error: str | None = None
        self.reload()
        if self.bundle is None:
            raise ScorecardError(f"cannot serve: {self.last_error}")

    @property
    def label(self) -> str:
        """``name model_version`` of the bundle served, for every response."""
        if self.bundle is None:
            return "none"
        return f"{self.bundle.name} {self.bundle.manifest.get('model_version', '?')}"

    def reload(self) -> bool:
        """Load the source again; True when a new bundle now serves, False when the old one stays."""
        with self._lock:
            try:
                version = self.source.version()
                bundle = self.source.load()
            except (ScorecardError, OSError) as exc:
                self.last_error = f"reload failed, still serving {self.label}: {exc}"
                return False
            self.bundle, self.loaded_version, self.last_error = bundle, version, None
            return True

    def changed(self) -> bool:
        """Whether the source now offers another version than the one served (errors: no)."""
        try:
            return self.source.version() != self.loaded_version
        except (ScorecardError, OSError):
            return False

    def status(self) -> dict[str, Any]:
        return {"bundle": self.label, "version": self.loaded_version, "last_reload_error": self.last_error}
