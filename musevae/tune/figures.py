"""The run folder's before/after figures as small SVG files (no plotting library)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path

from musevae.atomic import write_bytes_atomically

WIDTH, HEIGHT, PAD = 640, 300, 48
BEFORE, AFTER = "#9aa5b1", "#2f6fb0"


def _svg(body: list[str], title: str) -> bytes:
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
            f'font-family="sans-serif" font-size="11">'
            f'<rect width="100%" height="100%" fill="white"/>'
            f'<text x="{PAD}" y="18" font-size="13">{escape(title)}</text>')  # fmt: skip
    return (head + "".join(body) + "</svg>\n").encode("utf-8")


def violation_bars(path: Path, before: Mapping[str, float], after: Mapping[str, float]) -> None:
    """Each rule's violation rate per step, before (grey) and after (blue) tuning."""
    names = list(before)
    top = max([*before.values(), *after.values(), 1e-9])
    slot = (WIDTH - 2 * PAD) / max(1, len(names))
    plot_h = HEIGHT - 2 * PAD
    body = [f'<text x="{WIDTH - PAD - 120}" y="18" fill="{BEFORE}">before</text>',
            f'<text x="{WIDTH - PAD - 60}" y="18" fill="{AFTER}">after</text>']  # fmt: skip
    for i, name in enumerate(names):
        x = PAD + i * slot
        for j, (value, colour) in enumerate(((before[name], BEFORE), (after.get(name, 0.0), AFTER))):
            h = plot_h * value / top
            body.append(f'<rect x="{x + 4 + j * slot * 0.4:.1f}" y="{HEIGHT - PAD - h:.1f}" '
                        f'width="{slot * 0.4 - 4:.1f}" height="{h:.1f}" fill="{colour}"/>')  # fmt: skip
        body.append(f'<text x="{x + slot / 2:.1f}" y="{HEIGHT - PAD + 14}" text-anchor="middle">'
                    f'{escape(name)}</text>')  # fmt: skip
    body.append(f'<text x="4" y="{PAD}">{top:.3f}</text>')
    write_bytes_atomically(path, _svg(body, "violation rate per step"))


def curves(path: Path, history: Sequence[Mapping[str, float]], keys: Sequence[str]) -> None:
    """``keys`` of each update's record (reward, KL), one line each, own vertical scale."""
    body: list[str] = []
    colours = (AFTER, "#c0392b", "#27ae60")
    for index, key in enumerate(keys):
        values = [float(h[key]) for h in history]
        if len(values) < 2:
            continue
        low, high = min(values), max(values)
        span = (high - low) or 1.0
        points = " ".join(
            f"{PAD + (WIDTH - 2 * PAD) * i / (len(values) - 1):.1f},"
            f"{HEIGHT - PAD - (HEIGHT - 2 * PAD) * (v - low) / span:.1f}"
            for i, v in enumerate(values)
        )
        colour = colours[index % len(colours)]
        body.append(f'<polyline points="{points}" fill="none" stroke="{colour}"/>')
        body.append(f'<text x="{PAD + 110 * index}" y="{HEIGHT - 12}" fill="{colour}">'
                    f'{escape(key)} {low:.3g} to {high:.3g}</text>')  # fmt: skip
    write_bytes_atomically(path, _svg(body, f"per update: {', '.join(keys)}"))
