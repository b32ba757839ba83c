"""A PEP 517 build backend in the standard library alone, so that pocketdock installs offline into
any virtualenv: ``python3 -m venv .venv && .venv/bin/pip install --no-build-isolation ./packages/python``.
(Debian's setuptools cannot build a wheel in a fresh venv: its ``bdist_wheel`` lives in the separate
``wheel`` package, which venvs do not get.) The package is pure Python: one wheel for every platform.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "pocketdock"
TAG = "py3-none-any"


def _version() -> str:
    text = (ROOT / NAME / "_version.py").read_text()
    match = re.search(r'^__version__ = "([^"]+)"', text, re.M)
    assert match, "pocketdock/_version.py must set __version__"
    return match.group(1)


def _metadata() -> str:
    readme = (ROOT / "README.md").read_text()
    return (f"Metadata-Version: 2.1\nName: {NAME}\nVersion: {_version()}\n"
            "Summary: Python client of the pocketdock daemon: sandbox containers with the reference pocketdock API\n"
            "Requires-Python: >=3.10\nLicense: MIT\nClassifier: Programming Language :: Python :: 3\n"
            "Classifier: Operating System :: POSIX\nDescription-Content-Type: text/markdown\n\n" + readme)


def _dist_info() -> str:
    return f"{NAME}-{_version()}.dist-info"


def _sources() -> list[Path]:
    return sorted(p for p in (ROOT / NAME).rglob("*.py") if "__pycache__" not in p.parts)


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def _dist_info_files() -> dict[str, bytes]:
    wheel = f"Wheel-Version: 1.0\nGenerator: pocketdock_build\nRoot-Is-Purelib: true\nTag: {TAG}\n"
    return {"METADATA": _metadata().encode(), "WHEEL": wheel.encode()}


def _write_wheel(directory: str, files: dict[str, bytes]) -> str:
    name = f"{NAME}-{_version()}-{TAG}.whl"
    info = _dist_info()
    files = {**files, **{f"{info}/{k}": v for k, v in _dist_info_files().items()}}
    record = [_record_line(n, d) for n, d in files.items()] + [f"{info}/RECORD,,"]
    with zipfile.ZipFile(Path(directory) / name, "w", zipfile.ZIP_DEFLATED) as whl:
        for n, d in files.items():
            whl.writestr(n, d)
        whl.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return name


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    info = Path(metadata_directory) / _dist_info()
    info.mkdir(parents=True, exist_ok=True)
    for name, data in _dist_info_files().items():
        (info / name).write_bytes(data)
    return info.name


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _write_wheel(wheel_directory, {p.relative_to(ROOT).as_posix(): p.read_bytes() for p in _sources()})


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    # A .pth line puts the checkout's folder on sys.path: edits take effect without reinstalling.
    return _write_wheel(wheel_directory, {f"{NAME}.pth": f"{ROOT}\n".encode()})


def build_sdist(sdist_directory, config_settings=None):
    base = f"{NAME}-{_version()}"
    name = f"{base}.tar.gz"
    with tarfile.open(Path(sdist_directory) / name, "w:gz") as tar:
        for path in [ROOT / "pyproject.toml", ROOT / "README.md", *_sources(), *sorted((ROOT / "build_backend").glob("*.py"))]:
            tar.add(path, arcname=f"{base}/{path.relative_to(ROOT).as_posix()}")
        pkg_info = _metadata().encode()
        entry = tarfile.TarInfo(f"{base}/PKG-INFO")
        entry.size = len(pkg_info)
        tar.addfile(entry, io.BytesIO(pkg_info))
    return name
