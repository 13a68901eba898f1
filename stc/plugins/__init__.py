"""The reference plugins.

``stc.runtime`` is imported first: its guard decides whether the compiled plugin
modules (``stc.runtime._native.NATIVE_PLUGIN_MODULES``) may load, and it must run
before the first of them is imported, or a stale build could load beside edited
sources.
"""

import stc.runtime  # noqa: F401
