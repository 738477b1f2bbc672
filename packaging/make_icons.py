"""Render the application icon from packaging/icons/tcbm-tracker.svg in every size a desktop
asks for, and the Windows (.ico) and macOS (.icns) icon files.

    .venv/bin/python packaging/make_icons.py

The results are committed (packaging/icons/); run this again after changing the SVG. Qt's SVG
renderer draws the PNGs (PySide6 is installed anyway); Pillow, which reportlab needs, writes
the .ico and .icns files.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

HERE = Path(__file__).resolve().parent / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (needed by QPainter)
    svg = HERE / "tcbm-tracker.svg"
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: {svg} is not a valid SVG")
    hicolor = HERE / "hicolor"
    (hicolor / "scalable" / "apps").mkdir(parents=True, exist_ok=True)
    (hicolor / "scalable" / "apps" / "tcbm-tracker.svg").write_bytes(svg.read_bytes())
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        out = hicolor / f"{size}x{size}" / "apps" / "tcbm-tracker.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        image.save(str(out), "PNG")
    big = Image.open(hicolor / "512x512" / "apps" / "tcbm-tracker.png")
    big.save(HERE / "tcbm-tracker.ico", sizes=[(s, s) for s in (16, 24, 32, 48, 64, 128, 256)])
    big.save(HERE / "tcbm-tracker.icns")
    print(f"icons written to {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
