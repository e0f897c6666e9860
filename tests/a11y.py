"""Accessibility checks the browser tests run on a page: axe-core, contrast, ids, overflow.

axe-core is vendored in static/vendor/axe-core and injected from that file through the
DevTools protocol, so the pages' Content-Security-Policy stays as strict as in production and
nothing is fetched from a CDN.
"""

import re
from pathlib import Path

AXE = Path(__file__).resolve().parents[1] / "static" / "vendor" / "axe-core" / "axe.min.js"
# WCAG 2.1 AA: body text 4.5:1; focus indicators, like other non-text parts, 3:1.
TEXT_CONTRAST = 4.5
FOCUS_CONTRAST = 3.0

_EFFECTIVE_BACKGROUND = """
el => {
  for (let node = el; node; node = node.parentElement) {
    const bg = getComputedStyle(node).backgroundColor;
    if (!/rgba\\(.*,\\s*0\\)$/.test(bg) && bg !== "transparent") return bg;
  }
  return "rgb(255, 255, 255)";
}
"""


def axe_violations(page, impacts=("serious", "critical")) -> list[str]:
    """axe-core's WCAG A/AA violations of these impacts on the page, one readable line each."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    results = page.evaluate(
        """() => axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
            resultTypes: ["violations"],
        })"""
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(n['target'][0] for n in v['nodes'][:3])}"
        for v in results["violations"]
        if v["impact"] in impacts
    ]


def duplicate_ids(page) -> list[str]:
    """Ids that more than one element carries."""
    return page.evaluate(
        """() => {
            const seen = {};
            document.querySelectorAll("[id]").forEach(el => { seen[el.id] = (seen[el.id] || 0) + 1; });
            return Object.keys(seen).filter(id => seen[id] > 1);
        }"""
    )


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the window (0: no sideways scrolling)."""
    return page.evaluate(
        "() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"
    )


def parse_color(text: str) -> tuple[float, float, float, float]:
    """An rgb()/rgba()/color(srgb ...) string from getComputedStyle as 0-1 channels and alpha."""
    numbers = [float(n) for n in re.findall(r"[-\d.]+(?:e-?\d+)?", text)]
    if text.startswith("color("):
        r, g, b = numbers[:3]
        alpha = numbers[3] if len(numbers) > 3 else 1.0
        return r, g, b, alpha
    r, g, b = (n / 255 for n in numbers[:3])
    return r, g, b, numbers[3] if len(numbers) > 3 else 1.0


def luminance(rgb) -> float:
    """WCAG relative luminance of an sRGB colour with 0-1 channels."""

    def linear(c):
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground: str, background: str) -> float:
    """The WCAG contrast ratio of two CSS colours (the foreground laid over the background)."""
    fg, bg = parse_color(foreground), parse_color(background)
    alpha = fg[3]
    blended = [alpha * f + (1 - alpha) * b for f, b in zip(fg[:3], bg[:3], strict=True)]
    light, dark = sorted((luminance(blended), luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def chip_contrasts(page, selector=".chip, .tag, .status, .score, .count") -> list[tuple]:
    """(text, ratio) for every visible chip-like element: its text colour on its background."""
    pairs = page.eval_on_selector_all(
        selector,
        f"""(els) => els.filter(el => el.offsetParent !== null).map(el => [
            el.textContent.trim().slice(0, 30), getComputedStyle(el).color, ({_EFFECTIVE_BACKGROUND})(el)
        ])""",
    )
    return [(text, contrast(color, bg)) for text, color, bg in pairs]


def focus_ring(page) -> dict:
    """The focused element's outline and the contrast of its colour with the background around."""
    ring = page.evaluate(
        f"""() => {{
            const el = document.activeElement;
            const style = getComputedStyle(el);
            const around = el.parentElement || el;
            return {{
                tag: el.tagName.toLowerCase(),
                text: (el.textContent || el.value || el.name || "").trim().slice(0, 30),
                style: style.outlineStyle,
                width: parseFloat(style.outlineWidth),
                color: style.outlineColor,
                around: ({_EFFECTIVE_BACKGROUND})(around),
            }};
        }}"""
    )
    ring["contrast"] = contrast(ring["color"], ring["around"]) if ring["style"] != "none" else 0
    return ring
