"""The package import graph of `bot/`, read from the source with `ast` (imports inside functions too),
and its cycles. Run it to see the layers:

    .venv/bin/python -m tests.support.import_graph [ROOT]

Nodes are bot's packages (`bot.learning`, `bot.storage`, ...), each channel (`bot.channels.telegram`)
and each top-level module (`bot.clock`, `bot.messages`, ...); `telegram` stands for python-telegram-bot.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

Graph = dict[str, set[str]]


def node_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] == "telegram":
        return "telegram"
    if parts[0] != "bot":
        return None
    if len(parts) >= 3 and parts[1] == "channels":
        return ".".join(parts[:3])
    return ".".join(parts[:2]) if len(parts) > 1 else "bot"


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, module: str) -> set[str]:
    found: set[str] = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            found.add(target)
            # `from bot import clock` imports the module bot.clock, not the package bot.
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def build(root: Path) -> Graph:
    graph: Graph = defaultdict(set)
    known = {module_name(path, root) for path in root.rglob("*.py")}
    for path in sorted(root.rglob("*.py")):
        module = module_name(path, root)
        source = node_of(module)
        if source is None:
            continue
        graph.setdefault(source, set())
        for imported in imports_of(path, module):
            if imported.startswith("bot") and imported not in known and imported.rpartition(".")[0] in known:
                imported = imported.rpartition(".")[0]  # `from bot.x import name`: the module bot.x
            target = node_of(imported)
            if imported == "bot":
                continue  # `from bot import clock` names the module bot.clock, counted above
            if target is not None and target != source and (target == "telegram" or imported in known):
                graph[source].add(target)
    return dict(graph)


def cycles(graph: Graph) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for neighbour in sorted(graph.get(node, ())):
            if neighbour not in index:
                visit(neighbour)
                low[node] = min(low[node], low[neighbour])
            elif neighbour in on_stack:
                low[node] = min(low[node], index[neighbour])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def main(argv: list[str]) -> int:
    root = Path(argv[0]) if argv else Path(__file__).resolve().parents[2] / "bot"
    graph = build(root)
    for source in sorted(graph):
        print(f"{source:<24} -> {', '.join(sorted(graph[source])) or '(nothing)'}")
    found = cycles(graph)
    print("\ncycles: " + ("; ".join(" <-> ".join(c) for c in found) if found else "none"))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
