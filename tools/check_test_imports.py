#!/usr/bin/env python3
"""Pre-commit check: every `addons/<addon>/tests/test_*.py` is imported in its
`tests/__init__.py` (Odoo runs only the test modules the package imports, and a
forgotten one passes silently). Standard library only.

Usage: tools/check_test_imports.py [ADDONS_DIR]   (default: addons/ beside tools/)
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path


def imported_modules(init: Path) -> set[str]:
    """Modules that `tests/__init__.py` imports relatively (`from . import a, b`, `from .a import x`)."""
    names = set()
    for node in ast.walk(ast.parse(init.read_text(encoding="utf-8"), filename=str(init))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                names.add(node.module.split(".")[0])
            else:
                names.update(alias.name for alias in node.names)
    return names


def missing_imports(addons_dir: Path) -> list[str]:
    problems = []
    for tests in sorted(addons_dir.glob("*/tests")):
        files = sorted(tests.glob("test_*.py"))
        if not files:
            continue
        init = tests / "__init__.py"
        if not init.exists():
            problems.append(f"{init}: missing, so none of {len(files)} test file(s) runs")
            continue
        imported = imported_modules(init)
        problems += [f"{init}: `from . import {path.stem}` is missing" for path in files if path.stem not in imported]
    return problems


def main(argv: list[str]) -> int:
    addons_dir = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent / "addons"
    problems = missing_imports(addons_dir)
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
