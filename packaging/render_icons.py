"""Render resources/icons/parley.svg to the hicolor PNG sizes desktops ask for.

Run after editing the SVG:  .venv/bin/python packaging/render_icons.py
The PNGs are committed so a build needs no SVG renderer; QtSvg comes with PySide6.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_ID = "io.github.parley.Parley"
SIZES = (16, 32, 48, 64, 128, 256)
ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"


def png_path(size: int) -> Path:
    return ICONS / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(ICONS / "parley.svg"))
    if not renderer.isValid():
        print(f"{ICONS / 'parley.svg'}: not a valid SVG", file=sys.stderr)
        return 1
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        out = png_path(size)
        out.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(out), "PNG"):
            print(f"{out}: could not write", file=sys.stderr)
            return 1
        print(out.relative_to(ICONS.parents[1]))
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
