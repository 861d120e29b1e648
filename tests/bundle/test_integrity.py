"""A bundle is refused when a byte changes, a file goes or appears, or its format is newer; exports are byte-stable."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest

from scorecard.bundle import format as fmt
from scorecard.bundle.runtime import load_bundle
from scorecard.errors import BundleError
from tests.bundle.conftest import documents, write


def test_manifest_lists_the_sha256_of_every_other_file(app_bundle_dir: Path) -> None:
    manifest = json.loads((app_bundle_dir / "manifest.json").read_text())
    assert set(manifest["files"]) == {p.name for p in app_bundle_dir.iterdir()} - {"manifest.json"}
    for name, entry in manifest["files"].items():
        data = (app_bundle_dir / name).read_bytes()
        assert entry == {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    assert manifest["format_version"] == fmt.FORMAT_VERSION
    assert manifest["card"] == {
        "name": "hand_card",
        "type": "application",
        "description": "hand-written test card",
    }
    assert manifest["created_at"] == "2026-01-02T03:04:05Z"
    assert manifest["features"] == ["age", "inq_3m", "channel"]


def test_every_json_file_matches_its_published_schema(app_bundle_dir: Path) -> None:
    for name in ("manifest.json", *fmt.JSON_FILES):
        doc = json.loads((app_bundle_dir / name).read_text())
        jsonschema.Draft202012Validator(fmt.json_schema(name)).validate(doc)


def test_a_changed_byte_is_refused(app_bundle_dir: Path) -> None:
    path = app_bundle_dir / "scorecard.json"
    data = bytearray(path.read_bytes())
    i = data.index(b'"points": 20')
    data[i + len(b'"points": ')] = ord("9")  # 20 -> 90 points for age >= 40
    path.write_bytes(bytes(data))
    with pytest.raises(
        BundleError, match=r"scorecard\.json: changed: its SHA-256 differs from the manifest's"
    ):
        load_bundle(app_bundle_dir)


def test_a_missing_file_is_refused(app_bundle_dir: Path) -> None:
    (app_bundle_dir / "policy.json").unlink()
    with pytest.raises(BundleError, match=r"policy\.json: file is missing"):
        load_bundle(app_bundle_dir)


def test_an_unlisted_file_is_refused(app_bundle_dir: Path) -> None:
    (app_bundle_dir / "extra.json").write_text("{}")
    with pytest.raises(BundleError, match=r"extra\.json: file not listed in the manifest"):
        load_bundle(app_bundle_dir)


@pytest.mark.parametrize(
    ("version", "message"),
    [
        ("2.1", r"bundle format 2\.1 cannot be read by this runtime \(reads 2\.0 and older minor versions\); upgrade"),
        ("3.0", r"bundle format 3\.0 cannot be read by this runtime"),
        ("1.0", r"bundle format 1\.0 is older than this runtime reads \(2\.x\); re-export it from its run: "
                r"scorecard export --run RUN_DIR"),
        ("two", r"format_version must look like 'MAJOR\.MINOR'; got 'two'"),
    ],
)  # fmt: skip
def test_a_format_of_another_version_is_refused(app_bundle_dir: Path, version: str, message: str) -> None:
    manifest = json.loads((app_bundle_dir / "manifest.json").read_text())
    manifest["format_version"] = version
    (app_bundle_dir / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(BundleError, match=message):
        load_bundle(app_bundle_dir)


def test_not_a_bundle(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="no bundle here"):
        load_bundle(tmp_path / "nothing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(BundleError, match=r"manifest\.json is missing"):
        load_bundle(tmp_path / "empty")


def test_export_twice_gives_identical_bytes_folder_and_zip(tmp_path: Path) -> None:
    first = write(documents(), tmp_path / "a" / "bundle", zip=True)
    second = write(documents(), tmp_path / "b" / "bundle", zip=True)
    assert first.read_bytes() == second.read_bytes()
    for f in (tmp_path / "a" / "bundle").iterdir():
        assert f.read_bytes() == (tmp_path / "b" / "bundle" / f.name).read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert {i.date_time for i in archive.infolist()} == {fmt.ZIP_TIMESTAMP}
        assert sorted(archive.namelist()) == sorted(p.name for p in (tmp_path / "a" / "bundle").iterdir())


def test_a_zip_bundle_loads_and_a_tampered_zip_is_refused(tmp_path: Path) -> None:
    archive = write(documents(), tmp_path / "bundle", zip=True)
    assert load_bundle(archive).score_one({"age": 30, "inq_3m": 0, "channel": "online"})["score"] == 530
    with zipfile.ZipFile(archive) as source:
        files = {n: source.read(n) for n in source.namelist()}
    files["reasons.json"] = files["reasons.json"].replace(b"Age of applicant", b"Age of applicanT")
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(tampered, "w") as out:
        for name, data in files.items():
            out.writestr(name, data)
    with pytest.raises(BundleError, match=r"reasons\.json: changed"):
        load_bundle(tampered)


def test_json_is_canonical() -> None:
    assert (
        fmt.canonical_json({"b": 0.1, "a": [1, 2.5e-10]})
        == b'{\n  "a": [\n    1,\n    2.5e-10\n  ],\n  "b": 0.1\n}\n'
    )
    with pytest.raises(BundleError, match=r"\$\.x: nan cannot be written"):
        fmt.canonical_json({"x": float("nan")})


def test_export_refuses_a_folder_with_foreign_files(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("mine")
    with pytest.raises(BundleError, match=r"not part of a bundle \['notes.txt'\]"):
        write(documents(), tmp_path / "out")


def test_loading_and_scoring_import_no_training_libraries(app_bundle_dir: Path) -> None:
    code = f"""
import sys
from scorecard.bundle.runtime import load_bundle
b = load_bundle({str(app_bundle_dir)!r})
b.score_one({{"age": 30, "inq_3m": 0, "channel": "online"}})
b.score_batch({{"age": [30.0], "inq_3m": [0.0], "channel": ["online"], "national_id_hash": ["x"],
               "region": ["north"], "is_emulator": [False]}})
heavy = ("pandas", "sklearn", "optbinning", "lightgbm", "mlflow", "pydantic", "yaml", "scipy", "pyarrow")
print(",".join(sorted(m for m in sys.modules if m.split(".")[0] in heavy)))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
