"""The screenshot of docs/editor.md: ``stc lsp`` in Neovim, driven headless in tmux.

Usage::

    .venv/bin/python tools/editor_screenshot.py [--out docs/img]

Needs ``nvim`` (0.7 or later), ``tmux`` and Chromium. Opens a copy of
``tests/fixtures/stc003_unknown_plugin.yaml`` in Neovim with ``stc lsp`` attached,
waits for the diagnostics, opens a new worker line ``- plugin: `` below the
misspelt one in ``context_workers`` and asks for completion (omni completion, ``<C-x><C-o>``), then
captures the pane with its colours (``tmux capture-pane -e``) before and after,
renders each as HTML and screenshots it with headless Chromium
(``stc-lsp-neovim-diagnostics.png``, ``stc-lsp-neovim-completion.png``). The text
capture is written next to each image (``.txt``) so what it shows can be checked as
text.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
SESSION = "stc_lsp_screenshot"
INIT_LUA = """
vim.o.termguicolors = true
vim.o.signcolumn = "yes"
vim.o.number = true
vim.o.completeopt = "menuone,noselect"
vim.o.pumheight = 12
local client = vim.lsp.start_client({{
  name = "stc", cmd = {{ "{stc}", "lsp" }}, root_dir = "{root}",
}})
vim.api.nvim_create_autocmd("FileType", {{ pattern = "yaml", callback = function(args)
  vim.lsp.buf_attach_client(args.buf, client)
  vim.bo[args.buf].omnifunc = "v:lua.vim.lsp.omnifunc"
end }})
vim.diagnostic.config({{
  virtual_text = true, underline = true, signs = true, update_in_insert = true,
}})
"""


def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], check=True, capture_output=True, text=True).stdout


def capture(folder: Path) -> tuple[str, str]:
    """Drive Neovim; the pane (with ANSI colours) once the diagnostics are shown, and
    again with the completion menu open."""
    demo = folder / "strategy.yaml"
    shutil.copy(PROJECT / "tests" / "fixtures" / "stc003_unknown_plugin.yaml", demo)
    init = folder / "init.lua"
    init.write_text(INIT_LUA.format(stc=PROJECT / ".venv" / "bin" / "stc", root=folder), "utf-8")
    _tmux("new-session", "-d", "-s", SESSION, "-x", "120", "-y", "24",
          f"nvim -u {init} {demo}")  # fmt: skip
    try:
        time.sleep(6)  # the server starts and publishes
        diagnostics = _tmux("capture-pane", "-e", "-p", "-t", SESSION)
        _tmux("send-keys", "-t", SESSION, ":9", "Enter")  # the `EMADetecter` worker
        _tmux("send-keys", "-t", SESSION, "o", "C-u")
        _tmux("send-keys", "-t", SESSION, "-l", "    - plugin: ")
        time.sleep(1)
        _tmux("send-keys", "-t", SESSION, "C-x", "C-o")
        time.sleep(3)
        return diagnostics, _tmux("capture-pane", "-e", "-p", "-t", SESSION)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", SESSION], check=False)


_SGR = re.compile(r"\x1b\[([0-9;]*)m")
_BASIC = ["#000000", "#cd3131", "#0dbc79", "#e5e510", "#2472c8", "#bc3fbc", "#11a8cd", "#e5e5e5"]
_BRIGHT = ["#666666", "#f14c4c", "#23d18b", "#f5f543", "#3b8eea", "#d670d6", "#29b8db", "#ffffff"]


def _color256(n: int) -> str:
    if n < 8:
        return _BASIC[n]
    if n < 16:
        return _BRIGHT[n - 8]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return f"#{steps[n // 36]:02x}{steps[n // 6 % 6]:02x}{steps[n % 6]:02x}"
    level = 8 + (n - 232) * 10
    return f"#{level:02x}{level:02x}{level:02x}"


def _style(codes: list[int], state: dict[str, str]) -> None:
    i = 0
    while i < len(codes):
        code = codes[i]
        if code == 0:
            state.clear()
        elif code == 1:
            state["font-weight"] = "bold"
        elif code == 4:
            state["text-decoration"] = "underline"
        elif code in (38, 48) and i + 1 < len(codes):
            key = "color" if code == 38 else "background"
            if codes[i + 1] == 5 and i + 2 < len(codes):
                state[key], i = _color256(codes[i + 2]), i + 2
            elif codes[i + 1] == 2 and i + 4 < len(codes):
                r, g, b = codes[i + 2 : i + 5]
                state[key], i = f"#{r:02x}{g:02x}{b:02x}", i + 4
        elif code == 39:
            state.pop("color", None)
        elif code == 49:
            state.pop("background", None)
        elif 30 <= code <= 37:
            state["color"] = _BASIC[code - 30]
        elif 40 <= code <= 47:
            state["background"] = _BASIC[code - 40]
        elif 90 <= code <= 97:
            state["color"] = _BRIGHT[code - 90]
        i += 1


def to_html(ansi: str) -> str:
    """The captured pane as a page (ANSI SGR colours as inline styles)."""
    out, state = [], {}  # type: ignore[var-annotated]
    position = 0
    for match in _SGR.finditer(ansi):
        text = ansi[position : match.start()]
        css = ";".join(f"{k}:{v}" for k, v in state.items())
        out.append(f'<span style="{css}">{html.escape(text)}</span>' if text else "")
        codes = [int(c) for c in match.group(1).split(";") if c] or [0]
        _style(codes, state)
        position = match.end()
    out.append(html.escape(ansi[position:]))
    body = "".join(out)
    return (
        "<html><body style='margin:0;background:#1e1e1e;color:#d4d4d4'>"
        "<pre style='font:14px/1.25 DejaVu Sans Mono,monospace;margin:8px'>"
        f"{body}</pre></body></html>"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=PROJECT / "docs" / "img")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        panes = capture(folder)
        for name, ansi in zip(("diagnostics", "completion"), panes, strict=True):
            page, image = folder / f"{name}.html", args.out / f"stc-lsp-neovim-{name}.png"
            page.write_text(to_html(ansi), "utf-8")
            subprocess.run(
                ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                 f"--screenshot={image.resolve()}", "--window-size=1060,460", page.as_uri()],
                check=True, capture_output=True,
            )  # fmt: skip
            image.with_suffix(".txt").write_text(_SGR.sub("", ansi), "utf-8")
            print(f"wrote {image} and {image.with_suffix('.txt')}")


if __name__ == "__main__":
    main()
