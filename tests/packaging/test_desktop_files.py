"""The desktop entry, the AppStream metainfo and the icons pass the freedesktop validators
and agree with each other and with the app id the GUI announces."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "io.github.parley.Parley"
DESKTOP = ROOT / "packaging" / f"{APP_ID}.desktop"
METAINFO = ROOT / "packaging" / f"{APP_ID}.metainfo.xml"
ICON_SIZES = (16, 32, 48, 64, 128, 256)


def validator(name: str, package: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (Debian package {package}; scripts/dev setup)")
    return path


def test_desktop_file_validates() -> None:
    tool = validator("desktop-file-validate", "desktop-file-utils")
    done = subprocess.run([tool, str(DESKTOP)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "error" not in done.stdout.lower(), done.stdout


def test_metainfo_validates() -> None:
    tool = validator("appstreamcli", "appstream")
    done = subprocess.run(
        [tool, "validate", "--no-net", str(METAINFO)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stdout + done.stderr


class CaseSensitiveParser(configparser.ConfigParser):
    """Desktop entry keys are case-sensitive; ConfigParser lowers them by default."""

    def optionxform(self, optionstr: str) -> str:
        return optionstr


def desktop_entry() -> configparser.SectionProxy:
    parser = CaseSensitiveParser(interpolation=None, strict=True)
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


def test_metainfo_desktop_file_and_app_agree_on_the_id() -> None:
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable[@type='desktop-id']") == DESKTOP.name
    assert root.findtext("provides/binary") == "parley"
    entry = desktop_entry()
    assert entry["Icon"] == APP_ID
    assert entry["Exec"].split()[0] == "parley"
    application = (ROOT / "app" / "ui" / "application.py").read_text(encoding="utf-8")
    assert f'"{APP_ID}"' in application  # what QGuiApplication.setDesktopFileName gets


def test_metainfo_lists_the_screenshots_and_a_release() -> None:
    root = ET.parse(METAINFO).getroot()
    images = [el.text or "" for el in root.iterfind("screenshots/screenshot/image")]
    assert [Path(i).name for i in images] == ["home.png", "review.png", "rehearsal.png"]
    assert all("/docs/" in i for i in images)
    assert root.find("content_rating[@type='oars-1.1']") is not None
    assert root.find("releases/release[@version]") is not None


@pytest.mark.parametrize("size", ICON_SIZES)
def test_an_icon_exists_at_each_size(size: int) -> None:
    png = ROOT / "resources" / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (size, size)


def test_the_scalable_icon_is_svg() -> None:
    svg = ET.parse(ROOT / "resources" / "icons" / "parley.svg").getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
