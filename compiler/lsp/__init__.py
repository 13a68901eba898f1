"""``stc lsp``: the checker in the editor (issue 28).

The package is split by concern so that everything but :mod:`compiler.lsp.server` is
plain Python over the compiler's own types, testable without a client:

- :mod:`~compiler.lsp.analysis` — open buffers over the files on disk, which files
  form one compile unit, and checking it with the compiler's pipeline;
- :mod:`~compiler.lsp.cursor` — what is under the cursor, from the parsed YAML (exact)
  or from the text around it (a buffer being typed need not parse);
- :mod:`~compiler.lsp.convert` — compiler diagnostics and marks as LSP types;
- :mod:`~compiler.lsp.completion`, :mod:`~compiler.lsp.hover`,
  :mod:`~compiler.lsp.navigation`, :mod:`~compiler.lsp.actions` — the features;
- :mod:`~compiler.lsp.server` — the pygls server that wires them to the protocol.
"""
