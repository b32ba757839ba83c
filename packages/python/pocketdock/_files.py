"""A container's file operations. Small writes go inline (``file.write``, base64); anything else
moves through the transfer channel: a call opens an upload or download, then its bytes are one HTTP
body (``PUT``/``GET /transfers/<id>``). push/pull pack and unpack tar archives on this machine and
never write outside the destination.
"""

from __future__ import annotations

import base64
import io
import os
import posixpath
import shutil
import tarfile
import tempfile
from pathlib import Path
from typing import Any, Callable

from ._rpc import Daemon
from .errors import InvalidParams, UnsafeArchive

DEFAULT_LIST_PATH = "/home/sandbox"
#: Content up to this size goes inline in one call; larger content streams as an upload.
INLINE_WRITE_BYTES = 256 * 1024


def container_path(field: str, path: str) -> str:
    """An absolute, normalised path in the container; relative ones are taken from /home/sandbox."""
    if not isinstance(path, str) or not path:
        raise InvalidParams(field, "must be a path in the container", message=f"invalid params: {field} must be a path in the container")
    normal = posixpath.normpath(posixpath.join(DEFAULT_LIST_PATH, path))
    if normal == "/":
        detail = f'must name a file or directory in the container, not "{path}"'
        raise InvalidParams(field, detail, message=f"invalid params: {field} {detail}")
    return normal


class Files:
    def __init__(self, daemon: Daemon, target: Callable[[], dict[str, Any]]) -> None:
        self.daemon = daemon
        self.target = target

    def write_file(self, path: str, content: str | bytes) -> None:
        data = content.encode() if isinstance(content, str) else bytes(content)
        where = container_path("path", path)
        if len(data) <= INLINE_WRITE_BYTES:
            self.daemon.call("file.write", {**self.target(), "path": where, "data": base64.b64encode(data).decode()})
            return
        self._upload({"path": where, "kind": "file", "size": len(data)}, io.BytesIO(data), len(data))

    def read_file(self, path: str) -> bytes:
        sink = io.BytesIO()
        self._download(container_path("path", path), "file", sink)
        return sink.getvalue()

    def list_files(self, path: str = DEFAULT_LIST_PATH) -> list[str]:
        return list(self.daemon.call("file.list", {**self.target(), "path": container_path("path", path)})["names"])

    def push(self, src: str | os.PathLike[str], dest: str) -> None:
        where = container_path("dest", dest)
        source = Path(src)
        if not source.exists() and not source.is_symlink():
            raise FileNotFoundError(f"cannot push {source}: no such file or directory")
        with tempfile.TemporaryFile() as spool:
            with tarfile.open(fileobj=spool, mode="w", format=tarfile.PAX_FORMAT) as tar:
                tar.add(str(source), arcname=posixpath.basename(where), recursive=True)
            size = spool.tell()
            spool.seek(0)
            self._upload({"path": posixpath.dirname(where), "kind": "tar"}, spool, size)

    def pull(self, src: str, dest: str | os.PathLike[str]) -> None:
        with tempfile.TemporaryFile() as spool:
            self._download(container_path("src", src), "tar", spool)
            spool.seek(0)
            with tarfile.open(fileobj=spool, mode="r") as tar:
                _extract(tar, Path(dest).resolve())

    def _upload(self, start: dict[str, Any], body: Any, size: int) -> None:
        upload_id = self.daemon.call("file.uploadStart", {**self.target(), **start})["uploadId"]
        try:
            self.daemon.put_transfer(upload_id, body, size)
        except BaseException:
            _cancel(self.daemon, upload_id)
            raise

    def _download(self, path: str, kind: str, sink: Any) -> None:
        download_id = self.daemon.call("file.downloadStart", {**self.target(), "path": path, "kind": kind})["downloadId"]
        try:
            self.daemon.get_transfer(download_id, sink)
        except BaseException:
            _cancel(self.daemon, download_id)
            raise


def _cancel(daemon: Daemon, transfer_id: str) -> None:
    try:
        daemon.call("file.cancel", {"transferId": transfer_id})
    except Exception:  # the transfer's own failure is the one worth raising
        pass


def _extract(tar: tarfile.TarFile, dest: Path) -> None:
    """Unpacks ``tar`` so that its top member becomes ``dest``; refuses names and links leading out."""
    members = tar.getmembers()
    if not members:
        return
    top = members[0].name.split("/")[0]
    for member in members:
        parts = member.name.split("/")
        if member.name.startswith("/") or ".." in parts or parts[0] != top:
            raise UnsafeArchive(member.name, message=f"refusing to pull {member.name}: it would land outside {dest}")
        target = dest.joinpath(*parts[1:]) if len(parts) > 1 else dest
        if member.issym() or member.islnk():
            base = target.parent if member.issym() else dest.parent
            resolved = os.path.normpath(os.path.join(base, member.linkname))
            if member.islnk() or os.path.isabs(member.linkname) or not (resolved + "/").startswith(str(dest) + "/"):
                continue  # a link out of the destination is left out
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_symlink() or target.exists():
                target.unlink()
            os.symlink(member.linkname, target)
        elif member.isdir():
            target.mkdir(parents=True, exist_ok=True)
            os.chmod(target, (member.mode & 0o7777) | 0o700)
        elif member.isfile():
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_symlink():
                target.unlink()  # never write through a link
            source = tar.extractfile(member)
            assert source is not None
            with source, open(target, "wb") as out:
                shutil.copyfileobj(source, out)
            os.chmod(target, member.mode & 0o7777)
