"""The ledger as a plugin with ``ledger: read`` sees it: read-only (issue 26).

Plugins used to get the live :class:`~stc.runtime.ledger.Ledger`, so ``ledger.cash +=``
in a sizer changed the account — and kept the change after its flow was rolled back
(a fault rolls back the handler's staged orders, not the ledger). The view offers
exactly the :class:`~stc.runtime.workers.LedgerView` protocol: :meth:`snapshot` (an
immutable ``LedgerSnapshot``) and :meth:`closed_trade_returns` (a tuple); it has no
attribute that leads to the ledger and refuses every attribute write, so a write is
an ``AttributeError`` in the plugin's call, a fault of that flow.

In-process this is a guard against mistakes, not a sandbox: Python code that digs
through closures or the garbage collector can still reach any object (see
``docs/robustness.md``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

from stc.runtime.dtos.ledger import LedgerSnapshot
from stc.runtime.ledger import Ledger


class ReadOnlyLedger:
    """What ``Worker.ledger`` returns: the two reads of ``LedgerView``, nothing else."""

    __slots__ = ("_read_returns", "_read_snapshot")
    _read_snapshot: Callable[[], LedgerSnapshot]
    _read_returns: Callable[[], tuple[float, ...]]

    def __init__(self, ledger: Ledger) -> None:
        # closures, not the ledger or its bound methods: no ``view._ledger`` or
        # ``view.snapshot.__self__`` leads back to the live object
        snapshot: Callable[[], LedgerSnapshot] = lambda: ledger.snapshot()  # noqa: E731
        returns: Callable[[], tuple[float, ...]] = lambda: ledger.closed_trade_returns()  # noqa: E731
        object.__setattr__(self, "_read_snapshot", snapshot)
        object.__setattr__(self, "_read_returns", returns)

    def snapshot(self) -> LedgerSnapshot:
        """The account as of the last change (an immutable snapshot)."""
        return self._read_snapshot()

    def closed_trade_returns(self) -> tuple[float, ...]:
        """Realised return (pnl / risk) of every closed trade, oldest first."""
        return self._read_returns()

    def __setattr__(self, name: str, value: Any) -> NoReturn:
        raise AttributeError(f"the ledger is read-only for plugins: cannot set {name!r}")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(f"the ledger is read-only for plugins: cannot delete {name!r}")

    def __repr__(self) -> str:
        return "ReadOnlyLedger()"
