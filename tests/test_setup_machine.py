"""``make test`` sets the machine up (scripts/setup-test-machine.sh): run here as a plain user.

As root the script installs what is missing; as anyone else it must pass when everything is there and
stop with one line naming the packages when something is not. The plain user is ``nobody`` (the tests
run as root in CI; elsewhere they are skipped), with the PATH a login shell gives a user: no /usr/sbin.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
USER_PATH = "/usr/local/bin:/usr/bin:/bin"

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("runuser") is None or not Path("/usr/bin/chromium").exists(),
    reason="needs root (to run the script as another user) on a machine make test has set up",
)


@pytest.fixture
def tmp_path() -> Iterator[Path]:
    """A directory ``nobody`` can read (pytest's own are private to root)."""
    where = Path(tempfile.mkdtemp(prefix="pinpoint-setup-"))
    where.chmod(0o755)
    yield where
    shutil.rmtree(where)


def _as_nobody(tmp_path: Path, path: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run a copy of the script as ``nobody`` (it writes under its checkout's var/ only)."""
    (tmp_path / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "setup-test-machine.sh", tmp_path / "scripts")
    for d in (tmp_path, tmp_path / "scripts"):
        d.chmod(0o777)
    command = ["runuser", "-u", "nobody", "--", "env", "-i", f"PATH={path}", "HOME=/tmp"]
    command += [f"{k}={v}" for k, v in env.items()]
    command += ["bash", str(tmp_path / "scripts" / "setup-test-machine.sh")]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def test_a_plain_user_on_a_ready_machine_passes_without_being_asked_to_install_anything(tmp_path: Path) -> None:
    # ldconfig is in /usr/sbin, outside the user's PATH: the libraries must not look missing for that
    done = _as_nobody(tmp_path, USER_PATH, PINPOINT_TEST_POSTGRES="postgres://postgres@127.0.0.1:5432/postgres")
    assert "make test needs" not in done.stderr
    assert done.returncode == 0, done.stderr


def test_a_plain_user_missing_chromium_gets_one_line_naming_it(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"  # every program of /usr/bin but chromium
    bin_dir.mkdir()
    for program in Path("/usr/bin").iterdir():
        if not program.name.startswith("chromium"):
            (bin_dir / program.name).symlink_to(program)
    bin_dir.chmod(0o755)
    done = _as_nobody(tmp_path / "checkout", str(bin_dir), PINPOINT_CHROMIUM="/nonexistent/chromium")
    assert done.returncode == 1
    assert done.stderr == "make test needs: apt-get install chromium (as root; or run make test as root)\n"
    assert done.stdout == ""
