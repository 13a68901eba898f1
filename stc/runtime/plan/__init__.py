"""The compiled plan: its format (``model``), loading it (``load``) and importing its
worker classes (``classes``). The runtime loads plans without the compiler.

``load_worker_class`` is imported on first use: ``classes`` pulls in the worker base
classes and every runtime DTO, which the compiler (importing the format for its own
models) must not pay for in a ``stc check`` that the cache answers — and whose presence
in ``sys.modules`` ``stc.compiler.classes`` reads as "the classes are loaded already".
"""

from typing import TYPE_CHECKING, Any

from stc.runtime.plan.errors import PlanError as PlanError
from stc.runtime.plan.load import load_plan as load_plan
from stc.runtime.plan.model import FORMAT_VERSION as FORMAT_VERSION
from stc.runtime.plan.model import BatchSpec as BatchSpec
from stc.runtime.plan.model import EventSpec as EventSpec
from stc.runtime.plan.model import Plan as Plan
from stc.runtime.plan.model import PluginSource as PluginSource
from stc.runtime.plan.model import SubscriberSpec as SubscriberSpec
from stc.runtime.plan.model import WorkerSpec as WorkerSpec

if TYPE_CHECKING:
    from stc.runtime.plan.classes import load_worker_class as load_worker_class


def __getattr__(name: str) -> Any:
    if name == "load_worker_class":
        from stc.runtime.plan.classes import load_worker_class

        return load_worker_class
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
