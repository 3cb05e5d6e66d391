"""Site colours, logo and favicon from kbgen.yml `theme:`, with a WCAG contrast check at build time.

The colours become CSS custom properties in a generated stylesheet loaded after kbgen.css
(no inline styles, so the strict CSP holds). Each configured colour is checked against
the colours it is drawn on, in light and dark mode, with the WCAG 2.x relative-luminance
formula: a pair under 4.5:1 (AA for text) is a warning at the colour's line in kbgen.yml.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from kbgen.config import CONFIG_FILE, SiteConfig
from kbgen.diagnostics import Diagnostics

AA_TEXT = 4.5  # WCAG 2.x 1.4.3, normal text
_HEX = re.compile(r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
COLOR_KEYS = ("primary", "primary_dark", "background", "background_dark")
# The built-in palette (assets/kbgen.css :root and its dark variant); configured colours replace some.
LIGHT = {"bg": "#ffffff", "fg": "#1b1f24", "muted": "#55606e", "card": "#f5f7f9", "accent": "#0b5cad"}
DARK = {"bg": "#111418", "fg": "#e8ebee", "muted": "#a9b3bd", "card": "#1a1f25", "accent": "#7cb7ff"}
ON_ACCENT = ("#ffffff", "#0b1320")  # text on buttons: whichever of these reads best on the primary colour
IMAGE_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon", ".jpg": "image/jpeg",
               ".jpeg": "image/jpeg", ".webp": "image/webp", ".gif": "image/gif"}


@dataclass
class Theme:
    css: str = ""  # the generated stylesheet; "" when no colour is configured
    files: dict[str, bytes] = field(default_factory=dict)  # output path below assets/ -> bytes (logo, favicon, css)
    urls: dict[str, str] = field(default_factory=dict)  # logical name (theme.css, logo, favicon) -> site URL
    favicon_type: str = ""  # MIME type for <link rel=icon type=…>


def parse_color(value: str) -> str | None:
    """'#abc' or '#aabbcc' as lower-case '#aabbcc'; None when it is not a hex colour."""
    match = _HEX.match(value.strip())
    if not match:
        return None
    digits = match.group(1).lower()
    return "#" + ("".join(c * 2 for c in digits) if len(digits) == 3 else digits)


def luminance(color: str) -> float:
    """WCAG 2.x relative luminance of '#rrggbb'."""
    def channel(hex2: str) -> float:
        c = int(hex2, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(color[i:i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def on_color(background: str) -> str:
    return max(ON_ACCENT, key=lambda fg: contrast(fg, background))


def build_theme(config: SiteConfig, diags: Diagnostics) -> Theme:
    theme = Theme()
    colors = _colors(config, diags)
    if colors:
        _check_contrast(colors, config, diags)
        theme.css = _stylesheet(colors)
        _add(theme, "theme.css", "theme", ".css", theme.css.encode())
    for key in ("logo", "favicon"):
        rel = config.theme.get(key)
        if not rel:
            continue
        line = config.theme_lines.get(key)
        path = (config.root / rel).resolve()
        suffix = PurePosixPath(rel).suffix.lower()
        if config.root.resolve() not in path.parents or not path.is_file():
            diags.error(f"theme {key} '{rel}' is not a file in the site folder", CONFIG_FILE, line,
                        hint=f"give a path relative to the site folder, e.g. {key}: assets/{key}.svg",
                        code="theme-file")
            continue
        if suffix not in IMAGE_TYPES:
            diags.error(f"theme {key} '{rel}' is not an image kbgen knows", CONFIG_FILE, line,
                        hint=f"use one of {', '.join(sorted(IMAGE_TYPES))}", code="theme-file")
            continue
        _add(theme, key, key, suffix, path.read_bytes())
        if key == "favicon":
            theme.favicon_type = IMAGE_TYPES[suffix]
    return theme


def _add(theme: Theme, logical: str, stem: str, suffix: str, data: bytes) -> None:
    name = f"{stem}.{hashlib.sha256(data).hexdigest()[:10]}{suffix}"
    theme.files[name] = data
    theme.urls[logical] = f"/assets/{name}"


def _colors(config: SiteConfig, diags: Diagnostics) -> dict[str, str]:
    raw = config.theme.get("colors") or {}
    out: dict[str, str] = {}
    for key, value in raw.items():
        line = config.theme_lines.get(key, config.theme_lines.get("colors"))
        if key not in COLOR_KEYS:
            diags.error(f"unknown theme colour '{key}'", CONFIG_FILE, line,
                        hint=f"the colours are {', '.join(COLOR_KEYS)}", code="theme-color")
            continue
        color = parse_color(value) if isinstance(value, str) else None
        if color is None:
            diags.error(f"theme colour {key} '{value}' is not a hex colour", CONFIG_FILE, line,
                        hint=f"write it as #rrggbb in quotes, e.g. {key}: \"#0b5cad\"", code="theme-color")
            continue
        out[key] = color
    return out


def palettes(colors: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The light and dark palettes with the configured colours in place of the built-in ones."""
    light = dict(LIGHT, **{k: v for k, v in (("accent", colors.get("primary")), ("bg", colors.get("background")))
                           if v})
    dark = dict(DARK, **{k: v for k, v in (("accent", colors.get("primary_dark")),
                                           ("bg", colors.get("background_dark"))) if v})
    return light, dark


def _check_contrast(colors: dict[str, str], config: SiteConfig, diags: Diagnostics) -> None:
    light, dark = palettes(colors)
    for mode, palette, suffix in (("light", light, ""), ("dark", dark, "_dark")):
        accent_key, bg_key = f"primary{suffix}", f"background{suffix}"
        pairs = []
        if accent_key in colors:
            pairs += [(accent_key, "links and headings", palette["accent"], palette["bg"], "the background"),
                      (accent_key, "tile titles", palette["accent"], palette["card"], "cards"),
                      (accent_key, "button text", on_color(palette["accent"]), palette["accent"], "buttons")]
        if bg_key in colors:
            pairs += [(bg_key, "body text", palette["fg"], palette["bg"], "the background"),
                      (bg_key, "secondary text", palette["muted"], palette["bg"], "the background")]
            if accent_key not in colors:
                pairs.append((bg_key, "links", palette["accent"], palette["bg"], "the background"))
        for key, what, fg, bg, where in pairs:
            ratio = contrast(fg, bg)
            if ratio < AA_TEXT:
                diags.warning(f"theme colour {key}: {what} on {where} in {mode} mode have a contrast of "
                              f"{ratio:.2f}:1, below the 4.5:1 WCAG AA needs for text ({fg} on {bg})", CONFIG_FILE,
                              config.theme_lines.get(key, config.theme_lines.get("colors")),
                              hint="choose a darker or lighter shade" if key.startswith("primary")
                              else "choose a background closer to white (light) or black (dark)",
                              code="theme-contrast")


def _stylesheet(colors: dict[str, str]) -> str:
    light, dark = palettes(colors)

    def block(palette: dict[str, str], keys: tuple[str, ...]) -> str:
        props = []
        if "primary" in keys[0] and keys[0] in colors:
            props += [f"--accent: {palette['accent']};", f"--accent-fg: {on_color(palette['accent'])};"]
        if keys[1] in colors:
            props.append(f"--bg: {palette['bg']};")
        return " ".join(props)

    light_props, dark_props = block(light, ("primary", "background")), block(dark, ("primary_dark", "background_dark"))
    lines = ["/* Generated by kbgen from theme.colors in kbgen.yml. */"]
    if light_props:
        lines.append(f":root {{ {light_props} }}")
    if dark_props:
        lines.append(f"@media (prefers-color-scheme: dark) {{ :root:not([data-theme=\"light\"]) {{ {dark_props} }} }}")
        lines.append(f":root[data-theme=\"dark\"] {{ {dark_props} }}")
    if light_props:  # an explicit light choice on a dark system still gets the light colours
        lines.append(f":root[data-theme=\"light\"] {{ {light_props} }}")
    return "\n".join(lines) + "\n"
