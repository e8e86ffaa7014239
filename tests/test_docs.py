"""Docs that can't rot: every setting and CLI command must be documented."""

from __future__ import annotations

import re
from pathlib import Path

from django.core.management import get_commands

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "smarketing"
ENV_NAME = re.compile(r"[\"'](SMARKETING_[A-Z0-9_]+|DATABASE_URL)[\"']")


def _configuration_section() -> str:
    readme = (ROOT / "README.md").read_text()
    start = readme.index("## Configuration")
    end = readme.find("\n## ", start + 1)
    return readme[start : end if end > 0 else None]


def _variables_read_by_the_code() -> set[str]:
    files = [*SRC.rglob("*.py"), *(ROOT / "scripts").glob("*"), ROOT / "conftest.py"]
    files += [*(ROOT / "tests").rglob("*.py"), *(ROOT / "benchmarks").rglob("*.py")]
    found: set[str] = set()
    for path in files:
        if path.is_file() and path != Path(__file__):
            found |= set(ENV_NAME.findall(path.read_text()))
    return found


def test_every_environment_variable_is_in_the_readme_configuration() -> None:
    section = _configuration_section()
    names = _variables_read_by_the_code()
    assert "SMARKETING_DATA_DIR" in names  # the scan itself works
    missing = sorted(name for name in names if f"`{name}`" not in section)
    assert missing == [], f"undocumented settings in README ## Configuration: {missing}"


def test_every_smarketing_command_is_documented_in_docs_cli() -> None:
    doc = (ROOT / "docs" / "cli.md").read_text()
    ours = sorted(n for n, app in get_commands().items() if app.startswith("smarketing."))
    assert "demo" in ours  # the project's commands are found
    missing = [name for name in ours if f"## smarketing {name}" not in doc]
    assert missing == [], f"no '## smarketing NAME' section in docs/cli.md for {missing}"


def test_the_docs_linked_from_the_readme_exist() -> None:
    readme = (ROOT / "README.md").read_text()
    for link in re.findall(r"\]\((docs/[^)]+)\)", readme):
        assert (ROOT / link).exists(), link
