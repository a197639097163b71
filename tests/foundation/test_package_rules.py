"""The package rules of docs/packages.md, checked on every import of the application (at module
level and inside functions alike): imports point one way, the platforms meet only in jobs/, and
no module of the application imports itself back through another."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("core", "mapping", "integrations", "jobs", "web")
PLATFORMS = ("integrations.amazon", "integrations.shopify", "integrations.woocommerce")
# what each package may import of ours (besides itself), as docs/packages.md says
ALLOWED = {
    "core": set(),
    "mapping": set(),
    "integrations": {"core"},
    "jobs": {"core", "mapping", "integrations"},
    "web": {"core", "mapping", "integrations", "jobs"},
}
OURS = {*PACKAGES, "app", "sandbox", "tests", "bench"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, module: str) -> set[str]:
    """Every module of ours that `module` imports, resolved to its full dotted name."""
    found = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.add(target)
            # `from package import module` imports that module
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return {name for name in found if name.split(".")[0] in OURS}


def _graph() -> dict[str, set[str]]:
    modules = {
        _module_name(path): path for package in PACKAGES for path in (REPO / package).rglob("*.py")
    }
    return {
        name: {target for target in _imports(path, name) if target in modules}
        | {target for target in _imports(path, name) if target.split(".")[0] not in PACKAGES}
        for name, path in modules.items()
    }


def test_imports_point_one_way():
    broken = []
    for module, targets in _graph().items():
        package = module.split(".")[0]
        for target in targets:
            top = target.split(".")[0]
            if top != package and top not in ALLOWED[package]:
                broken.append(f"{module} imports {target}")
    assert broken == []


def test_the_platforms_meet_only_in_jobs():
    crossing = []
    for module, targets in _graph().items():
        own = next((p for p in PLATFORMS if module == p or module.startswith(p + ".")), None)
        if own is None:
            continue
        others = [p for p in PLATFORMS if p != own]
        crossing += [
            f"{module} imports {t}"
            for t in targets
            if any(t == p or t.startswith(p + ".") for p in others)
        ]
    assert crossing == []


def test_no_import_cycle():
    """Tarjan's strongly connected components over module imports (lazy ones included: a cycle
    hidden in a function is still a cycle of responsibilities)."""
    # a package's __init__ naming its own submodules (`from web.api import x`) is no cycle
    graph = {m: {t for t in ts if t in _graph_keys and t != m} for m, ts in _graph().items()}
    index, low, stack, on_stack, cycles = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph[node]:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    assert cycles == []


_graph_keys = {
    _module_name(path) for package in PACKAGES for path in (REPO / package).rglob("*.py")
}
