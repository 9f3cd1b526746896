"""The shape of the code: layers point down, the two web faces are siblings, modules form no cycles,
and the web holds nothing specific to one region."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import hamkor

PACKAGE = Path(hamkor.__file__).parent
DOMAIN = ("accounts", "briefing", "companies", "cooperation", "demo", "missions", "opportunities", "reference",
          "render", "store", "trade", "i18n")


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def imports_of(name: str, path: Path) -> set[str]:
    """hamkor modules this one imports anywhere in it (a lazy import counts too), relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("hamkor")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            if base.startswith("hamkor"):
                found.add(base)
                found |= {f"{base}.{a.name}" for a in node.names}
    return found


def known(targets: set[str], names) -> set[str]:
    return {t for t in targets if t in names}


def test_the_domain_never_imports_the_interfaces():
    names = modules()
    for name, path in names.items():
        if name.count(".") and name.split(".")[1] in DOMAIN:
            upward = {t for t in imports_of(name, path) if t.startswith(("hamkor.web", "hamkor.cli"))}
            assert not upward, f"{name} imports {upward}"


def test_the_api_and_the_pages_never_import_each_other():
    names = modules()
    for name, path in names.items():
        targets = imports_of(name, path)
        if name.startswith("hamkor.web.api"):
            assert not {t for t in targets if t.startswith("hamkor.web.pages")}, name
        if name.startswith("hamkor.web.pages"):
            assert not {t for t in targets if t.startswith("hamkor.web.api")}, name


def test_no_import_cycle_between_modules():
    names = modules()
    graph = {name: known(imports_of(name, path), names) - {name} for name, path in names.items()}
    # A package's __init__ re-exporting its modules is not a cycle of meaning: follow modules only.
    graph = {n: {t for t in ts if not (n.startswith(t + ".") and names[t].name == "__init__.py")}
             for n, ts in graph.items()}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in graph[node]:
            if state.get(target) == 1:
                raise AssertionError("import cycle: " + " -> ".join(stack[stack.index(target):] + [target]))
            if target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node)


def test_nothing_region_specific_in_the_web():
    literal = re.compile(r"RU-ALT|UZ-SI|Asia/Barnaul|\b(19|20)\d{2}\b")
    web = PACKAGE / "web"
    offenders = []
    for path in [*web.rglob("*.py"), *web.rglob("*.j2"), *(web / "static").glob("*.js")]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if literal.search(line.replace("2**31", "")):
                offenders.append(f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}")
    assert offenders == []


def test_one_definition_of_the_languages():
    definitions = [path for path in PACKAGE.rglob("*.py")
                   if re.search(r"^LANGUAGES\s*=", path.read_text(encoding="utf-8"), re.M)]
    assert [p.relative_to(PACKAGE).as_posix() for p in definitions] == ["i18n/__init__.py"]
