"""Render the app icon SVG into PNGs, a Windows .ico and a macOS .icns (run again after editing the SVG)."""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

ICON_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons" / "app"
ICON_NAME = "iam-desktop"
SIZES: tuple[int, ...] = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES: tuple[int, ...] = (16, 24, 32, 48, 64, 128, 256)  # 256 px is the largest an .ico entry holds
ICNS_TYPES: dict[int, bytes] = {16: b"icp4", 32: b"icp5", 64: b"icp6", 128: b"ic07", 256: b"ic08", 512: b"ic09"}


def render_icons(svg: Path, out_dir: Path, sizes: tuple[int, ...] = SIZES) -> list[Path]:
    """Render ``svg`` as square PNGs ``<name>-<size>.png`` into ``out_dir``.

    Parameters
    ----------
    svg
        The source icon.
    out_dir
        Where the PNGs go (created when missing).
    sizes
        Edge lengths in pixels.

    Returns
    -------
    list of Path
        The files written, in the order of ``sizes``.

    Raises
    ------
    ValueError
        When the SVG cannot be parsed.
    OSError
        When a PNG cannot be written.
    """
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    if QGuiApplication.instance() is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        QGuiApplication([sys.argv[0]])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg} is not a valid SVG icon")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        target = out_dir / f"{svg.stem}-{size}.png"
        if not image.save(str(target)):
            raise OSError(f"cannot write {target}")
        written.append(target)
    return written


def write_ico(pngs: dict[int, bytes], target: Path) -> None:
    """Write a Windows icon holding the given PNG images (PNG entries: Windows Vista and later).

    Parameters
    ----------
    pngs
        PNG file contents by edge length in pixels (at most 256).
    target
        The ``.ico`` file to write.
    """
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    directory, images = b"", b""
    for size in sizes:
        data = pngs[size]
        edge = size % 256  # 0 means 256 in the directory entry
        directory += struct.pack("<BBBBHHII", edge, edge, 0, 0, 1, 32, len(data), offset + len(images))
        images += data
    target.write_bytes(header + directory + images)


def write_icns(pngs: dict[int, bytes], target: Path) -> None:
    """Write a macOS icon family holding the given PNG images.

    Parameters
    ----------
    pngs
        PNG file contents by edge length in pixels (16, 32, 64, 128, 256 and 512 are used).
    target
        The ``.icns`` file to write.
    """
    body = b"".join(
        ICNS_TYPES[size] + struct.pack(">I", 8 + len(pngs[size])) + pngs[size]
        for size in sorted(pngs)
        if size in ICNS_TYPES
    )
    target.write_bytes(b"icns" + struct.pack(">I", 8 + len(body)) + body)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python packaging/render_icons.py [--svg FILE] [--out DIR]``; prints each file written."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--svg", type=Path, default=ICON_DIR / f"{ICON_NAME}.svg")
    parser.add_argument("--out", type=Path, default=ICON_DIR)
    args = parser.parse_args(argv)
    written = render_icons(args.svg, args.out)
    pngs = {int(path.stem.rsplit("-", 1)[1]): path.read_bytes() for path in written}
    ico = args.out / f"{args.svg.stem}.ico"
    write_ico({size: data for size, data in pngs.items() if size in ICO_SIZES}, ico)
    icns = args.out / f"{args.svg.stem}.icns"
    write_icns(pngs, icns)
    for path in [*written, ico, icns]:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
