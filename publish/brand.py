"""Draw the integration's brand images into custom_components/radar_sleep/brand/.

Home Assistant (2026.3 and later) serves a custom integration's own ``brand/`` images on the
integrations page: ``icon.png`` 256 x 256 and ``icon@2x.png`` 512 x 512 (square), ``logo.png``
and ``logo@2x.png`` (landscape, shortest side 256 and 512), transparent PNG. The picture: a
crescent moon on a night-blue tile with three radar arcs reaching towards it; the logo adds the
name (``dark_logo.png``/``dark_logo@2x.png``: in a light colour, for the dark theme; the tile
reads on both, so the icon has no dark variant). Run from the repository root:
``.venv/bin/python -m publish.brand``.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parents[1] / "custom_components" / "radar_sleep" / "brand"
SCALE = 4
"""Drawn at 4x and reduced, for smooth edges."""
NIGHT = (28, 44, 92, 255)
MOON = (255, 214, 102, 255)
WAVE = (120, 200, 255, 255)
TEXT = (40, 52, 86, 255)
DARK_TEXT = (230, 236, 250, 255)
"""The name on a dark background (``dark_logo.png``)."""
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


def icon(size: int) -> Image.Image:
    """The square icon, ``size`` pixels wide."""
    s = size * SCALE
    img = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((0, 0, s - 1, s - 1), radius=s // 5, fill=NIGHT)
    # Crescent moon: a disc with a night-coloured disc taken out of it.
    cx, cy, r = 0.63 * s, 0.35 * s, 0.20 * s
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=MOON)
    ox, oy = cx + 0.42 * r, cy - 0.30 * r
    draw.ellipse((ox - r, oy - r, ox + r, oy + r), fill=NIGHT)
    # Radar: a dot in the lower left and three arcs opening towards the moon.
    rx, ry = 0.24 * s, 0.78 * s
    dot = 0.045 * s
    draw.ellipse((rx - dot, ry - dot, rx + dot, ry + dot), fill=WAVE)
    width = max(1, int(0.035 * s))
    for k in (0, 1, 2):
        a = (0.12 + 0.09 * k) * s
        draw.arc((rx - a, ry - a, rx + a, ry + a), start=-80, end=-10, fill=WAVE, width=width)
    return img.resize((size, size), Image.Resampling.LANCZOS)


def logo(height: int, colour: tuple[int, int, int, int] = TEXT) -> Image.Image:
    """The icon followed by the name in ``colour``, ``height`` pixels high."""
    h = height * SCALE
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont
    try:
        font = ImageFont.truetype(str(FONT), int(0.42 * h))
    except OSError:
        font = ImageFont.load_default(size=int(0.42 * h))
    text = "Radar Sleep"
    probe = ImageDraw.Draw(Image.new("RGBA", (1, 1)))
    left, top, right, bottom = (round(v) for v in probe.textbbox((0, 0), text, font=font))
    gap = int(0.18 * h)
    w = h + gap + (right - left) + int(0.05 * h)
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    img.alpha_composite(icon(height).resize((h, h), Image.Resampling.LANCZOS))
    draw = ImageDraw.Draw(img)
    y = (h - (bottom - top)) // 2 - top
    draw.text((h + gap - left, y), text, font=font, fill=colour)
    return img.resize((w // SCALE, height), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    icon(256).save(OUT / "icon.png", optimize=True)
    icon(512).save(OUT / "icon@2x.png", optimize=True)
    logo(256).save(OUT / "logo.png", optimize=True)
    logo(512).save(OUT / "logo@2x.png", optimize=True)
    logo(256, DARK_TEXT).save(OUT / "dark_logo.png", optimize=True)
    logo(512, DARK_TEXT).save(OUT / "dark_logo@2x.png", optimize=True)


if __name__ == "__main__":
    main()
