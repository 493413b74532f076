"""Trim a PyInstaller Analysis of Qt parts a desktop app on Linux never loads.

Imported by parley.spec. PySide6's hooks collect every plugin of a kind (all platforms,
all input methods, TLS backends...), and each plugin drags its own libraries along: the
GTK platform theme alone brings cairo, pango and GDK. We drop the plugins listed below,
then drop every shared library that nothing kept still needs (followed through ELF
DT_NEEDED entries, read with binutils' readelf, which PyInstaller itself requires on Linux).
Libraries loaded by path at run time (dlopen) are kept as roots.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterable

# Plugins Parley does not use. Kept: platforms xcb, wayland and offscreen (smoke tests),
# the xdg-desktop-portal theme, image formats, the SVG icon engine, compose/ibus input,
# the FFmpeg multimedia backend, Wayland client integrations and xcb GL integrations.
UNUSED_PLUGINS = re.compile(
    r"PySide6/Qt/plugins/("
    r"platforms/lib(qeglfs|qlinuxfb|qvnc|qvkkhrdisplay|qminimalegl|qminimal)\.so"
    r"|egldeviceintegrations/"
    r"|generic/"  # evdev/tuio input, only used without a window system
    r"|platformthemes/libqgtk3\.so"  # would mix the bundle's cairo/pango with system GTK
    r"|platforminputcontexts/libqtvirtualkeyboardplugin\.so"
    r"|tls/|networkinformation/"  # an offline app opens no network connections
    r")"
)
# Qt's own translations: Parley's UI is English and installs no QTranslator.
UNUSED_DATA = re.compile(r"PySide6/Qt/translations/")
# Loaded with dlopen by path, so nothing lists them as DT_NEEDED: libvosk (vosk's cffi),
# libsndfile (soundfile's cffi), and onnxruntime's provider bridge, which its Python module
# opens at start-up (without it onnxruntime warns "Init provider bridge failed").
# (onnxruntime's libonnxruntime.so, 35 MB, is for programs using its C API: the Python
# module carries the runtime itself, and nothing collects that library.)
DLOPEN_ROOTS = re.compile(
    r"(^|/)(libvosk\.so|_soundfile_data/libsndfile[^/]*|libonnxruntime_providers_shared\.so)$"
)


def _needed(path: str) -> list[str]:
    out = subprocess.run(
        ["readelf", "-d", path], capture_output=True, text=True, check=False
    ).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", out)


def _is_root(dest: str) -> bool:
    name = os.path.basename(dest)
    return bool(
        "/plugins/" in dest
        or ".cpython-" in name
        or name.endswith(".abi3.so")
        or name.startswith("libpython")
        or DLOPEN_ROOTS.search(dest)
    )


def prune(
    binaries: Iterable[tuple[str, str, str]], datas: Iterable[tuple[str, str, str]], log=print
):
    """Returns (binaries, datas) without unused Qt plugins, translations and orphaned libs."""
    binaries = list(binaries)
    datas = [entry for entry in datas if not UNUSED_DATA.match(entry[0])]
    kept = [entry for entry in binaries if not UNUSED_PLUGINS.match(entry[0])]
    dropped = len(binaries) - len(kept)
    if shutil.which("readelf") is None:
        log(f"bundle_prune: readelf not found; dropped {dropped} plugins, kept all libraries")
        return kept, datas

    by_name = {}
    for dest, src, _kind in kept:
        by_name.setdefault(os.path.basename(dest), (dest, src))
    reached: set[str] = set()
    stack = [(dest, src) for dest, src, _kind in kept if _is_root(dest)]
    while stack:
        dest, src = stack.pop()
        if dest in reached:
            continue
        reached.add(dest)
        stack += [by_name[n] for n in _needed(src) if n in by_name]
    orphans = sorted(dest for dest, _src, _kind in kept if dest not in reached)
    result = [entry for entry in kept if entry[0] in reached]
    log(
        f"bundle_prune: dropped {dropped} unused Qt plugins and {len(orphans)} libraries "
        f"only they needed: {', '.join(os.path.basename(o) for o in orphans)}"
    )
    return result, datas
