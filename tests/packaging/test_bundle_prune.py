"""The bundle keeps the Qt plugins a Linux desktop needs and drops the ones it never loads,
along with libraries nothing kept needs (packaging/bundle_prune.py, used by parley.spec)."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
QT = "PySide6/Qt/plugins/"


def load_prune() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bundle_prune", ROOT / "packaging" / "bundle_prune.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "plugin",
    [
        "platforms/libqxcb.so",
        "platforms/libqwayland.so",
        "platforms/libqoffscreen.so",
        "multimedia/libffmpegmediaplugin.so",
        "iconengines/libqsvgicon.so",
        "imageformats/libqsvg.so",
        "platformthemes/libqxdgdesktopportal.so",
        "platforminputcontexts/libibusplatforminputcontextplugin.so",
        "xcbglintegrations/libqxcb-glx-integration.so",
    ],
)
def test_what_the_app_needs_is_kept(plugin: str) -> None:
    assert not load_prune().UNUSED_PLUGINS.match(QT + plugin)


@pytest.mark.parametrize(
    "plugin",
    [
        "platforms/libqeglfs.so",
        "platforms/libqvnc.so",
        "platformthemes/libqgtk3.so",
        "platforminputcontexts/libqtvirtualkeyboardplugin.so",
        "tls/libqopensslbackend.so",
        "networkinformation/libqnetworkmanager.so",
    ],
)
def test_plugins_a_desktop_app_never_loads_are_dropped(plugin: str) -> None:
    assert load_prune().UNUSED_PLUGINS.match(QT + plugin)


def test_a_library_only_a_dropped_plugin_needed_goes_too() -> None:
    if shutil.which("readelf") is None:
        pytest.skip("readelf (binutils) is not installed")
    import PySide6

    qt = Path(PySide6.__file__).parent / "Qt"
    lib = qt / "lib"
    entries = [
        (
            QT + "platforms/libqoffscreen.so",
            str(qt / "plugins/platforms/libqoffscreen.so"),
            "BINARY",
        ),
        (QT + "platforms/libqeglfs.so", str(qt / "plugins/platforms/libqeglfs.so"), "BINARY"),
        ("libQt6Gui.so.6", str(lib / "libQt6Gui.so.6"), "BINARY"),
        ("libQt6Core.so.6", str(lib / "libQt6Core.so.6"), "BINARY"),
        (
            "libQt6EglFSDeviceIntegration.so.6",
            str(lib / "libQt6EglFSDeviceIntegration.so.6"),
            "BINARY",
        ),
    ]
    datas = [("PySide6/Qt/translations/qtbase_de.qm", "/dev/null", "DATA")]
    binaries, kept_datas = load_prune().prune(entries, datas, log=lambda _msg: None)
    names = [dest for dest, _src, _kind in binaries]
    assert names == [QT + "platforms/libqoffscreen.so", "libQt6Gui.so.6", "libQt6Core.so.6"]
    assert kept_datas == []


@pytest.mark.parametrize(
    "dest",
    [
        "vosk/libvosk.so",
        "_soundfile_data/libsndfile_x86_64.so",
        "onnxruntime/capi/libonnxruntime_providers_shared.so",
    ],
)
def test_libraries_opened_by_path_are_kept_as_roots(dest: str) -> None:
    assert load_prune().DLOPEN_ROOTS.search(dest)


def test_whispers_libraries_stay_with_the_extension_that_links_them() -> None:
    # ctranslate2/_ext links libctranslate2, which links libgomp: both come from the
    # wheel's ctranslate2.libs and must survive the pruning.
    if shutil.which("readelf") is None:
        pytest.skip("readelf (binutils) is not installed")
    spec = importlib.util.find_spec("ctranslate2")
    assert spec is not None and spec.submodule_search_locations
    package = Path(next(iter(spec.submodule_search_locations)))
    ext = next(package.glob("_ext.cpython-*.so"))
    libs = sorted((package.parent / "ctranslate2.libs").glob("lib*.so*"))
    assert {p.name.split("-")[0] for p in libs} == {"libctranslate2", "libgomp"}
    entries = [(f"ctranslate2/{ext.name}", str(ext), "EXTENSION")]
    entries += [(f"ctranslate2.libs/{p.name}", str(p), "BINARY") for p in libs]
    binaries, _ = load_prune().prune(entries, [], log=lambda _msg: None)
    assert sorted(dest for dest, _src, _kind in binaries) == sorted(d for d, _s, _k in entries)
