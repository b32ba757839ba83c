"""pocketdock: sandbox containers for programs, served by the local pocketdock daemon.

The sync API. Every call blocks; ``pocketdock.async_`` has the same API as coroutines.
"""

from ._api import (
    attach_process,
    attach_session,
    create_new_container,
    destroy_container,
    doctor,
    list_containers,
    prune,
    resume_container,
    stop_container,
)
from ._container import Container
from ._process import SyncExecStream, SyncProcess
from ._session import SyncSession
from ._version import __version__, get_version
from .errors import (
    ContainerError,
    ContainerGone,
    ContainerNotFound,
    ContainerNotRunning,
    DaemonClosedError,
    DaemonNotRunning,
    FileError,
    FileNotFound,
    ImageBuildError,
    ImageNotFound,
    InternalError,
    InvalidParams,
    InvalidRequest,
    LimitExceeded,
    MethodNotFound,
    OptionRefused,
    ParseError,
    PocketDockError,
    PodmanNotRunning,
    ProcessLost,
    ProjectNotInitialized,
    SessionClosed,
    SocketCommunicationError,
    SocketConnectionError,
    SocketError,
    Unauthorized,
)
from .profiles import list_profiles, resolve_profile
from .projects import find_project_root, init_project
from .types import (
    BufferSnapshot,
    ContainerInfo,
    ContainerListItem,
    DoctorReport,
    ExecResult,
    ProfileInfo,
    StreamChunk,
)

Session = SyncSession
Process = SyncProcess
ExecStream = SyncExecStream

__all__ = [
    "__version__", "get_version",
    "create_new_container", "resume_container", "list_containers", "stop_container", "destroy_container", "prune",
    "doctor", "attach_process", "attach_session", "find_project_root", "init_project", "resolve_profile", "list_profiles",
    "Container", "Session", "SyncSession", "Process", "SyncProcess", "ExecStream", "SyncExecStream",
    "ExecResult", "ContainerInfo", "ContainerListItem", "StreamChunk", "BufferSnapshot", "DoctorReport", "ProfileInfo",
    "PocketDockError", "ParseError", "InvalidRequest", "MethodNotFound", "InternalError", "SocketError", "SocketConnectionError", "SocketCommunicationError", "PodmanNotRunning",
    "ContainerError", "ContainerNotFound", "ContainerNotRunning", "ContainerGone", "FileError", "FileNotFound",
    "ImageNotFound", "ImageBuildError", "SessionClosed", "ProjectNotInitialized", "ProcessLost", "Unauthorized", "OptionRefused", "LimitExceeded", "InvalidParams",
    "DaemonNotRunning", "DaemonClosedError",
]
