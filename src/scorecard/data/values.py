"""Value lists kept in files (e.g. hashed national ids on a blacklist): one value per line, '#' comments."""

from __future__ import annotations

from pathlib import Path

from scorecard.errors import ConfigError


def read_values_file(path: Path, key: str) -> list[str]:
    """The values listed in ``path``; a ConfigError naming ``key`` when the file is missing or not text."""
    if not path.is_file():
        raise ConfigError(
            f"{key}: values_file {path} not found; expected a text file with one value per line"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{key}: values_file {path} cannot be read as UTF-8 text ({exc})") from None
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]
