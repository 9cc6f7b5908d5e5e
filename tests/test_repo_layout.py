"""Rules about the repository itself (see the design's layout and rules)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIB = ROOT / "lib"
PAGES = ROOT / "pages"
APP = ROOT / "app.py"

OPEN_COMMAND = "pip install -r requirements.txt && streamlit run app.py"
TEST_COMMAND = "pip install -r requirements-dev.txt && python -m pytest"

FORBIDDEN_NAMES = {"eval", "exec", "parse_expr", "sympify"}
FORBIDDEN_ATTRIBUTES = {"eval", "query", "parse_expr", "sympify"}


def _py_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _engine_files() -> list[Path]:
    assert LIB.is_dir(), "lib/ is missing"
    files = _py_files(LIB)
    assert files, "lib/ holds no Python files"
    return files


def test_only_lib_ui_imports_streamlit() -> None:
    ui = LIB / "ui"
    offenders = []
    for path in _engine_files():
        if ui in path.parents:
            continue
        for node in ast.walk(_parse(path)):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            if any(m == "streamlit" or m.startswith("streamlit.") for m in modules):
                offenders.append(f"{_rel(path)}:{node.lineno}")
    assert not offenders, f"only lib/ui/ may import streamlit: {offenders}"


def _forbidden_calls(tree: ast.Module) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in FORBIDDEN_NAMES:
                found.append((node.lineno, f"{func.id}()"))
            elif isinstance(func, ast.Attribute) and func.attr in FORBIDDEN_ATTRIBUTES:
                found.append((node.lineno, f".{func.attr}()"))
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name in {"parse_expr", "sympify"}:
                    found.append((node.lineno, f"import of {alias.name}"))
    return found


def test_no_eval_exec_query_or_parse_expr() -> None:
    files = [*_engine_files(), *(_py_files(PAGES) if PAGES.is_dir() else []), APP]
    offenders = []
    for path in files:
        if not path.is_file():
            continue
        for lineno, what in _forbidden_calls(_parse(path)):
            offenders.append(f"{_rel(path)}:{lineno}: {what}")
    assert not offenders, (
        "user text goes through lib.world.expressions only; found eval/exec/query/parse_expr/"
        f"sympify: {offenders}"
    )


def test_forbidden_call_detector_catches_the_usual_suspects() -> None:
    source = (
        "import pandas as pd\n"
        "from sympy import sympify\n"
        "eval('1')\n"
        "exec('x = 1')\n"
        "pd.eval('a + b')\n"
        "df.query('a > 1')\n"
        "parse_expr('x')\n"
        "sympy.parsing.sympy_parser.parse_expr('x')\n"
        "st.query_params.get('x')\n"
    )
    found = [what for _, what in _forbidden_calls(ast.parse(source))]
    assert found == [
        "import of sympify",
        "eval()",
        "exec()",
        ".eval()",
        ".query()",
        "parse_expr()",
        ".parse_expr()",
    ]


def test_no_page_calls_st_navigation() -> None:
    assert APP.is_file(), "app.py is missing"
    assert PAGES.is_dir(), "pages/ is missing"
    offenders = []
    for path in [APP, *_py_files(PAGES)]:
        text = path.read_text(encoding="utf-8")
        if "st.navigation" in text:
            offenders.append(f"{_rel(path)}: mentions st.navigation")
        for node in ast.walk(ast.parse(text, filename=str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "navigation"
            ):
                offenders.append(f"{_rel(path)}:{node.lineno}: calls .navigation()")
    assert not offenders, f"multipage mode is the pages/ folder, never st.navigation: {offenders}"


def _quick_start_blocks() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Quick start\n(.*?)(?=^## |\Z)", readme, re.MULTILINE | re.DOTALL)
    assert match, "README.md has no '## Quick start' section"
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```", match.group(1), re.MULTILINE | re.DOTALL)
    return [block.strip() for block in blocks]


def test_readme_has_exactly_the_two_commands() -> None:
    assert _quick_start_blocks() == [OPEN_COMMAND, TEST_COMMAND]


def test_ci_runs_the_readme_test_command() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    lines = [line.strip() for line in script.splitlines()]
    assert any(line.startswith(TEST_COMMAND) for line in lines), (
        f".ci/run must run the README's test command: {TEST_COMMAND}"
    )


#: What each part of lib/ may import from lib/ (docs/architecture.md says why), floor by
#: floor: ``text`` (and ``errors``) at the bottom, then the world, the fitting, ICP, the
#: words written from their numbers, and the rest. A module not listed may import what
#: its package may; every package may import its own modules.
ALLOWED_IMPORTS: dict[str, set[str]] = {
    "lib.errors": set(),
    "lib.text": set(),
    "lib.world": {"lib.errors", "lib.text"},
    "lib.fitting": {"lib.errors", "lib.text", "lib.world"},
    "lib.invariance": {"lib.errors", "lib.text", "lib.world", "lib.fitting"},
    "lib.words": {"lib.errors", "lib.text", "lib.world", "lib.fitting", "lib.invariance"},
    "lib.tables": {"lib.errors", "lib.text", "lib.world", "lib.fitting"},
    "lib.figures": {"lib.errors", "lib.text", "lib.world", "lib.fitting"},
    "lib.teach": {
        "lib.errors",
        "lib.text",
        "lib.words",
        "lib.world",
        "lib.fitting",
        "lib.tables",
        "lib.invariance",
        "lib.figures",
    },
    "lib.live": {"lib.errors", "lib.text", "lib.teach"},
    "lib.attribution": {"lib.errors", "lib.text", "lib.world", "lib.fitting"},
    "lib.blackbox": {"lib.errors", "lib.text", "lib.fitting"},
    "lib.ui": {"lib"},
}


def test_the_layers_have_floors() -> None:
    """No package may import one that may import it back, however indirectly."""
    graph = {
        package: {a for a in allowed if a != "lib"}
        for package, allowed in ALLOWED_IMPORTS.items()
        if package != "lib.ui"
    }

    def below(package: str, seen: frozenset[str]) -> None:
        assert package not in seen, f"the import rules go round in a circle: {sorted(seen)}"
        for lower in graph.get(package, ()):
            below(lower, seen | {package})

    for package in graph:
        below(package, frozenset())
    assert graph["lib.text"] == set(), "lib.text is the floor: it imports nothing from lib"


def _rule(module: str) -> tuple[str, set[str]]:
    best = max((k for k in ALLOWED_IMPORTS if module == k or module.startswith(k + ".")), key=len)
    return best, ALLOWED_IMPORTS[best]


def test_packages_import_only_the_layers_below_them() -> None:
    offenders = []
    for path in _engine_files():
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        if module == "lib":
            continue
        own, allowed = _rule(module)
        for node in ast.walk(_parse(path)):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            for name in names:
                if not (name == "lib" or name.startswith("lib.")):
                    continue
                ok = name.startswith(own) or any(
                    name == a or name.startswith(a + ".") for a in allowed
                )
                if not ok:
                    offenders.append(f"{_rel(path)}:{node.lineno} imports {name}")
    assert not offenders, "an import against the layers of docs/architecture.md:\n" + "\n".join(
        offenders
    )


def _private_uses(tree: ast.Module, own: str) -> list[tuple[int, str]]:
    """``from lib.x import _name``, and ``module._name`` of a lib module imported whole,
    where ``lib.x`` is another module than ``own``."""
    found = []
    modules: dict[str, str] = {}  # local name -> lib module imported whole
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if not node.module.startswith("lib"):
                continue
            for alias in node.names:
                name = alias.name
                if name.startswith("_") and not name.startswith("__") and node.module != own:
                    found.append((node.lineno, f"{node.module}.{name}"))
                else:  # ``from lib.figures import charts`` imports a module
                    modules[alias.asname or name] = f"{node.module}.{name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("lib.") and alias.asname:
                    modules[alias.asname] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and modules[node.value.id] != own
        ):
            found.append((node.lineno, f"{modules[node.value.id]}.{node.attr}"))
    return found


def test_no_module_uses_another_modules_private_names() -> None:
    """A name another module needs is public (lib.figures.style's ``style``, ``subsample``...)."""
    offenders = []
    for path in _engine_files():
        own = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for lineno, name in _private_uses(_parse(path), own):
            offenders.append(f"{_rel(path)}:{lineno} uses {name}")
    assert not offenders, "private names used across modules:\n" + "\n".join(offenders)


def test_private_use_detector_catches_both_forms() -> None:
    source = (
        "from lib.figures.charts import _style, label\n"
        "from lib.figures import charts\n"
        "import lib.ui.params as params\n"
        "charts._subsample(3, 2, 0)\n"
        "params._quote('x')\n"
        "charts.rmse_bars\n"
    )
    found = [name for _, name in _private_uses(ast.parse(source), "lib.figures.blackbox")]
    assert sorted(found) == [
        "lib.figures.charts._style",
        "lib.figures.charts._subsample",
        "lib.ui.params._quote",
    ]


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _lib_imports(tree: ast.Module, modules: set[str]) -> set[str]:
    """The lib modules a module imports anywhere in it (``if TYPE_CHECKING:`` aside)."""
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for stmt in node.body
        for inner in ast.walk(stmt)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:  # ``from lib.ui import css`` imports the module lib.ui.css
                whole = f"{node.module}.{alias.name}"
                found.add(whole if whole in modules else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found & modules


def test_no_modules_import_each_other_in_a_circle() -> None:
    """Not even through an import inside a function (state and widgets once did)."""
    import networkx as nx

    files = {_module_name(p): p for p in _engine_files()}
    graph = nx.DiGraph()
    for module, path in files.items():
        for other in _lib_imports(_parse(path), set(files) - {"lib", module}):
            graph.add_edge(module, other)
    circles = [" -> ".join([*c, c[0]]) for c in nx.simple_cycles(graph)]
    assert not circles, "modules that import each other:\n" + "\n".join(circles)


def test_the_architecture_map_states_the_same_rules() -> None:
    """docs/architecture.md's table of floors is ALLOWED_IMPORTS, word for word."""
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d+) \| (`[^|]*`) \| ([^|]*) \|$", doc, re.M)
    assert rows, "docs/architecture.md has no table of floors"
    stated: dict[str, set[str]] = {}
    for _, packages, allowed in rows:
        names = {f"lib.{n}" for n in re.findall(r"`(\w+)`", allowed)}
        if allowed.strip() == "anything":
            names = {"lib"}
        for package in re.findall(r"`(\w+)`", packages):
            stated[f"lib.{package}"] = names
    assert stated == ALLOWED_IMPORTS
