"""The dependency rule ``attendance -> scheduling -> portal`` holds beyond Python imports.

import-linter (``.importlinter``, run in CI) checks the imports. This checks what it cannot see: a
module of a lower app naming a module or task of a higher one in a string (``"attendance.x"``), or
a lower app's template naming a higher app's URL. The project's own wiring (settings, the root
URLconf, the Celery app) is the one place allowed to know every app.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HIGHER = {"portal": ("scheduling", "attendance"), "scheduling": ("attendance",)}
PROJECT_WIRING = {"portal/settings.py", "portal/urls.py", "portal/celery.py", "portal/wsgi.py"}
# URL names of each app, as templates and reverse() use them.
URL_NAMES = {"scheduling": r"scheduling:", "attendance": r"(attendance|staffing)-[a-z]"}


def _python_files(app: str) -> list[Path]:
    return [p for p in (ROOT / app).rglob("*.py")
            if "migrations" not in p.parts and str(p.relative_to(ROOT)) not in PROJECT_WIRING]


def _templates(app: str) -> list[Path]:
    own = list((ROOT / "templates" / app).rglob("*.html"))
    if app == "portal":  # the shell every page extends belongs to portal too
        own += [ROOT / "templates" / "base.html", *(ROOT / "templates" / "registration").rglob("*.html")]
    return own


def _offences(app: str) -> list[str]:
    found = []
    for higher in HIGHER[app]:
        dotted = re.compile(rf"\b{higher}\.[a-z_]")
        url = re.compile(rf"""['"]{URL_NAMES[higher]}""")
        for path in _python_files(app):
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if dotted.search(line) or url.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
        for path in _templates(app):
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if url.search(line) or dotted.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


@pytest.mark.parametrize("app", ["portal", "scheduling"])
def test_it_keeps_lower_apps_from_naming_higher_ones(app):
    offences = _offences(app)
    assert not offences, "a lower app names a module, task or URL of a higher one:\n" + "\n".join(offences)


def test_it_notices_a_lower_app_naming_a_higher_task(tmp_path, monkeypatch):
    """The check itself works: a scheduling module sending an attendance task by name is caught."""
    fake = tmp_path / "scheduling"
    fake.mkdir()
    (fake / "services.py").write_text('enqueue_on_commit("attendance.refresh_staffing")\n')
    (tmp_path / "templates" / "scheduling").mkdir(parents=True)
    (tmp_path / "templates" / "scheduling" / "page.html").write_text("{% url 'staffing-dashboard' %}\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert len(_offences("scheduling")) == 2


def test_it_keeps_the_import_contracts():
    """import-linter's contracts (layers; API and page views do not import each other)."""
    result = subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--no-cache"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
