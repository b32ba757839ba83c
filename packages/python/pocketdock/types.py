"""The result types of the API: frozen dataclasses, snake_case, built from the daemon's camelCase answers."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

__all__ = [
    "ExecResult",
    "ContainerInfo",
    "ContainerListItem",
    "StreamChunk",
    "BufferSnapshot",
    "DoctorReport",
    "ProfileInfo",
]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


T = TypeVar("T")


def from_wire(cls: type[T], wire: dict[str, Any]) -> T:
    """An instance of the dataclass ``cls`` from the daemon's camelCase object (unknown keys ignored)."""
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    return cls(**{n: wire[_camel(n)] for n in names if _camel(n) in wire})


@dataclass(frozen=True)
class ExecResult:
    """The outcome of a command."""

    exit_code: int
    """Exit code; 128+N when killed by signal N."""
    stdout: str = ""
    stderr: str = ""
    duration_ms: float = 0.0
    timed_out: bool = False
    """True only when the command was stopped because it ran past its timeout."""
    truncated: bool = False
    """True when stdout or stderr was cut at ``max_output`` bytes."""

    @property
    def ok(self) -> bool:
        """``exit_code == 0`` and not timed out."""
        return self.exit_code == 0 and not self.timed_out


@dataclass(frozen=True)
class _ContainerIdentity:
    """What names a container and its state, alike in a list row and in info()."""

    id: str
    name: str
    status: str
    """"running", "exited", "created", …"""
    image: str = ""
    created_at: str = ""
    """ISO 8601."""


@dataclass(frozen=True)
class ContainerInfo(_ContainerIdentity):
    """A live snapshot of a container."""

    started_at: str = ""
    uptime: str = ""
    """Human uptime, "" when not running."""
    memory_usage: str = ""
    """e.g. "42.1 MB"."""
    memory_limit: str = ""
    """"" when unlimited."""
    memory_percent: float = 0.0
    cpu_percent: float = 0.0
    pids: int = 0
    network: bool = False
    ip_address: str = ""
    ports: dict[int, int] = field(default_factory=dict)
    """host port -> container port."""
    processes: list[dict[str, str]] = field(default_factory=list)
    """Rows of ``top``, keyed by column title."""
    exec_via: str = ""
    """How commands run: "agent" (the in-container supervisor) or "engine" (one engine exec each)."""
    exec_note: str = ""
    """Why commands run as engine execs; "" through the agent."""


@dataclass(frozen=True)
class ContainerListItem(_ContainerIdentity):
    """One managed container, running or stopped."""

    persist: bool = False
    project: str = ""
    """"" when the container has no project."""


@dataclass(frozen=True)
class StreamChunk:
    """A piece of a streamed command's output."""

    stream: Literal["stdout", "stderr"]
    data: str


@dataclass(frozen=True)
class BufferSnapshot:
    """What a detached process has buffered."""

    stdout: str = ""
    stderr: str = ""


@dataclass(frozen=True)
class DoctorReport:
    """A project's instance dirs cross-referenced with its containers."""

    orphaned_containers: list[str] = field(default_factory=list)
    """Names of the project's containers without an instance dir."""
    stale_instance_dirs: list[str] = field(default_factory=list)
    """Instance dirs (absolute paths) without a container."""
    healthy: int = 0
    """Containers with their instance dir."""


@dataclass(frozen=True)
class ProfileInfo:
    """An image profile."""

    name: str
    image_tag: str
    dockerfile_dir: str = ""
    network_default: bool = False
    description: str = ""
    size_estimate: str = ""
