"""English is complete: every string of the interface is in locale/en, translated, and compiled.

Run with GNU gettext (``msgfmt``; CI installs it). A string added to the code without a
translation, a fuzzy guess left in the .po file, or a .po edited without compiling the .mo
fails here instead of showing Indonesian to an English reader.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

pytestmark = pytest.mark.skipif(shutil.which("msgfmt") is None, reason="needs GNU gettext (msgfmt)")


def _statistics(po: Path) -> str:
    result = subprocess.run(["msgfmt", "--statistics", "-o", os.devnull, str(po)], capture_output=True, text=True,
                            check=True)
    return result.stderr.strip()


def test_it_has_no_untranslated_or_fuzzy_string():
    stats = _statistics(PO)
    assert re.fullmatch(r"\d+ translated messages?\.", stats), stats


def test_it_ships_the_mo_compiled_from_the_po(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(compiled), str(PO)], check=True)
    assert compiled.read_bytes() == MO.read_bytes(), "run `manage.py compilemessages -l en` and commit the .mo"


def test_it_has_every_string_of_the_code_in_the_po(tmp_path):
    """makemessages over a copy of the project finds nothing the committed .po lacks."""
    for name in ("portal", "scheduling", "attendance", "templates", "locale"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    env = {**os.environ, "PORTAL_ALLOW_DEV_SECRET": "1", "PORTAL_VAR_DIR": str(tmp_path / "var"),
           "PYTHONPATH": str(tmp_path), "DJANGO_SETTINGS_MODULE": "portal.settings"}
    subprocess.run([sys.executable, "manage.py", "makemessages", "-l", "en", "--no-obsolete", "-i", "var/*"],
                   cwd=tmp_path, env=env, check=True, capture_output=True, timeout=300)
    stats = _statistics(tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po")
    assert re.fullmatch(r"\d+ translated messages?\.", stats), (
        f"{stats}: run `manage.py makemessages -l en`, translate, compilemessages, commit")
