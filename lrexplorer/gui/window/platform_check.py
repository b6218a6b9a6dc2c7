"""Can Qt open the window here? Answered before Qt loads, so that a missing display or system
library is a message that says what to do rather than Qt's abort.

`make run` runs `python -m lrexplorer.gui.window.platform_check` before `lrexplorer`: it lists
every missing library at once (`ldd` on Qt's platform plugin) and then opens a throw-away
QApplication in a subprocess, which also catches an unreachable display. The window's start-up
(gui/window/app.py) uses the cheap part, `launch_problem`. Nothing here imports Qt at module
level: importing PySide6.QtGui is itself what fails on a machine without libGL.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

# soname -> (Debian/Ubuntu package, Fedora package): what Qt's GUI libraries and its xcb and
# wayland plugins link. The Debian names were checked with dpkg -S on Debian 12; the Fedora
# names were not checked against a Fedora system (README).
PACKAGES: dict[str, tuple[str, str]] = {
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libgthread-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libGL.so.1": ("libgl1", "mesa-libGL"),
    "libGLX.so.0": ("libglx0", "libglvnd-glx"),
    "libGLdispatch.so.0": ("libglvnd0", "libglvnd"),
    "libEGL.so.1": ("libegl1", "mesa-libEGL"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libxcb-glx.so.0": ("libxcb-glx0", "libxcb"),
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libwayland-client.so.0": ("libwayland-client0", "libwayland-client"),
    "libwayland-cursor.so.0": ("libwayland-cursor0", "libwayland-cursor"),
    "libwayland-egl.so.1": ("libwayland-egl1", "libwayland-egl"),
}
# What a bare Debian 12 needed, found by installing one package at a time until the window
# opened: Qt's GUI library links the first six (even offscreen); the X11 plugin the rest (apt
# brings the other libxcb-* with them). The README and .ci/run list the same packages.
DEBIAN_QT_PACKAGES = (
    "libglib2.0-0", "libgl1", "libegl1", "libfontconfig1", "libxkbcommon0", "libdbus-1-3",
)  # fmt: skip
DEBIAN_XCB_PACKAGES = (
    "libxkbcommon-x11-0", "libxcb-cursor0", "libxcb-icccm4", "libxcb-keysyms1", "libxcb-shape0",
)  # fmt: skip
# Linked by the X11 plugin and not by QtGui: loaded here in a millisecond, they tell whether
# the plugin can load before Qt tries (and aborts). tests/gui/window/test_platform_check.py
# keeps this list equal to what the installed plugin links.
XCB_SONAMES = (
    "libX11-xcb.so.1", "libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-image.so.0",
    "libxcb-keysyms.so.1", "libxcb-randr.so.0", "libxcb-render-util.so.0", "libxcb-render.so.0",
    "libxcb-shape.so.0", "libxcb-shm.so.0", "libxcb-sync.so.1", "libxcb-util.so.1",
    "libxcb-xfixes.so.0", "libxcb-xkb.so.1", "libxkbcommon-x11.so.0",
)  # fmt: skip
OFFSCREEN_HINT = "set QT_QPA_PLATFORM=offscreen to run it without a screen (scripts, tests)"
MISSING_LIBRARY = re.compile(r"(lib[^\s:/]+\.so[.\d]*): cannot open shared object file")
_PROBE = (
    "import sys\n"
    "from PySide6.QtWidgets import QApplication\n"
    "app = QApplication(sys.argv[:1])\n"
    "print('platform=' + app.platformName(), flush=True)\n"
)
OK, MISSING, NO_DISPLAY, OTHER = 0, 1, 2, 3  # exit codes of `python -m` this module


def target_platform(env: Mapping[str, str] | None = None) -> str:
    """The Qt platform plugin the window will use on Linux: QT_QPA_PLATFORM's first choice, or
    what Qt picks by itself (Wayland in a Wayland session, otherwise X11)."""
    env = os.environ if env is None else env
    chosen = env.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if chosen:
        return chosen
    if env.get("XDG_SESSION_TYPE") == "wayland" and env.get("WAYLAND_DISPLAY"):
        return "wayland"
    return "xcb"


def no_display_message(env: Mapping[str, str] | None = None, system: str = sys.platform) -> str:
    """One line when the window has no display to open on (Linux only: macOS and Windows always
    have one); "" otherwise."""
    env = os.environ if env is None else env
    if not system.startswith("linux"):
        return ""
    explicit = env.get("QT_QPA_PLATFORM", "").strip()
    if not explicit:
        if env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"):
            return ""
        missing = "neither DISPLAY nor WAYLAND_DISPLAY is set"
    elif target_platform(env) == "xcb" and not env.get("DISPLAY"):
        missing = "QT_QPA_PLATFORM is xcb and DISPLAY is not set"
    else:
        return ""
    return (
        f"lrexplorer: no display to open the window on ({missing}). Start it from a desktop "
        f"session, or {OFFSCREEN_HINT}."
    )


def qt_folder() -> Path | None:
    """PySide6's Qt folder, found without loading any Qt library."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "Qt"


def missing_libraries(platform: str = "xcb") -> list[str] | None:
    """Every library the platform plugin (and the Qt libraries it links) needs and the system
    lacks, all at once; None when that cannot be told (no PySide6, no plugin, no ldd)."""
    folder = qt_folder()
    ldd = shutil.which("ldd")
    if folder is None or ldd is None:
        return None
    plugin = folder / "plugins" / "platforms" / f"libq{platform}.so"
    if not plugin.exists():
        return None
    result = subprocess.run([ldd, str(plugin)], capture_output=True, text=True, check=False)
    return sorted(set(re.findall(r"^\s*(\S+) => not found", result.stdout, re.MULTILINE)))


def unloadable(sonames: Sequence[str]) -> list[str]:
    """Those of `sonames` the dynamic loader cannot find (by loading them, ~1 ms)."""
    missing = []
    for soname in sonames:
        try:
            ctypes.CDLL(soname)
        except OSError:
            missing.append(soname)
    return missing


def install_commands(sonames: Sequence[str], root: bool | None = None) -> list[str]:
    """The command that installs these libraries on Debian/Ubuntu, and on Fedora."""
    if root is None:
        root = hasattr(os, "geteuid") and os.geteuid() == 0
    sudo = "" if root else "sudo "
    known = [soname for soname in sonames if soname in PACKAGES]
    lines = []
    if known:
        debian = " ".join(sorted({PACKAGES[soname][0] for soname in known}))
        fedora = " ".join(sorted({PACKAGES[soname][1] for soname in known}))
        lines.append(f"  Debian/Ubuntu: {sudo}apt-get install {debian}")
        lines.append(f"  Fedora:        {sudo}dnf install {fedora}")
    unknown = [soname for soname in sonames if soname not in PACKAGES]
    if unknown:
        lines.append(f"  (and whichever package provides {' '.join(unknown)})")
    return lines


def missing_message(sonames: Sequence[str], platform: str = "xcb") -> str:
    what = "X11 (xcb)" if platform == "xcb" else platform
    return "\n".join(
        [
            f"lrexplorer cannot open its window: Qt's {what} platform plugin needs system "
            "libraries that are not installed:",
            f"  {' '.join(sonames)}",
            "Install them with:",
            *install_commands(sonames),
            "and start it again.",
        ]
    )


def launch_problem(env: Mapping[str, str] | None = None, system: str = sys.platform) -> str:
    """What stops the window from opening, found in a few milliseconds before Qt loads (no
    display; the X11 plugin's libraries); "" when nothing is known to."""
    message = no_display_message(env, system)
    if message or not system.startswith("linux") or target_platform(env) != "xcb":
        return message
    missing = unloadable(XCB_SONAMES)
    return missing_message(missing_libraries("xcb") or missing) if missing else ""


def qt_import_message(error: ImportError) -> str:
    """For an ImportError of PySide6 itself: which libraries the system lacks, and how to get
    them; "" when the error is not about a library."""
    found = MISSING_LIBRARY.search(str(error))
    if found is None:
        return ""
    platform = target_platform()
    missing = missing_libraries(platform) or [found.group(1)]
    return missing_message(missing, platform)


def probe(platform: str, env: Mapping[str, str] | None = None) -> tuple[int, str]:
    """Open a QApplication on `platform` in a subprocess, the only way to catch a display that
    is set but unreachable (Qt aborts the process then). (exit code of this module, message)."""
    env = dict(os.environ if env is None else env)
    env["QT_QPA_PLATFORM"] = platform  # exactly this one: a fallback list would hide a failure
    # Qt's own message blames libxcb-cursor0 whatever is wrong; this shows the real dlopen error.
    env["QT_LOGGING_RULES"] = "qt.core.library.debug=true"
    try:
        result = subprocess.run(
            [sys.executable, "-c", _PROBE],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            preexec_fn=_no_core_dump if os.name == "posix" else None,
        )
    except subprocess.TimeoutExpired:
        return OTHER, f"lrexplorer: Qt did not start on {platform} within two minutes."
    if result.returncode == 0 and f"platform={platform}" in result.stdout:
        return OK, ""
    err = result.stderr
    missing = sorted(set(MISSING_LIBRARY.findall(err)))
    if missing:
        return MISSING, missing_message(missing, platform)
    display = env.get("DISPLAY", "")
    if "Authorization required" in err:
        return NO_DISPLAY, (
            f"lrexplorer: the X server at DISPLAY={display} refused the connection "
            "(authorization required): check XAUTHORITY, or run it as the desktop's user."
        )
    if "could not connect to display" in err or "Failed to create wl_display" in err:
        return NO_DISPLAY, (
            f"lrexplorer: cannot reach the display (DISPLAY={display!r}): start it from a "
            f"desktop session, or {OFFSCREEN_HINT}."
        )
    tail = "\n".join(err.strip().splitlines()[-8:])
    return OTHER, f"lrexplorer: Qt could not start on {platform} ({result.returncode}):\n{tail}"


def _no_core_dump() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # Qt aborts: leave no core file behind


def check(env: Mapping[str, str] | None = None, system: str = sys.platform) -> tuple[int, str]:
    """Everything `make run` checks: (exit code, what to tell the user)."""
    if not system.startswith("linux"):
        return OK, ""  # Qt's wheels carry the macOS and Windows platform plugins
    if qt_folder() is None:
        return OTHER, "lrexplorer: PySide6 is not installed in this Python."
    platform = target_platform(env)
    missing = missing_libraries(platform)
    no_display = no_display_message(env, system)
    if missing:
        return MISSING, "\n".join(filter(None, (missing_message(missing, platform), no_display)))
    if no_display:
        return NO_DISPLAY, no_display
    return probe(platform, env)


def main() -> int:
    code, message = check()
    if message:
        print(message, file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
