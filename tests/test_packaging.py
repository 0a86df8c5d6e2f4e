"""`pip install .` must give a working program with its reference data inside."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_carries_code_styles_migrations_and_data(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    (wheel,) = tmp_path.glob("frontdesk-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped_data = {p.name for p in (ROOT / "data").iterdir() if p.is_file()}
    assert shipped_data, "data/ is empty"
    for name in shipped_data:
        assert f"frontdesk/data/{name}" in names, f"data/{name} is missing from the wheel"
    for module in ("frontdesk/cli.py", "frontdesk/migrations/0001_initial.py",
                   "screens/app.py", "screens/schedule.tcss", "screens/widgets/day_grid.py"):
        assert module in names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "frontdesk = frontdesk.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_installed_code_finds_its_data(tmp_path) -> None:
    """Run from another folder, so only the installed package can be found."""
    probe = ("from frontdesk.paths import reference; "
             "print(reference('last_names.txt').read_text(encoding='utf-8').count('\\n'))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) > 100
