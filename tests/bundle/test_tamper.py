"""Bundles bound to their exporter: zip paths, malformed manifests and signatures (issue 13, items 7 and 9)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from scorecard.bundle import format as fmt
from scorecard.bundle.export import zip_bytes
from scorecard.bundle.runtime import load_bundle
from scorecard.bundle.signing import KEY_ENV, sign
from scorecard.errors import BundleError
from tests.bundle.conftest import documents, write


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def _relist(files: dict[str, bytes], **renamed: str) -> dict[str, bytes]:
    """The files with some renamed and the manifest's hashes made to match (what a forger would do)."""
    files = {renamed.get(k, k): v for k, v in files.items()}
    manifest = json.loads(files[fmt.MANIFEST])
    manifest["files"] = {
        name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        for name, data in files.items()
        if name not in (fmt.MANIFEST, fmt.SIGNATURE)
    }
    files[fmt.MANIFEST] = fmt.canonical_json(manifest)
    return files


@pytest.mark.parametrize("name", ["../../policy.json", "/policy.json", "sub/policy.json", "..\\policy.json"])
def test_zip_entries_that_are_not_plain_names_are_refused(tmp_path: Path, name: str) -> None:
    files = _relist(_files(write(documents(), tmp_path / "b")), **{"policy.json": name})
    archive = tmp_path / "b.zip"
    archive.write_bytes(zip_bytes(files))
    with pytest.raises(
        BundleError, match=r"b.zip: bundle refused: zip entries \[.*\] are not plain file names"
    ):
        load_bundle(archive)


def test_a_manifest_listing_a_path_is_refused_in_a_folder_too(tmp_path: Path) -> None:
    folder = write(documents(), tmp_path / "b")
    manifest = json.loads((folder / fmt.MANIFEST).read_text())
    manifest["files"]["../x"] = manifest["files"]["policy.json"]
    (folder / fmt.MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(BundleError, match=r"manifest.json: files: '../x' is not a plain file name"):
        load_bundle(folder)


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        ("[1, 2]", r"manifest.json must be a JSON object; got a list$"),
        ('"text"', r"manifest.json must be a JSON object; got a str$"),
    ],
)
def test_a_manifest_that_is_not_an_object_is_one_line(tmp_path: Path, manifest: str, message: str) -> None:
    folder = write(documents(), tmp_path / "b")
    (folder / fmt.MANIFEST).write_text(manifest)
    with pytest.raises(BundleError, match=message):
        load_bundle(folder)


def test_a_manifest_file_entry_that_is_a_string_is_one_line(tmp_path: Path) -> None:
    folder = write(documents(), tmp_path / "b")
    manifest = json.loads((folder / fmt.MANIFEST).read_text())
    manifest["files"]["policy.json"] = "abc"
    (folder / fmt.MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(
        BundleError, match=r"files.policy.json: must be an object with a sha256 string; got 'abc'"
    ):
        load_bundle(folder)
    manifest["files"] = ["policy.json"]
    (folder / fmt.MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(BundleError, match=r"manifest.json: files must be an object of file name"):
        load_bundle(folder)


def test_a_signed_bundle_loads_with_its_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, "exporter-secret")
    folder = write(documents(), tmp_path / "b")
    signature = (folder / fmt.SIGNATURE).read_bytes()
    assert signature == sign((folder / fmt.MANIFEST).read_bytes(), b"exporter-secret")
    assert load_bundle(folder).name == "hand_card"
    monkeypatch.delenv(KEY_ENV)
    assert load_bundle(folder).name == "hand_card"  # no key configured: the signature is not checked


def test_with_a_key_an_unsigned_bundle_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write(documents(), tmp_path / "b")
    assert not (folder / fmt.SIGNATURE).exists()
    monkeypatch.setenv(KEY_ENV, "exporter-secret")
    with pytest.raises(BundleError, match=f"bundle refused: it is not signed and {KEY_ENV} is set"):
        load_bundle(folder)


@pytest.mark.parametrize("forger_key", [None, b"another-key"])
def test_an_edited_policy_with_its_hash_recomputed_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forger_key: bytes | None
) -> None:
    monkeypatch.setenv(KEY_ENV, "exporter-secret")
    folder = write(documents(), tmp_path / "b")
    files = _files(folder)
    policy = json.loads(files["policy.json"])
    policy["cutoffs"]["approve"] = 0  # approve everyone
    files["policy.json"] = fmt.canonical_json(policy)
    files = _relist(files)
    if forger_key is not None:  # re-signed by someone without the exporter's key
        files[fmt.SIGNATURE] = sign(files[fmt.MANIFEST], forger_key)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    with pytest.raises(BundleError, match=r"manifest.sig does not match the manifest under the key"):
        load_bundle(folder)
    archive = tmp_path / "forged.zip"
    archive.write_bytes(zip_bytes(files))
    with pytest.raises(BundleError, match=r"forged.zip: bundle refused: manifest.sig does not match"):
        load_bundle(archive)
