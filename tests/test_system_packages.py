"""tools/system-packages.sh, run for real: what `make run`, `make test` and `.ci/run` check first.

Check mode never installs, so these run the same as root (CI) and as a user.
"""

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tools" / "system-packages.sh"
BASH = shutil.which("bash")


def run(*args, **env):
    return subprocess.run(
        [BASH, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        env={"PATH": os.environ["PATH"], **env},
        timeout=60,
    )


def test_the_packages_make_test_needs_are_installed_here():
    # `make test` installs or asks for them before pytest starts.
    result = run("check", "run", "test", "browser")

    assert result.returncode == 0, result.stderr


def test_a_missing_package_stops_with_the_command_that_installs_it(tmp_path):
    listing = tmp_path / "system-packages.txt"
    listing.write_text(
        "# a comment line\n"
        "bash                        run   # installed on every Debian\n"
        "yianchugai-no-such-package  test  # a name no archive has\n"
        "yianchugai-not-asked-for    ci    # another scope: not checked\n"
    )

    result = run("check", "run", "test", SYSTEM_PACKAGES_FILE=str(listing))

    assert result.returncode == 1
    assert "yianchugai-no-such-package" in result.stderr
    assert "a name no archive has" in result.stderr
    assert "yianchugai-not-asked-for" not in result.stderr
    sudo = "" if os.geteuid() == 0 else "sudo "
    assert result.stderr.splitlines()[-1] == (
        f"  {sudo}apt-get update && "
        f"{sudo}apt-get install -y --no-install-recommends yianchugai-no-such-package"
    )


def test_the_docker_image_gets_the_runtime_scope_only():
    result = run("list", "run")

    assert result.returncode == 0
    packages = result.stdout.split()
    assert {"libharfbuzz-subset0", "fonts-noto-cjk", "fonts-hanazono"} <= set(packages)
    assert not {"chromium", "poppler-utils", "postgresql"} & set(packages)


def test_without_dpkg_it_says_what_is_needed_and_carries_on(tmp_path):
    # An empty PATH: no dpkg-query, as on a machine that is not Debian.
    result = run("check", "run", PATH=str(tmp_path))

    assert result.returncode == 0
    assert "没有 dpkg" in result.stderr
    assert "fonts-noto-cjk" in result.stderr


def test_an_unknown_scope_or_a_malformed_line_is_refused(tmp_path):
    assert run("check", "everything").returncode == 2

    listing = tmp_path / "system-packages.txt"
    listing.write_text("fonts-noto-cjk\n")
    result = run("check", "run", SYSTEM_PACKAGES_FILE=str(listing))
    assert result.returncode == 2
    assert ":1: expected" in result.stderr
