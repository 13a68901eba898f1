"""``stc lsp``: the checker in the editor (issue 28).

The package is split by concern so that everything but :mod:`stc.compiler.lsp.server` is
plain Python over the compiler's own types, testable without a client:

- :mod:`~stc.compiler.lsp.analysis` — open buffers over the files on disk, which files
  form one compile unit, and checking it with the compiler's pipeline;
- :mod:`~stc.compiler.lsp.cursor` — what is under the cursor, from the parsed YAML (exact)
  or from the text around it (a buffer being typed need not parse);
- :mod:`~stc.compiler.lsp.convert` — compiler diagnostics and marks as LSP types;
- :mod:`~stc.compiler.lsp.completion`, :mod:`~stc.compiler.lsp.hover`,
  :mod:`~stc.compiler.lsp.navigation`, :mod:`~stc.compiler.lsp.actions` — the features;
- :mod:`~stc.compiler.lsp.server` — the pygls server that wires them to the protocol.
"""
