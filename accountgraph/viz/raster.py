"""An SVG drawing as PNG, taken by a headless Chromium (`chromium --headless --screenshot`).

Why Chromium: no permissively licensed SVG rasteriser is among our dependencies (WeasyPrint's own, Pillow,
pydyf, tinycss2, cssselect2, fonttools, Pyphen, cffi, draw no SVG to pixels; WeasyPrint 53 dropped PNG output),
and cairosvg is LGPL. Chromium (BSD) is the browser the workspace's tests already use; it draws the SVG as the
browser does, fonts found through fontconfig (so Chinese names draw as text). It is found at
`ACCOUNTGRAPH_CHROMIUM`, else as `chromium`, `chromium-browser`, `google-chrome` on the PATH; without one, PNG
output is refused with a message that says so (SVG and PDF need no browser).

The page given to the browser is the SVG alone in a local file, with no reference outside it; the browser runs
with a throwaway profile and no extensions, sync or background networking.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from accountgraph.errors import InvalidArgument

__all__ = ["CHROMIUM_ENV", "chromium", "svg_to_png"]

CHROMIUM_ENV = "ACCOUNTGRAPH_CHROMIUM"
_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_TIMEOUT = 120.0
_PNG = b"\x89PNG\r\n\x1a\n"


def chromium() -> str | None:
    """The headless browser's executable, or None when there is none."""
    named = os.environ.get(CHROMIUM_ENV)
    if named:
        return named if Path(named).is_file() and os.access(named, os.X_OK) else None
    for name in _NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _unavailable(why: str) -> InvalidArgument:
    return InvalidArgument(
        f"cannot draw PNG: {why}. PNG is taken by a headless Chromium: install it (e.g. apt-get install chromium) or "
        f"name it in {CHROMIUM_ENV}; --format svg or pdf need no browser",
        field="format",
    )


def svg_to_png(svg: str, width: int, height: int, *, scale: float = 2.0) -> bytes:
    """The standalone SVG document `svg` (drawn `width` × `height` CSS pixels) as a PNG of `scale` × that size, on
    white.

    Raises:
        InvalidArgument: no Chromium, or it failed (field `format`; the message says what to do).
    """
    browser = chromium()
    if browser is None:
        where = f"{CHROMIUM_ENV} names no executable file" if os.environ.get(CHROMIUM_ENV) else "no Chromium found"
        raise _unavailable(where)
    with tempfile.TemporaryDirectory(prefix="accountgraph-png-") as tmp:
        page = Path(tmp) / "map.html"
        out = Path(tmp) / "map.png"
        page.write_text(
            '<!DOCTYPE html><html><head><meta charset="utf-8"><style>html,body{margin:0;background:#fff}'
            "svg{display:block}</style></head><body>" + svg + "</body></html>",
            encoding="utf-8",
        )
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-extensions",
            "--disable-sync",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--hide-scrollbars",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            f"--window-size={max(1, int(width))},{max(1, int(height))}",
            f"--force-device-scale-factor={scale}",
            "--default-background-color=ffffffff",
            f"--screenshot={out}",
            page.as_uri(),
        ]
        try:
            done = subprocess.run(command, capture_output=True, timeout=_TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired) as failed:
            raise _unavailable(f"{browser} did not run ({failed})") from None
        data = out.read_bytes() if out.is_file() else b""
        if not data.startswith(_PNG):
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit {done.returncode}"]
            raise _unavailable(f"{browser} wrote no picture ({detail[0]})")
        return data
