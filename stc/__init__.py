"""stc — the S1mpleTrader strategy compiler.

One import root for everything the distribution installs, so that a user's own
``compiler``, ``runtime`` or ``plugins`` packages never collide with stc's
(``docs/architecture.md`` draws the rooms):

- ``stc.runtime``  — the SDK plugins are written against, and the executor;
- ``stc.compiler`` — the pipeline of pure passes from YAML to a checked plan;
- ``stc.plugins``  — the reference plugins;
- ``stc.commands`` — the command line, one module per command.

Importing ``stc`` itself imports nothing else: ``stc check`` starts cold.
"""
