"""Build ``dist/radar_sleep.zip``, the file HACS installs (``python -m publish.release``).

HACS (``hacs.json``: ``zip_release`` with ``filename``) downloads the release's
``radar_sleep.zip`` asset and unpacks it into ``custom_components/radar_sleep/``, so the zip
holds the integration's files at its root: ``manifest.json``, the Python modules, the
translations, the brand images, the model files. Caches (``__pycache__``, ``*.pyc``) are left
out, and in a git checkout only tracked files go in. The zip is reproducible: files in sorted
order with a fixed time stamp, so the same tree gives the same bytes. ``scripts/release`` runs
this.

``--version`` checks that ``manifest.json`` carries the version being released (a release tag
``v0.1.0`` or ``0.1.0``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
import subprocess
import sys
import zipfile

ROOT = Path(__file__).resolve().parents[1]
INTEGRATION = ROOT / "custom_components" / "radar_sleep"
FILENAME = "radar_sleep.zip"
TIMESTAMP = (2026, 1, 1, 0, 0, 0)
"""Every entry's time stamp (zip times cannot be before 1980; any fixed value will do)."""
SKIPPED_PARTS = {"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
SKIPPED_SUFFIXES = {".pyc", ".pyo"}


def files() -> list[Path]:
    """The integration's files that go into the zip, sorted.

    In a git checkout the files git tracks, else every file; caches never.
    """
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--", str(INTEGRATION)],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
    except OSError, subprocess.CalledProcessError:
        listed = b""
    if listed:
        candidates = [ROOT / name for name in listed.decode().split("\0") if name]
    else:
        candidates = [path for path in INTEGRATION.rglob("*") if path.is_file()]
    return sorted(
        path
        for path in candidates
        if path.is_file()
        and not SKIPPED_PARTS.intersection(path.relative_to(INTEGRATION).parts)
        and path.suffix not in SKIPPED_SUFFIXES
    )


def build(out_dir: Path, version: str | None = None) -> Path:
    """Write ``out_dir/radar_sleep.zip``; ``ValueError`` if ``version`` is not the manifest's."""
    manifest = json.loads((INTEGRATION / "manifest.json").read_text())
    hacs = json.loads((ROOT / "hacs.json").read_text())
    if hacs.get("filename") != FILENAME or not hacs.get("zip_release"):
        raise ValueError(f"hacs.json must name {FILENAME} with zip_release")
    if version is not None and version.removeprefix("v") != manifest["version"]:
        raise ValueError(f"manifest.json says {manifest['version']}, releasing {version}")
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / FILENAME
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in files():
            info = zipfile.ZipInfo(path.relative_to(INTEGRATION).as_posix(), TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--version", help="the version being released (checked)")
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="output folder")
    args = parser.parse_args()
    try:
        target = build(args.out, args.version)
    except ValueError as err:
        sys.exit(f"release: {err}")
    with zipfile.ZipFile(target) as archive:
        count = len(archive.namelist())
    print(f"{target} ({count} files, {target.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
