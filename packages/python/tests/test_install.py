"""The package installs offline into a fresh venv, with nothing from PyPI."""

from __future__ import annotations

import subprocess
import sys

from conftest import PACKAGE


def test_offline_install_into_a_venv(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    pip = subprocess.run([str(venv / "bin" / "pip"), "install", "--no-build-isolation", "--no-index", str(PACKAGE)],
                         capture_output=True, text=True, timeout=300)
    assert pip.returncode == 0, pip.stdout + pip.stderr
    check = "import pocketdock, pocketdock.async_, pocketdock.types, pocketdock.errors, pocketdock.profiles, " \
            "pocketdock.projects; print(pocketdock.__file__, pocketdock.get_version())"
    out = subprocess.run([str(venv / "bin" / "python"), "-c", check], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    where, version = out.stdout.split()
    assert where.startswith(str(venv)) and version == __import__("pocketdock").__version__
