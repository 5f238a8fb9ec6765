"""Draws the home-screen icons (static/icon-192.png, icon-512.png) from static/icon.svg with
Debian's chromium, so the PNGs are the SVG's own picture. Full-bleed (no rounded corners):
the phone rounds or masks them itself. Run again after changing icon.svg.

    .venv/bin/python scripts/make_icons.py
"""

from __future__ import annotations

import shutil
from pathlib import Path

STATIC = Path(__file__).resolve().parents[1] / "src" / "scapula" / "web" / "static"


def main() -> None:
    from playwright.sync_api import sync_playwright

    svg = (STATIC / "icon.svg").read_text().replace('rx="7" ', "")  # full bleed
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"], headless=True)
        for size in (192, 512):
            page = browser.new_page(viewport={"width": size, "height": size})
            page.set_content(f"<style>body{{margin:0}}svg{{display:block;width:{size}px;height:{size}px}}</style>{svg}")
            page.screenshot(path=str(STATIC / f"icon-{size}.png"))
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
