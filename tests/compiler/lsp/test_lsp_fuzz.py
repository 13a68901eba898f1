"""Malformed documents never crash or stall ``stc lsp``: the inputs of the compiler's
fuzz tests (random well-formed blueprints, mutated reference blueprints) and raw text
are opened in the real server, which must publish diagnostics for each and still
answer completion, hover and definition anywhere in it."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.compiler.lsp.stdio_client import StdioClient
from tests.compiler.test_fuzz_compiler import blueprints, mutated
from tests.conftest import REFERENCE_STRATEGIES, REPO

SERVER = [sys.executable, "-m", "stc.commands.cli", "lsp", "--debounce", "0"]
URI = (REPO / "tests" / "fixtures" / "lsp_fuzz.yaml").as_uri()  # a buffer only, never written


@pytest.fixture(scope="module")
def server() -> Iterator[StdioClient]:
    client = StdioClient(SERVER, cwd=REPO)
    client.initialize(REPO)
    yield client
    client.stop()


TEXTS = st.one_of(
    blueprints().map(lambda doc: yaml.safe_dump(doc, sort_keys=False)),
    st.builds(
        mutated,
        st.sampled_from(REFERENCE_STRATEGIES[:4]),
        st.lists(
            st.tuples(
                st.sampled_from(["delete", "duplicate", "cut", "indent", "dedent"]),
                st.integers(0, 80),
            ),
            min_size=1,
            max_size=4,
        ),
    ),
    st.text(max_size=300),
    st.text(alphabet="-:{}[]#&*!|>'\" \n\tabcplugin", max_size=200),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(text=TEXTS, where=st.tuples(st.integers(0, 60), st.integers(0, 40)))
def test_server_survives_any_document(
    server: StdioClient, text: str, where: tuple[int, int]
) -> None:
    server.open(URI, text)
    for diagnostic in server.wait_diagnostics(URI):
        assert diagnostic["code"].startswith("STC") and diagnostic["message"]
        assert diagnostic["range"]["start"]["line"] >= 0
    position = {"line": where[0], "character": where[1]}
    document = {"textDocument": {"uri": URI}, "position": position}
    completion = server.request("textDocument/completion", document)
    assert completion is None or isinstance(completion["items"], list)
    server.request("textDocument/hover", document)
    server.request("textDocument/definition", document)
    server.change(URI, text[: len(text) // 2], 2)  # and a half-typed version of it
    server.wait_diagnostics(URI)
    server.close_document(URI)
    assert server.wait_diagnostics(URI) == []
    assert not [line for line in server.log if "Traceback" in line], server.log
    assert server.process.poll() is None
