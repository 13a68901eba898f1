"""What the per-flow fault guard may catch, and the plugin time budget (issue 26).

A plugin can raise anything: ``SystemExit`` from ``sys.exit``, ``KeyboardInterrupt``,
``GeneratorExit`` or its own ``BaseException`` subclass all escape an ``except
Exception`` and used to end the whole run (``sys.exit(0)`` in a handler made ``stc run``
exit 0 with no results). The engine's guard catches every ``BaseException`` instead,
except one: a Ctrl-C the user really pressed, which must stop the run resumably as
before. :class:`RunGuard` tells the two apart by installing its own SIGINT handler
for the run (it records that the signal arrived, then raises ``KeyboardInterrupt``
as Python's default handler does); a ``KeyboardInterrupt`` raised while no signal
arrived came from plugin code and is a fault of its flow.

The same object enforces ``plugin_timeout``: a watchdog thread notices when one tick's
flow has been running longer than the budget and asks the main thread to raise
:class:`~stc.runtime.errors.PluginTimeout` (through ``_thread.interrupt_main``, i.e. at the
next bytecode boundary or in an interruptible sleep/wait). The main thread's handler
raises only if that same flow is still running, so a late request never hits the
platform between flows. Code that never returns to the interpreter (a C extension's
loop, a blocking system call Python does not retry-check) cannot be interrupted this
way; ``docs/robustness.md`` says what in-process isolation cannot stop.

Outside the main thread (an engine run from a worker thread) neither can be installed:
every ``KeyboardInterrupt`` then counts as the user's and there is no time budget.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from types import FrameType, TracebackType
from typing import Any

from stc.runtime.errors import PluginTimeout

DEFAULT_PLUGIN_TIMEOUT = 60.0
"""Seconds one tick's flow (every plugin call of that tick) may take before it is a
fault; ``stc run --plugin-timeout`` changes it, 0 turns it off."""

_TIMEOUT_SIGNAL = getattr(signal, "SIGUSR2", None)


class RunGuard:
    """Installed for the length of one engine run (a context manager).

    ``progress`` returns the engine's flow counter, which it bumps before and after
    each tick's guarded work (odd while a flow runs); the engine asks
    :meth:`lets_through` in its ``except BaseException`` whether the exception must end
    the run.
    """

    def __init__(self, timeout: float | None, progress: Callable[[], int]) -> None:
        self.timeout = timeout if timeout and timeout > 0 else None
        self._progress = progress
        self.user_interrupt = False
        self._active = False
        self._previous_sigint: object = None
        self._previous_timeout: object = None
        self._stop = threading.Event()
        self._watchdog: threading.Thread | None = None
        self._requested = -1  # the flow a timeout was requested for
        self._main = 0  # the thread id of the run

    # ------------------------------------------------------------------ context
    def __enter__(self) -> RunGuard:
        if threading.current_thread() is not threading.main_thread():
            return self
        self._active = True
        self._main = threading.get_ident()
        self._previous_sigint = signal.signal(signal.SIGINT, self._on_sigint)
        if self.timeout is not None and _TIMEOUT_SIGNAL is not None:
            self._previous_timeout = signal.signal(_TIMEOUT_SIGNAL, self._on_timeout)
            self._watchdog = threading.Thread(
                target=self._watch, name="stc-plugin-timeout", daemon=True
            )
            self._watchdog.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if not self._active:
            return
        self._stop.set()
        if self._watchdog is not None:
            self._watchdog.join()
            signal.signal(_TIMEOUT_SIGNAL, _handler(self._previous_timeout))  # type: ignore[arg-type]
        signal.signal(signal.SIGINT, _handler(self._previous_sigint))
        self._active = False

    def lets_through(self, exc: BaseException) -> bool:
        """True when ``exc`` must end the run: a Ctrl-C the user pressed (or, with no
        handler installed, any KeyboardInterrupt). Everything else is a plugin's."""
        if not isinstance(exc, KeyboardInterrupt):
            return False
        return self.user_interrupt or not self._active

    # ------------------------------------------------------------------ signals
    def _on_sigint(self, signum: int, frame: FrameType | None) -> None:
        self.user_interrupt = True
        raise KeyboardInterrupt

    def _on_timeout(self, signum: int, frame: FrameType | None) -> None:
        flow = self._progress()
        if flow == self._requested and flow % 2 == 1:
            raise PluginTimeout(f"the flow ran longer than the plugin timeout ({self.timeout:g} s)")

    def _watch(self) -> None:
        assert self.timeout is not None
        step = min(self.timeout / 4, 0.5)
        seen, since = -1, time.monotonic()
        while not self._stop.wait(step):
            now, flow = time.monotonic(), self._progress()
            if flow != seen:
                seen, since = flow, now
                continue
            if flow % 2 == 1 and now - since >= self.timeout and self._requested != flow:
                self._requested = flow
                # a real signal (not _thread.interrupt_main): it also wakes a sleep
                signal.pthread_kill(self._main, _TIMEOUT_SIGNAL)  # type: ignore[arg-type]


def _handler(previous: object) -> Any:
    """A handler ``signal.signal`` accepts back: None (one installed outside Python)
    cannot be restored, so the default takes its place."""
    return signal.SIG_DFL if previous is None else previous
