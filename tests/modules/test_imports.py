"""modules/ must stay importable without any web framework or the backend."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import modules

ROOT = Path(modules.__file__).parent
FORBIDDEN = {
    "backend",
    "fastapi",
    "starlette",
    "pydantic",
    "pydantic_core",
    "pydantic_settings",
    "uvicorn",
    "flask",
    "django",
    "aiohttp",
    "tornado",
    "sqlalchemy",
    "alembic",
    "psycopg",
    "httpx",
    "requests",
}


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            roots.add(node.args[0].value.split(".")[0])
    return roots


def test_no_file_under_modules_imports_a_web_framework_or_the_backend() -> None:
    files = sorted(ROOT.rglob("*.py"))
    assert len(files) > 10
    offenders = {
        str(f.relative_to(ROOT)): sorted(_imported_roots(f) & FORBIDDEN)
        for f in files
        if _imported_roots(f) & FORBIDDEN
    }
    assert offenders == {}


def test_importing_modules_and_running_the_catalogue_loads_no_web_framework() -> None:
    code = (
        "import sys, modules\n"
        "modules.catalogue()\n"
        "from modules.samples import load_sample\n"
        "m = modules.run_module('kmeans_clustering', {'n_clusters': 3}, {})['untrained_model']\n"
        "modules.run_module('train_clustering_model', {}, {'untrained_model': m,"
        " 'dataset': load_sample('sample-iris')})\n"
        f"bad = sorted(n for n in sys.modules if n.split('.')[0] in {sorted(FORBIDDEN)!r})\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT.parent
    )
    assert out.stdout.strip() == ""
