"""The error classes of the reference, rebuilt from the daemon's ``error.data.type``.

The tree mirrors the protocol's error table (``packages/protocol/src/errors.ts``); each class
carries that table's fields as snake_case attributes (``containerId`` -> ``container_id``). The
client adds its own: ``DaemonNotRunning`` and ``DaemonClosedError``.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

__all__ = [
    "PocketDockError",
    "ParseError",
    "InvalidRequest",
    "MethodNotFound",
    "InternalError",
    "SocketError",
    "SocketConnectionError",
    "SocketCommunicationError",
    "PodmanNotRunning",
    "ContainerError",
    "ContainerNotFound",
    "ContainerNotRunning",
    "ContainerGone",
    "FileError",
    "FileNotFound",
    "ImageNotFound",
    "ImageBuildError",
    "SessionClosed",
    "ProjectNotInitialized",
    "ProcessLost",
    "Unauthorized",
    "OptionRefused",
    "LimitExceeded",
    "InvalidParams",
    "DaemonNotRunning",
    "DaemonClosedError",
    "UnsafeArchive",
]


def snake(name: str) -> str:
    """``containerId`` -> ``container_id``."""
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


class PocketDockError(Exception):
    """Any pocketdock failure. ``code`` is the JSON-RPC code and ``data`` every field the daemon sent.

    Positional arguments fill the class's ``fields`` in order (``ContainerNotFound("pd-1", "gone")``);
    ``message`` defaults to them joined.
    """

    fields: ClassVar[tuple[str, ...]] = ("detail",)

    def __init__(self, *args: Any, message: str | None = None, code: int | None = None,
                 data: dict[str, Any] | None = None, **kwargs: Any) -> None:
        values = dict(zip(self.fields, args))
        values.update(kwargs)
        for field in self.fields:
            setattr(self, field, values.get(field, ""))
        if message is None:
            extra = args[len(self.fields):]
            message = ": ".join(str(v) for v in (*args[:len(self.fields)], *extra) if v != "") or type(self).__name__
        super().__init__(message)
        self.message = message
        self.code = code
        self.data: dict[str, Any] = dict(data or {})


class ParseError(PocketDockError):
    """The message is not valid JSON."""


class InvalidRequest(PocketDockError):
    """The message is not a JSON-RPC request the daemon takes (shape, id, size, batch, limits)."""


class MethodNotFound(PocketDockError):
    """No such method (rpc.discover lists them)."""

    fields = ("method",)


class InternalError(PocketDockError):
    """A fault inside the daemon; its log has the details."""


class SocketError(PocketDockError):
    """The container engine could not be talked to."""

    fields = ()


class SocketConnectionError(SocketError):
    """The engine socket refused the connection."""

    fields = ("socket_path", "detail")


class SocketCommunicationError(SocketError):
    """The engine (or the daemon) answered something unreadable or hung up."""

    fields = ("detail",)


class PodmanNotRunning(SocketError):
    """No container engine answers on any known socket; ``hint`` says how to start one."""

    fields = ("hint",)


class ContainerError(PocketDockError):
    """A container operation failed."""

    fields = ("container_id", "detail")


class ContainerNotFound(ContainerError):
    """No such container."""


class ContainerNotRunning(ContainerError):
    """The container exists but is not running."""


class ContainerGone(ContainerError):
    """The container existed and was removed behind pocketdock's back."""


class FileError(ContainerError):
    """A file operation failed on a path in the container."""

    fields = ("container_id", "path", "detail")


class FileNotFound(FileError):
    """No such file or directory in the container."""


class ImageNotFound(PocketDockError):
    """The image is not present in the engine."""

    fields = ("image",)


class ImageBuildError(PocketDockError):
    """Building an image (or bootstrapping its base) failed; ``detail`` has the engine's or the build's own words."""

    fields = ("image", "detail")


class SessionClosed(PocketDockError):
    """The session was closed or its shell died."""

    fields = ("session_id", "reason")


class ProjectNotInitialized(PocketDockError):
    """No .pocketdock/pocketdock.yaml at or above the path."""

    fields = ("path",)


class ProcessLost(PocketDockError):
    """The exec is unknown or did not survive a daemon restart."""

    fields = ("exec_id", "detail")


class Unauthorized(PocketDockError):
    """The caller may not do this (missing token, refused host option)."""

    fields = ("detail",)


class OptionRefused(Unauthorized):
    """An option the daemon refuses this caller (docs/security.md): ``option`` names it, ``rule`` the rule it broke."""

    fields = ("detail", "option", "rule")


class LimitExceeded(PocketDockError):
    """The caller holds as many execs, sessions, terminals or transfers as one client may; ``limit`` names the config key."""

    fields = ("limit", "detail")


class InvalidParams(PocketDockError):
    """A parameter is missing or malformed; ``field`` names it."""

    fields = ("field", "detail")


class DaemonNotRunning(PocketDockError):
    """No pocketdock daemon answers at ``address`` (and none could be started)."""

    fields = ("address",)


class DaemonClosedError(PocketDockError):
    """The daemon hung up in the middle of a call."""


class UnsafeArchive(PocketDockError):
    """A pulled tar holds a member that would land outside the destination."""

    fields = ("member",)


#: The classes the daemon names in ``error.data.type``.
WIRE_CLASSES: dict[str, type[PocketDockError]] = {
    cls.__name__: cls
    for cls in (PocketDockError, ParseError, InvalidRequest, MethodNotFound, InternalError, SocketError, SocketConnectionError, SocketCommunicationError, PodmanNotRunning,
                ContainerError, ContainerNotFound, ContainerNotRunning, ContainerGone, FileError, FileNotFound,
                ImageNotFound, ImageBuildError, SessionClosed, ProjectNotInitialized, ProcessLost, Unauthorized, OptionRefused, LimitExceeded, InvalidParams)
}

def error_from_wire(error: dict[str, Any]) -> PocketDockError:
    """The typed exception for a JSON-RPC error object."""
    data = error.get("data") if isinstance(error.get("data"), dict) else {}
    code = error.get("code")
    cls = WIRE_CLASSES.get(str(data.get("type")), PocketDockError)
    values = {snake(k): v for k, v in data.items() if snake(k) in cls.fields}
    return cls(message=str(error.get("message", "daemon error")), code=code, data=data, **values)
