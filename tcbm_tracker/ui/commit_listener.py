"""A background thread that hears a server's commits (LISTEN/NOTIFY) and says so to the window.

The wait for a notification blocks on the network, so it runs on a thread of its own, never on
the window's thread nor on the job thread (which it would hold for as long as nothing happens).
``heard`` is emitted once per notification and reaches the window's thread queued; live updates
then read the change feed at once. While the server cannot be reached, the thread tries again
every ``RETRY_MS``; the one-second poll stays the fallback and says the server is gone.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QThread, Signal

from tcbm_tracker.domain.errors import StorageError
from tcbm_tracker.services.change_feed import CommitListener

WAIT_S = 0.25  # how long one wait lasts: stopping the thread takes at most this long
RETRY_MS = 1_000  # between attempts to reconnect while the server is unreachable


class CommitListenerThread(QThread):
    heard = Signal()

    def __init__(self, listener: CommitListener, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.listener = listener

    def run(self) -> None:
        try:
            while not self.isInterruptionRequested():
                try:
                    if self.listener.wait(WAIT_S):
                        self.heard.emit()
                except (StorageError, OSError):
                    # The server is gone: the poll says so in the banner; listen again once it is back.
                    self._pause(RETRY_MS)
        finally:
            self.listener.close()

    def _pause(self, ms: int) -> None:
        step = int(WAIT_S * 1000)
        for _ in range(max(1, ms // step)):
            if self.isInterruptionRequested():
                return
            self.msleep(step)

    def stop(self) -> None:
        """Ask the thread to end and wait for it (at most one wait, plus closing the connection)."""
        self.requestInterruption()
        self.wait()
