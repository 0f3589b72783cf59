"""The import-linter contracts in pyproject.toml hold, and each fails when its rule is broken."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("config", "contacts", "imports", "blocking", "activitylog", "audience", "api")
LINT_IMPORTS = "from importlinter.cli import lint_imports_command; lint_imports_command()"


def lint_imports(root: Path, *contracts: str) -> subprocess.CompletedProcess:
    options = [arg for contract in contracts for arg in ("--contract", contract)]
    return subprocess.run(
        [sys.executable, "-c", LINT_IMPORTS, "--no-cache", *options],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def project_copy(tmp_path):
    """The Python packages and pyproject.toml, copied where a test may break them."""
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__", "fixtures", "*.xlsx", "*.csv"),
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def test_the_contracts_are_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("imports/engine/quotes.py", "import django", "pure"),
        # Through contacts.access, which imports contacts.models, which imports Django.
        ("contacts/phone_fast.py", "from contacts import access", "pure"),
        ("contacts/selectors.py", "from imports import models", "contacts-below-imports"),
        ("imports/views.py", "from contacts import views", "contacts-pages"),
        ("activitylog/admin.py", "from contacts import admin", "activitylog-no-contacts-admin"),
        ("blocking/services.py", "from imports import lifecycle", "layers"),
        ("contacts/services.py", "from blocking import services", "layers"),
    ],
)
def test_a_broken_rule_breaks_its_contract(project_copy, module, line, contract):
    path = project_copy / module
    path.write_text(path.read_text() + f"\n{line}  # noqa\n")
    result = lint_imports(project_copy, contract)
    assert result.returncode == 1, result.stdout
    assert "BROKEN" in result.stdout
