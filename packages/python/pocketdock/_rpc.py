"""Talking to the daemon: JSON-RPC requests as ``POST /rpc`` and transfer bodies as
``PUT``/``GET /transfers/<id>``, over its Unix socket or its TCP port (with the bearer token).

Each call is one HTTP request on its own connection, so any number of threads may call at once and
a long call (a blocking run, a long-poll) holds up nothing else.
"""

from __future__ import annotations

import http.client
import itertools
import json
import secrets
import socket
import threading
import time
from typing import IO, Any
from urllib.parse import quote, urlparse

from .errors import (DaemonClosedError, DaemonNotRunning, PocketDockError, SocketCommunicationError, Unauthorized,
                     error_from_wire)

TRANSFER_ROUTE = "/transfers/"
RESUME_TOKEN_HEADER = "pocketdock-resume-token"
#: The methods whose non-persistent container is leased to the caller's resume token.
LEASING = frozenset({"container.create", "container.adopt"})
_ids = itertools.count(1)
_ids_lock = threading.Lock()
#: This process's resume token: the daemon leases the non-persistent containers it creates to it.
PROCESS_TOKEN = secrets.token_urlsafe(24)


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str) -> None:
        super().__init__("localhost")
        self._path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(self._path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


class Daemon:
    """Where a daemon answers: a Unix socket path, or ``http://127.0.0.1:PORT`` / ``ws://…`` with a token."""

    def __init__(self, address: str, token: str | None = None) -> None:
        self.address = address
        self.token = token
        self._heartbeat: threading.Thread | None = None
        url = urlparse(address) if "://" in address else None
        self._tcp = (url.hostname or "127.0.0.1", url.port or 80) if url else None

    @property
    def local(self) -> bool:
        """Whether the daemon shares this machine's file system (a Unix socket)."""
        return self._tcp is None

    def _connection(self) -> http.client.HTTPConnection:
        if self._tcp is None:
            return _UnixConnection(self.address)
        return http.client.HTTPConnection(*self._tcp)

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**headers, **(extra or {})}

    def request(self, method: str, path: str, body: bytes | IO[bytes] | None = None,
                headers: dict[str, str] | None = None) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
        """Sends one HTTP request; the caller reads the response and closes the connection."""
        conn = self._connection()
        try:
            conn.request(method, path, body=body, headers=self._headers(headers))
            return conn, conn.getresponse()
        except (FileNotFoundError, ConnectionRefusedError) as err:
            conn.close()
            raise DaemonNotRunning(self.address, message=f"no pocketdock daemon answers at {self.address}: {err}") from err
        except (OSError, http.client.HTTPException) as err:
            conn.close()
            raise DaemonClosedError(message=f"connection to the daemon at {self.address} broke off: {err}") from err

    def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        """One JSON-RPC call; raises the typed error the daemon answers."""
        with _ids_lock:
            request_id = next(_ids)
        body = json.dumps({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params or {}}).encode()
        headers = {"Content-Type": "application/json", RESUME_TOKEN_HEADER: PROCESS_TOKEN}
        conn, res = self.request("POST", "/rpc", body, headers)
        try:
            text = res.read()
        except (OSError, http.client.HTTPException) as err:
            raise DaemonClosedError(message=f"connection to the daemon at {self.address} broke off: {err}") from err
        finally:
            conn.close()
        result = self._answer(res.status, text, method)
        if method in LEASING and isinstance(result, dict) and not result.get("persist"):
            self._hold_leases()
        return result

    def _hold_leases(self) -> None:
        """Keeps this process's leases while it lives: the daemon removes the non-persistent containers
        of a caller that has not called for its grace period (a script that died), as the TypeScript
        client's closed connection does. A daemon thread calls often enough, and dies with the process."""
        with _ids_lock:
            if self._heartbeat is not None:
                return
            self._heartbeat = threading.Thread(target=self._beat, name="pocketdock-leases", daemon=True)
        self._heartbeat.start()

    def _beat(self) -> None:
        try:
            grace = float(self.call("daemon.hello", {"client": "pocketdock-python"}).get("leaseGraceSeconds", 30))
        except PocketDockError:
            grace = 30.0
        while True:
            time.sleep(max(grace / 3, 0.5))
            try:
                self.call("daemon.version")
            except PocketDockError:
                pass  # the daemon is away for now: the next beat tries again

    def _answer(self, status: int, text: bytes, what: str) -> Any:
        try:
            reply = json.loads(text)
        except ValueError:
            detail = f"{what}: HTTP {status}: {text[:200]!r}"
            if status == 401:
                raise Unauthorized(detail, message=f"the daemon refused the request ({detail})") from None
            raise SocketCommunicationError(detail, message=f"unreadable answer from the daemon: {detail}") from None
        if isinstance(reply, dict) and reply.get("error"):
            raise error_from_wire(reply["error"])
        if status != 200 or not isinstance(reply, dict):
            detail = f"{what}: HTTP {status}"
            raise SocketCommunicationError(detail, message=f"unexpected answer from the daemon: {detail}")
        return reply.get("result", reply)

    def put_transfer(self, transfer_id: str, body: bytes | IO[bytes], size: int) -> Any:
        """Sends an upload's bytes; returns the daemon's JSON answer."""
        path = TRANSFER_ROUTE + quote(transfer_id, safe="")
        conn, res = self.request("PUT", path, body, {"Content-Length": str(size), "Content-Type": "application/octet-stream"})
        try:
            return self._answer(res.status, res.read(), f"transfer {transfer_id}")
        finally:
            conn.close()

    def get_transfer(self, transfer_id: str, sink: IO[bytes]) -> int:
        """Writes a download's bytes to ``sink``; returns how many arrived."""
        path = TRANSFER_ROUTE + quote(transfer_id, safe="")
        conn, res = self.request("GET", path)
        try:
            if res.status != 200:
                self._answer(res.status, res.read(), f"transfer {transfer_id}")
            total = 0
            while chunk := res.read(1 << 16):
                sink.write(chunk)
                total += len(chunk)
            return total
        except (OSError, http.client.HTTPException) as err:
            raise SocketCommunicationError(str(err), message=f"transfer {transfer_id} broke off: {err}") from err
        finally:
            conn.close()
