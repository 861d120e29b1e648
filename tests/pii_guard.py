"""Proof that no PII reaches a file: search every file's bytes (and the decoded cells of Parquet) for secrets.

Compressed formats would hide a leak from a byte search, so Parquet files are also read cell by cell and gzip /
zip files are searched after decompression. Extend ``_decoded`` when a new compressed format is written.
"""

from __future__ import annotations

import gzip
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

_PREFIX = 8  # bytes of each secret matched in one vectorised pass
_CHUNK = 1 << 23  # bytes of a file searched at once (memory: ~16 bytes per byte searched)


def _files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file())
        elif path.is_file():
            yield path


def _decoded(path: Path) -> Iterator[bytes]:
    """The file's bytes, then what a byte search cannot see inside it."""
    data = path.read_bytes()
    yield data
    if path.suffix == ".parquet":
        for column in pq.read_table(path).columns:
            yield _text(column.combine_chunks())
    elif path.suffix == ".gz":
        yield gzip.decompress(data)
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                yield archive.read(name)


def _text(values: pa.Array) -> bytes:
    """The UTF-8 bytes of every value of an Arrow column, concatenated (its string data buffer)."""
    if pa.types.is_dictionary(values.type):
        values = values.dictionary
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        try:
            values = pc.cast(values, pa.large_string())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return "\n".join(map(str, values.to_pylist())).encode()
    data = values.buffers()[2]
    return b"" if data is None else data.to_pybytes()


def _found(blob: bytes, forms: dict[bytes, str]) -> set[str]:
    """The secrets whose encoded ``forms`` occur in ``blob``: 8-byte prefixes matched vectorised, then confirmed."""
    by_prefix: dict[int, list[bytes]] = {}
    for form in forms:
        by_prefix.setdefault(int(np.frombuffer(form[:_PREFIX], dtype="<u8")[0]), []).append(form)
    prefixes = np.array(sorted(by_prefix), dtype=np.uint64)
    overlap = max(map(len, forms))
    found = set()
    for start in range(0, max(len(blob) - _PREFIX + 1, 0), _CHUNK):
        chunk = np.frombuffer(blob[start : start + _CHUNK + overlap], dtype=np.uint8)
        n = min(chunk.size - _PREFIX + 1, _CHUNK)
        window = np.zeros(n, dtype=np.uint64)
        for i in range(_PREFIX):
            window |= chunk[i : i + n].astype(np.uint64) << np.uint64(8 * i)
        candidate = prefixes[np.minimum(np.searchsorted(prefixes, window), prefixes.size - 1)]
        for offset in np.flatnonzero(candidate == window):
            for form in by_prefix[int(window[offset])]:
                if blob.startswith(form, start + int(offset)):
                    found.add(forms[form])
    return found


def find_pii(paths: Iterable[Path], secrets: Iterable[str]) -> dict[Path, list[str]]:
    """Each file under ``paths`` holding any of ``secrets`` (UTF-8 or UTF-16), with the secrets found."""
    forms = {form: s for s in secrets for form in (s.encode(), s.encode("utf-16-le"))}
    short = sorted(s for f, s in forms.items() if len(f) < _PREFIX)
    assert not short, f"secrets must be at least {_PREFIX} bytes long to be searched for: {short}"
    leaks: dict[Path, list[str]] = {}
    for path in _files(paths):
        found = set().union(*(_found(blob, forms) for blob in _decoded(path)))
        if found:
            leaks[path] = sorted(found)
    return leaks


def assert_no_pii(paths: Iterable[Path], secrets: Iterable[str]) -> None:
    """Fail, naming file and secret, if any seeded PII string appears in any file under ``paths``."""
    paths = list(paths)
    assert any(True for _ in _files(paths)), f"no files under {paths}: nothing was checked"
    leaks = find_pii(paths, secrets)
    assert not leaks, "PII found downstream: " + "; ".join(f"{p}: {s}" for p, s in leaks.items())
