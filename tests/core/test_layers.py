"""The core's imports, read statically (every ``import`` statement, also those inside functions):
the core imports no plugin, and its modules import each other without circles."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLUGIN_PACKAGES = ("ballots", "plugins", "adapters")


def _modules() -> dict[str, Path]:
    modules = {}
    for path in sorted((ROOT / "core").rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _imported(module: str, path: Path) -> set[str]:
    """Every name an import statement of the file imports (``from a import b``: a.b, which ``_graph``
    reads as the module a.b when there is one, else as a)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
                package = package[: len(package) - node.level + 1]
                base = ".".join(package + ([base] if base else []))
            # ``from a import b``: the module a.b when there is one, else a (see ``_graph``)
            names.update(f"{base}.{alias.name}" if base else alias.name for alias in node.names)
    return names


def _graph() -> dict[str, set[str]]:
    modules = _modules()

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    return {
        module: {target for name in _imported(module, path) if (target := resolve(name)) and target != module}
        for module, path in modules.items()
    }


def _circles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[set[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        circles.append(component)
    return circles


def test_the_core_imports_no_plugin():
    offenders = []
    for module, path in _modules().items():
        for name in sorted(_imported(module, path)):
            if name.split(".")[0] in PLUGIN_PACKAGES:
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not offenders, "the core must reach plugins through hooks and protocols only:\n" + "\n".join(offenders)


def test_the_finder_sees_a_circle():
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]
    assert _circles({"a": {"b"}, "b": set()}) == []


def test_the_core_has_no_import_circle():
    """A circle means two modules that cannot be understood, tested or moved one without the
    other: the piece both need belongs in a third module that imports neither."""
    circles = _circles(_graph())
    assert not circles, "import circles in the core:\n" + "\n".join(" <-> ".join(sorted(c)) for c in circles)


def test_from_a_package_import_a_module_points_at_the_module():
    graph = _graph()
    # core.reports.pdf: ``from core.reports import charts``, the module, not the package's __init__
    assert "core.reports.charts" in graph["core.reports.pdf"]
    assert "core.reports" not in graph["core.reports.pdf"]
    # a name defined in a package's __init__ points at the package
    assert "core.tabular" in graph["core.services.org_lists"]


def test_the_plugin_registry_imports_neither_services_nor_the_web():
    graph = _graph()
    assert not {m for m in graph["core.plugins"] if m.startswith(("core.services", "core.web"))}


def test_a_feature_plugin_imports_no_other_plugin():
    """Feature plugins (``plugins/<name>/``) are enabled one by one: one that imported another
    would break where that one is not installed. They meet through the core's hooks and
    services only (DESIGN section 10)."""
    offenders = []
    for package in sorted(p for p in (ROOT / "plugins").iterdir() if (p / "__init__.py").exists()):
        for path in sorted(package.rglob("*.py")):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            for name in sorted(_imported(module, path)):
                parts = name.split(".")
                if parts[0] == "plugins" and len(parts) > 1 and parts[1] != package.name:
                    if (ROOT / "plugins" / parts[1] / "__init__.py").exists():
                        offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not offenders, "a feature plugin reaches another through core hooks only:\n" + "\n".join(offenders)
