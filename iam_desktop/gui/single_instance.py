"""One running app per user: a second launch hands its files to the first over a local socket."""

from __future__ import annotations

import getpass
import hashlib
import json
import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

INSTANCE_NAME_ENV = "IAM_DESKTOP_INSTANCE_NAME"
DEFAULT_TIMEOUT_MS = 1000
ANSWER_TIMEOUT_MS = 10_000  # a starting instance answers once its first window is up and its event loop runs
_ACK = b"ok\n"
_REFUSED = b"error\n"
_MAX_MESSAGE_BYTES = 1 << 20


def server_name() -> str:
    """Return the local-socket name the running app listens on, one per user.

    Returns
    -------
    str
        ``IAM_DESKTOP_INSTANCE_NAME`` when set (tests use it to stay apart from a real session),
        else ``iam-desktop-`` followed by a short hash of the user name and home folder.
    """
    override = os.environ.get(INSTANCE_NAME_ENV)
    if override:
        return override
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    digest = hashlib.sha256(f"{user}\0{Path.home()}".encode()).hexdigest()[:16]
    return f"iam-desktop-{digest}"


def encode_request(files: list[Path]) -> bytes:
    """Encode the files to open as one JSON line (absolute paths)."""
    return json.dumps({"open": [str(path.absolute()) for path in files]}).encode() + b"\n"


def decode_request(message: bytes) -> list[Path]:
    """Decode a request line into the files to open.

    Raises
    ------
    ValueError
        When the message is not JSON of the form ``{"open": ["/abs/path", ...]}``.
    """
    data = json.loads(message.decode("utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("open"), list):
        raise ValueError("request must be an object with an 'open' list")
    files = data["open"]
    if not all(isinstance(entry, str) and Path(entry).is_absolute() for entry in files):
        raise ValueError("'open' must list absolute paths")
    return [Path(entry) for entry in files]


def send_to_running_instance(
    files: list[Path], name: str | None = None, timeout_ms: int = DEFAULT_TIMEOUT_MS, answer_ms: int = ANSWER_TIMEOUT_MS
) -> bool:
    """Ask an already running app to open ``files``; return whether it accepted.

    Parameters
    ----------
    files
        Model files to open (relative paths are made absolute here, against this process's folder).
        An empty list asks the running app to bring a window to the front.
    name
        The socket name; ``server_name()`` when omitted.
    timeout_ms
        How long to wait to connect and to send before giving up.
    answer_ms
        How long to wait for the answer once connected: the running app may still be busy starting
        (the connection is queued until its event loop runs).

    Returns
    -------
    bool
        ``True`` when a running instance acknowledged the request; ``False`` when none answered
        (no instance, or a stale socket left by a crashed one), so the caller starts normally.
    """
    socket = QLocalSocket()
    socket.connectToServer(name or server_name())
    if not socket.waitForConnected(timeout_ms):
        return False
    socket.write(QByteArray(encode_request(files)))
    if not socket.waitForBytesWritten(timeout_ms):
        socket.abort()
        return False
    answer = b""
    while not answer.endswith(b"\n") and socket.waitForReadyRead(answer_ms):
        answer += bytes(socket.readAll().data())
    socket.abort()
    return answer == _ACK


class InstanceServer(QObject):
    """The running app's end of the handoff: listens and emits the files a second launch sends.

    Parameters
    ----------
    parent
        The owning object (usually the application).

    Signals
    -------
    files_received(list)
        A list of ``Path`` to open, each in a new window; an empty list means "show yourself".
    """

    files_received = Signal(list)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_new_connection)
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self, name: str | None = None) -> bool:
        """Start listening; take over the name when it is only a stale socket of a dead instance.

        Parameters
        ----------
        name
            The socket name; ``server_name()`` when omitted.

        Returns
        -------
        bool
            ``True`` when listening. ``False`` when another live instance answers on the name (two
            launches racing) or the socket cannot be created; the app then runs on its own.

        Notes
        -----
        Qt's listen with access options replaces an existing socket file, so a live instance is
        detected by connecting to it first; whatever is left after that is stale and removed.
        """
        name = name or server_name()
        probe = QLocalSocket()
        probe.connectToServer(name)
        if probe.waitForConnected(DEFAULT_TIMEOUT_MS):
            probe.abort()
            return False
        QLocalServer.removeServer(name)
        return self._server.listen(name)

    def close(self) -> None:
        """Stop listening and free the name."""
        self._server.close()

    def _on_new_connection(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._on_ready_read(s))
            socket.disconnected.connect(lambda s=socket: self._on_disconnected(s))
            if socket.bytesAvailable():
                self._on_ready_read(socket)

    def _on_ready_read(self, socket: QLocalSocket) -> None:
        if socket not in self._buffers:
            return
        buffer = self._buffers[socket] + bytes(socket.readAll().data())
        if b"\n" not in buffer and len(buffer) < _MAX_MESSAGE_BYTES:
            self._buffers[socket] = buffer
            return
        del self._buffers[socket]
        try:
            files = decode_request(buffer.split(b"\n", 1)[0])
        except (ValueError, UnicodeDecodeError):
            socket.write(QByteArray(_REFUSED))
            socket.disconnectFromServer()
            return
        socket.write(QByteArray(_ACK))
        socket.flush()
        socket.disconnectFromServer()
        self.files_received.emit(files)

    def _on_disconnected(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.readyRead.disconnect()
        socket.disconnected.disconnect()
        socket.deleteLater()
