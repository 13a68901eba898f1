"""The command room: the ``stc`` command line. ``cli`` parses and dispatches; each
command's work lives in its own module. Nothing outside this package imports it;
``stc.compiler`` and ``stc.runtime`` are libraries with no argparse and no printing."""
