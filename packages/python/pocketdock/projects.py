"""Projects on the caller's file system: ``.pocketdock/pocketdock.yaml``, found by walking up from a
directory. The daemon reads the rest of the file (defaults, log limits) itself; the client needs
only the root and the ``socket`` key (engine precedence: explicit argument > POCKETDOCK_SOCKET >
project config > the daemon's auto-detection).

The file is a flat mapping of scalars; this module reads and writes that much YAML, no more.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

__all__ = ["find_project_root", "init_project", "PROJECT_DEFAULTS"]

PROJECT_DIR = ".pocketdock"
PROJECT_FILE = "pocketdock.yaml"

#: The file's keys and defaults, in the order ``init_project`` writes them.
PROJECT_DEFAULTS: dict[str, Any] = {
    "project_name": "",
    "default_profile": "minimal-python",
    "default_persist": False,
    "auto_log": True,
    "max_log_size": "10MB",
    "max_logs_per_instance": 100,
    "retention_days": 30,
    "socket": None,
    "log_level": "info",
}


def _config_path(root: Path) -> Path:
    return root / PROJECT_DIR / PROJECT_FILE


def find_project_root(start: str | os.PathLike[str] | None = None) -> Path | None:
    """Walks up from ``start`` (default: cwd) to the first directory holding .pocketdock/pocketdock.yaml."""
    here = Path(start if start is not None else os.getcwd()).resolve()
    for directory in (here, *here.parents):
        if _config_path(directory).is_file():
            return directory
    return None


def init_project(path: str | os.PathLike[str] | None = None, *, project_name: str | None = None) -> Path:
    """Writes .pocketdock/pocketdock.yaml under ``path`` (default: cwd), keeping an existing one; returns the root."""
    root = Path(path if path is not None else os.getcwd()).resolve()
    file = _config_path(root)
    if file.exists():
        return root
    file.parent.mkdir(parents=True, exist_ok=True)
    config = {**PROJECT_DEFAULTS, "project_name": project_name if project_name is not None else root.name}
    file.write_text("".join(f"{key}: {_scalar(value)}\n" for key, value in config.items()))
    return root


_PLAIN = re.compile(r"^[A-Za-z0-9_./][A-Za-z0-9_./ -]*$")
_RESERVED = {"null", "~", "true", "false", "yes", "no", "on", "off", ""}


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    plain = _PLAIN.match(text) and text.lower() not in _RESERVED and not text.endswith(" ") \
        and not re.fullmatch(r"[-+0-9.eE]+", text)
    return text if plain else json.dumps(text)


def _parse_scalar(text: str) -> Any:
    text = text.strip()
    if text.startswith('"'):
        return json.loads(text)
    if text.startswith("'") and text.endswith("'") and len(text) > 1:
        return text[1:-1].replace("''", "'")
    text = re.sub(r"\s+#.*$", "", text)
    lowered = text.lower()
    if lowered in ("null", "~", ""):
        return None
    if lowered in ("true", "false"):
        return lowered == "true"
    if re.fullmatch(r"-?[0-9]+", text):
        return int(text)
    return text


def read_project_config(root: str | os.PathLike[str]) -> dict[str, Any]:
    """The project's top-level keys over the defaults."""
    config = dict(PROJECT_DEFAULTS)
    for line in _config_path(Path(root)).read_text().splitlines():
        match = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)\s*:(.*)$", line)
        if match:
            config[match.group(1)] = _parse_scalar(match.group(2))
    return config


def engine_socket(explicit: str | None, root: Path | None) -> str | None:
    """The engine socket a call should name, or None to leave it to the daemon."""
    if explicit:
        return explicit
    if os.environ.get("POCKETDOCK_SOCKET"):
        return os.environ["POCKETDOCK_SOCKET"]
    if root is not None and _config_path(root).is_file():
        socket = read_project_config(root).get("socket")
        return socket if isinstance(socket, str) and socket else None
    return None
