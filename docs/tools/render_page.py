"""Render the first pages of a .docx as one PNG (for docs/img/): LibreOffice → PDF → pdftoppm → Pillow.

    python docs/tools/render_page.py INPUT.docx OUTPUT.png [--pages 2] [--dpi 80]

Needs `soffice` (Debian `libreoffice-writer-nogui`), `pdftoppm` (`poppler-utils`) and CJK fonts
(`fonts-noto-cjk`): `make office` installs them. Pages are placed side by side on a light grey ground.

Linux has none of the fonts an official document names (仿宋_GB2312, 黑体, 楷体_GB2312, 方正小标宋简体, 宋体), and
fontconfig's fallback picks whatever CJK font comes first (often the Japanese Noto variant, with Japanese glyph
shapes). A private fontconfig file maps each name to the Simplified Chinese Noto font of the same kind instead:
serif for 仿宋/楷体/宋体, bold serif for 小标宋, sans for 黑体.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

FONT_SUBSTITUTES = {  # font named in the .docx → (Noto family, weight to force or "")
    "仿宋_GB2312": ("Noto Serif CJK SC", ""),
    "仿宋": ("Noto Serif CJK SC", ""),
    "楷体_GB2312": ("Noto Serif CJK SC", ""),
    "楷体": ("Noto Serif CJK SC", ""),
    "宋体": ("Noto Serif CJK SC", ""),
    "方正小标宋简体": ("Noto Serif CJK SC", "bold"),
    "黑体": ("Noto Sans CJK SC", ""),
}
GAP = 16  # px between and around the pages
GROUND = (232, 232, 232)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input", type=Path, help="the .docx to render")
    parser.add_argument("output", type=Path, help="the .png to write")
    parser.add_argument("--pages", type=int, default=2, help="how many first pages, side by side (default 2)")
    parser.add_argument("--dpi", type=int, default=80, help="resolution of each page (default 80)")
    args = parser.parse_args(argv)
    for tool in ("soffice", "pdftoppm"):
        if shutil.which(tool) is None:
            print(f"未找到 {tool}：请先运行 make office", file=sys.stderr)
            return 1
    with tempfile.TemporaryDirectory(prefix="render_page_") as workdir:
        pages = render_pages(args.input.resolve(), Path(workdir), pages=args.pages, dpi=args.dpi)
        side_by_side(pages).save(args.output, optimize=True)
    print(f"{args.output}: {len(pages)} 页")
    return 0


def render_pages(docx: Path, workdir: Path, *, pages: int, dpi: int) -> list[Image.Image]:
    """Return the first `pages` pages of `docx` as images."""
    # A private profile directory: a running or stale LibreOffice profile would otherwise block the conversion.
    profile = (workdir / "profile").as_uri()
    env = {**os.environ, "FONTCONFIG_FILE": str(write_fontconfig(workdir))}
    _run("soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(workdir), str(docx), env=env, timeout=180)
    pdf = workdir / f"{docx.stem}.pdf"
    _run("pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", str(pages), str(pdf), str(workdir / "page"),
         env=env, timeout=120)
    return [Image.open(path).convert("RGB") for path in sorted(workdir.glob("page*.png"))]


def write_fontconfig(workdir: Path) -> Path:
    """Write a fontconfig file: the system configuration plus `FONT_SUBSTITUTES`; return its path."""
    rules = "".join(
        f'<match target="pattern"><test name="family"><string>{name}</string></test>'
        f'<edit name="family" mode="assign" binding="strong"><string>{family}</string></edit>'
        + (f'<edit name="weight" mode="assign"><const>{weight}</const></edit>' if weight else "") + "</match>"
        for name, (family, weight) in FONT_SUBSTITUTES.items())
    path = workdir / "fonts.conf"
    path.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
                    f"<fontconfig><include ignore_missing=\"yes\">/etc/fonts/fonts.conf</include>{rules}</fontconfig>",
                    encoding="utf-8")
    return path


def _run(tool: str, *args: str, env: dict[str, str], timeout: int) -> None:
    executable = shutil.which(tool)
    if executable is None:
        raise FileNotFoundError(tool)
    # The arguments are this script's own: fixed options and the paths the user passed on the command line.
    subprocess.run([executable, *args], check=True, capture_output=True, env=env, timeout=timeout)  # noqa: S603


def side_by_side(pages: list[Image.Image]) -> Image.Image:
    """Return the pages in a row with a margin around each."""
    width = sum(page.width for page in pages) + GAP * (len(pages) + 1)
    height = max(page.height for page in pages) + GAP * 2
    sheet = Image.new("RGB", (width, height), GROUND)
    x = GAP
    for page in pages:
        sheet.paste(page, (x, GAP))
        x += page.width + GAP
    return sheet


if __name__ == "__main__":
    sys.exit(main())
