"""Run a terminal program in a pseudo-terminal of a given size, as staff's SSH would."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import termios
import time


class PtyProgram:
    def __init__(self, argv: list[str], *, cols: int = 80, rows: int = 24,
                 env: dict[str, str] | None = None) -> None:
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # the child: become the program
            child_env = {**os.environ, "TERM": "xterm-256color", **(env or {})}
            # An installed program runs from compiled bytecode (pip writes it); a
            # development shell that forbids bytecode would time the compiler instead.
            child_env.pop("PYTHONDONTWRITEBYTECODE", None)
            os.execvpe(argv[0], argv, child_env)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.output = b""

    def wait_for(self, marker: bytes, timeout: float = 60.0) -> float:
        """Seconds from start until `marker` has been drawn."""
        deadline = time.perf_counter() + timeout
        while marker not in self.output:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"{marker!r} not drawn in {timeout} s; got "
                                   f"{self.output[-300:]!r}")
            ready, _, _ = select.select([self.fd], [], [], min(left, 0.05))
            if ready:
                try:
                    self.output += os.read(self.fd, 65536)
                except OSError:
                    break
        return time.perf_counter() - self.started

    def send(self, data: str) -> None:
        os.write(self.fd, data.encode())

    def rss_mb(self) -> float:
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        try:
            os.kill(self.pid, signal.SIGTERM)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(self.fd)
