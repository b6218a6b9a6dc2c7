"""The check before the window opens: which display, which missing libraries, and the command
that installs them (gui/window/platform_check.py). It runs before Qt loads."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lrexplorer.gui.window import platform_check as check
from tests.gui.window.window_process import ROOT, child_env

HINT = "QT_QPA_PLATFORM=offscreen"


def test_the_package_of_each_missing_library_is_named_for_debian_and_fedora():
    lines = check.install_commands(["libxcb-icccm.so.4", "libxcb-keysyms.so.1"], root=False)
    assert lines == [
        "  Debian/Ubuntu: sudo apt-get install libxcb-icccm4 libxcb-keysyms1",
        "  Fedora:        sudo dnf install xcb-util-keysyms xcb-util-wm",
    ]
    # One package for two libraries; as root, no sudo.
    both = check.install_commands(["libglib-2.0.so.0", "libgthread-2.0.so.0"], root=True)
    assert both[0] == "  Debian/Ubuntu: apt-get install libglib2.0-0"


def test_a_library_with_no_known_package_is_still_named():
    lines = check.install_commands(["libxcb-cursor.so.0", "libfancy.so.3"], root=False)
    assert lines[0] == "  Debian/Ubuntu: sudo apt-get install libxcb-cursor0"
    assert lines[-1] == "  (and whichever package provides libfancy.so.3)"


def test_the_message_lists_every_missing_library_and_the_command():
    text = check.missing_message(["libxcb-cursor.so.0", "libxcb-icccm.so.4"])
    assert "X11 (xcb)" in text
    assert "  libxcb-cursor.so.0 libxcb-icccm.so.4\n" in text
    assert "apt-get install libxcb-cursor0 libxcb-icccm4" in text
    assert "dnf install xcb-util-cursor xcb-util-wm" in text
    assert "xcb-cursor0 or libxcb-cursor0 is needed" not in text  # Qt's guess, not ours


@pytest.mark.parametrize(
    ("env", "platform"),
    [
        ({}, "xcb"),
        ({"DISPLAY": ":0"}, "xcb"),
        ({"QT_QPA_PLATFORM": "offscreen"}, "offscreen"),
        ({"QT_QPA_PLATFORM": "wayland;xcb"}, "wayland"),
        ({"QT_QPA_PLATFORM": "vnc:size=800x600"}, "vnc"),
        ({"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0"}, "wayland"),
    ],
)
def test_the_platform_is_what_qt_will_pick(env, platform):
    assert check.target_platform(env) == platform


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({}, "neither DISPLAY nor WAYLAND_DISPLAY is set"),
        ({"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "wayland-0"}, "DISPLAY is not set"),
        ({"DISPLAY": ":0"}, ""),
        ({"WAYLAND_DISPLAY": "wayland-0"}, ""),
        ({"QT_QPA_PLATFORM": "offscreen"}, ""),
    ],
)
def test_no_display_is_one_line_with_the_offscreen_hint(env, says):
    message = check.no_display_message(env, system="linux")
    assert (says in message) if says else message == ""
    if message:
        assert "\n" not in message and HINT in message


def test_macos_and_windows_always_have_a_display():
    assert check.no_display_message({}, system="darwin") == ""
    assert check.no_display_message({}, system="win32") == ""
    assert check.check({}, system="win32") == (check.OK, "")


def test_make_run_check_prints_the_install_command_and_fails(monkeypatch):
    monkeypatch.setattr(check, "missing_libraries", lambda platform: ["libxcb-icccm.so.4"])
    code, message = check.check({"DISPLAY": ":0"}, system="linux")
    assert code == check.MISSING
    assert "apt-get install libxcb-icccm4" in message


def test_make_run_check_names_a_missing_display_without_starting_qt(monkeypatch):
    monkeypatch.setattr(check, "missing_libraries", lambda platform: [])
    monkeypatch.setattr(check, "probe", lambda *args: pytest.fail("Qt was started"))
    code, message = check.check({}, system="linux")
    assert code == check.NO_DISPLAY and HINT in message


def test_an_unreachable_display_is_caught_by_the_probe_not_by_a_qt_abort():
    if check.missing_libraries("xcb"):
        pytest.skip("the X11 plugin's libraries are missing here")
    env = child_env(QT_QPA_PLATFORM=None, WAYLAND_DISPLAY=None, DISPLAY=":97531")
    code, message = check.check(env, system="linux")
    assert code == check.NO_DISPLAY
    assert message.splitlines() == [message] and "DISPLAY=':97531'" in message and HINT in message


def _linked(*files: Path) -> set[str]:
    """Every soname the loader resolves for these files, found or not."""
    text = subprocess.run(["ldd", *map(str, files)], capture_output=True, text=True).stdout
    return set(re.findall(r"^\s*(\S+\.so[.\d]*) =>", text, re.MULTILINE))


@pytest.mark.skipif(sys.platform != "linux" or not shutil.which("ldd"), reason="Linux, ldd")
def test_the_x11_libraries_checked_at_launch_are_those_the_installed_plugin_links():
    qt = check.qt_folder()
    plugin = _linked(qt / "plugins" / "platforms" / "libqxcb.so")
    gui = _linked(qt / "lib" / "libQt6Gui.so.6", qt / "lib" / "libQt6Widgets.so.6")
    own = {name for name in plugin if name.startswith("libQt6")}
    assert set(check.XCB_SONAMES) == plugin - gui - own
    assert set(check.XCB_SONAMES) <= set(check.PACKAGES)


def test_the_readme_and_ci_install_the_packages_the_check_was_measured_with():
    wanted = [*check.DEBIAN_QT_PACKAGES, *check.DEBIAN_XCB_PACKAGES]
    readme = (ROOT / "README.md").read_text()
    commands = re.findall(r"apt-get install (?:--no-install-recommends )?([^\n`]+)", readme)
    assert " ".join(wanted) in commands
    ci = (ROOT / ".ci" / "run").read_text()
    assert all(package in ci.split() for package in [*wanted, "xvfb", "xauth"])
    assert "LREXPLORER_REQUIRE_XVFB=1" in ci and "make test" in ci


def test_at_launch_a_missing_x11_library_is_named_before_qt_can_abort(monkeypatch):
    monkeypatch.setattr(check, "unloadable", lambda sonames: ["libxcb-icccm.so.4"])
    monkeypatch.setattr(check, "missing_libraries", lambda platform: ["libxcb-icccm.so.4"])
    message = check.launch_problem({"DISPLAY": ":0"}, system="linux")
    assert "libxcb-icccm.so.4" in message and "apt-get install libxcb-icccm4" in message
    # Offscreen needs no X11 library, and nothing is loaded to find out.
    monkeypatch.setattr(check, "unloadable", lambda sonames: pytest.fail("loaded"))
    assert check.launch_problem({"QT_QPA_PLATFORM": "offscreen"}, system="linux") == ""


def test_a_qt_import_error_for_a_library_becomes_the_install_command(monkeypatch):
    monkeypatch.setattr(check, "missing_libraries", lambda platform: None)  # no ldd here
    error = ImportError("libGL.so.1: cannot open shared object file: No such file or directory")
    message = check.qt_import_message(error)
    assert "libGL.so.1" in message and "apt-get install libgl1" in message
    assert check.qt_import_message(ImportError("No module named 'PySide6'")) == ""
