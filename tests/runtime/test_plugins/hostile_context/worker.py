"""A context worker that misbehaves on the ticks in ``fail_at`` in the way ``mode``
names (issue 26's adversarial cases); on every other tick it scores a harmless
``hostile_ok`` factor, so it takes part in the assessment like any context worker.

Modes: ``nan_score``, ``inf_score``, ``high_score`` (1.5), ``none_worker`` (worker id
None), ``str_score``, ``sys_exit`` (``sys.exit(code)``), ``keyboard_interrupt``,
``generator_exit``, ``base_exception`` (a custom BaseException subclass),
``memory_error``, ``ledger_write`` (adds to the ledger's cash, then raises), ``sleep``
(``seconds``, default 3600), ``thread`` (starts a non-daemon thread sleeping that long).
"""

from __future__ import annotations

import sys
import threading
import time
from decimal import Decimal
from typing import Any

from stc.runtime.dtos.market import TradingContext
from stc.runtime.workers import ContextWorker


class CustomBaseError(BaseException):
    """Not an Exception: escapes every ``except Exception``."""


class HostileContext(ContextWorker):
    def setup(self) -> None:
        self.fail_at = set(self.params.get("fail_at", []))
        self.mode = str(self.params.get("mode", "nan_score"))
        self.code: Any = self.params.get("code", 0)
        self.seconds = float(self.params.get("seconds", 3600))

    def on_tick(self, context: TradingContext) -> None:
        if "*" not in self.fail_at and context.bar.time.isoformat() not in self.fail_at:
            context.score("hostile_ok", 0.5, self.worker_id)
            return None
        mode = self.mode
        if mode == "nan_score":
            context.score("nan_factor", float("nan"), self.worker_id)
        elif mode == "inf_score":
            context.score("inf_factor", float("inf"), self.worker_id)
        elif mode == "high_score":
            context.score("high_factor", 1.5, self.worker_id)
        elif mode == "none_worker":
            context.score("hostile_ok", 0.5, None)
        elif mode == "str_score":
            context.score("hostile_ok", "0.5", self.worker_id)
        elif mode == "sys_exit":
            sys.exit(self.code)
        elif mode == "keyboard_interrupt":
            raise KeyboardInterrupt
        elif mode == "generator_exit":
            raise GeneratorExit
        elif mode == "base_exception":
            raise CustomBaseError("a BaseException from a plugin")
        elif mode == "memory_error":
            raise MemoryError
        elif mode == "ledger_write":
            ledger: Any = self.ledger
            ledger.cash += Decimal(1_000_000)
            raise RuntimeError("wrote to the ledger, then failed")
        elif mode == "thread":  # a non-daemon thread that outlives the run
            threading.Thread(target=time.sleep, args=(self.seconds,), name="hostile").start()
        elif mode == "sleep":
            if "marker" in self.params:  # tells a test the plugin is sleeping now
                with open(self.params["marker"], "w", encoding="utf-8") as out:
                    out.write("sleeping")
            time.sleep(self.seconds)
        return None
