"""The house as docs/architecture.md draws it: every module of `bot/` in one layer, imports only down or
within a layer, and no import cycle.

What counts: every `import` at a module's top level, those under `if TYPE_CHECKING:` too (a type is
knowledge of the module it comes from). An import inside a function (how `cli` and `commands/` start
fast, how only mail with a PDF pays for pdfplumber) must point down or within its layer as well; it
runs after every module is loaded, so it is left out of the cycle check.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

BOT = Path(__file__).resolve().parent.parent / "bot"

# Bottom first. A module may import its own layer and those before it.
LAYERS: tuple[tuple[str, frozenset[str]], ...] = tuple((name, frozenset(modules.split())) for name, modules in (
    ("vocabulary", "bot domain errors teams patterns partners literals redaction"),
    ("edges: settings, store, mailboxes", "config timescales store leases sending library_warnings mailbox mailbox.*"),
    ("parse", "mail autoreply html_text"),
    ("read: what a mail says", "extract extract.* rules staff trust acceptance note_left"),
    ("classify and link", "classify linking reading categories reconcile"),
    ("plan", "drafting compose guards lifecycle sweep figures"),
    ("act", "handlers outbox"),
    ("the pipeline", "pipeline"),
    ("around it: jobs, service, what people read", "jobs service health digest alerts reports views reference "
     "figures_report report_mail charts pilot pilot_report observability demo logs"),
    ("the command line", "cli commands commands.* migrations migrations.env"),
))

def _name(path: Path) -> str:
    parts = path.relative_to(BOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts) or "bot"


MODULES = {_name(p): p for p in BOT.rglob("*.py") if "versions" not in p.relative_to(BOT).parts}


def _layer(module: str) -> int:
    for n, (_, members) in enumerate(LAYERS):
        if module in members or any(m.endswith(".*") and module.startswith(m[:-1]) for m in members):
            return n
    raise AssertionError(f"bot/{module.replace('.', '/')} is in no layer: place it in LAYERS (and the doc)")


def _imports(module: str) -> Iterator[tuple[str, bool]]:
    """Each module of `bot` that `module` imports, and whether it does so at its top level."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]

    def walk(node: ast.AST, top: bool) -> Iterator[tuple[str, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                yield from ((target, top) for target in _targets(child, package))
            else:
                yield from walk(child, top and not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef
                                                                 | ast.Lambda))

    yield from ((t, top) for t, top in walk(ast.parse(path.read_text()), True) if t != module)


def _targets(node: ast.Import | ast.ImportFrom, package: str) -> Iterator[str]:
    if isinstance(node, ast.Import):
        written = [alias.name for alias in node.names]
    else:
        base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
        stem = ".".join([*base, node.module] if node.module else base)
        written = [stem, *(f"{stem}.{alias.name}" for alias in node.names)]
    for name in written:
        name = name.removeprefix("bot.") if name != "bot" else name
        while name and name not in MODULES:
            name = name.rpartition(".")[0]
        if name:
            yield name


def _edges(top_only: bool) -> set[tuple[str, str]]:
    return {(m, t) for m in MODULES for t, top in _imports(m) if top or not top_only}


def test_every_module_has_a_layer() -> None:
    for module in MODULES:
        _layer(module)


def test_imports_point_down_or_within_a_layer() -> None:
    upward = sorted(f"{m} ({LAYERS[_layer(m)][0]}) imports {t} ({LAYERS[_layer(t)][0]})"
                    for m, t in _edges(top_only=False) if _layer(t) > _layer(m))
    assert not upward, "imports up the layers:\n" + "\n".join(upward)


def test_no_import_cycle() -> None:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for m, t in _edges(top_only=True):
        graph[m].add(t)
    cycle = _a_cycle(graph)
    assert cycle is None, "an import cycle: " + " -> ".join(cycle or [])


def test_the_vocabulary_imports_no_reader_and_the_settings_no_team_table() -> None:
    """Issue 24: the check teams' table is vocabulary (its readers are looked up by name), and the settings are
    checked against it where the two are wired together, so `import bot.config` loads no reader."""
    vocabulary = LAYERS[0][1]
    assert not {t for m, t in _edges(top_only=False) if m in vocabulary} - vocabulary
    assert "teams" not in {t for m, t in _edges(top_only=False) if m == "config"}


def _a_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of `graph` as the path round it, or None (a depth-first search keeping the path)."""
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> list[str] | None:
        if node in path:
            return [*path[path.index(node):], node]
        if node in done:
            return None
        for target in sorted(graph[node]):
            if found := visit(target, [*path, node]):
                return found
        done.add(node)
        return None

    return next((c for m in sorted(graph) if (c := visit(m, [])) is not None), None)
