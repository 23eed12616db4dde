"""Shared browser checks for the portal: no horizontal overflow, no English UI text for a zh-CN user, screenshots.

Every page a browser story visits goes through `check`: it fails when the document is wider than the viewport
(the phone layout broke), when a table cell wraps one or two characters a line, or when words of English UI
vocabulary are shown (an untranslated label, a raw status like `pending`, an English error). Product names and
models (ZEISS Sigma 300), units (W/mK) and codes are not UI vocabulary and pass.
"""

import os
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(os.environ.get("TM_SCREENSHOTS", ROOT / "docs" / "screenshots"))
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Words that only appear on a page when UI text, a status or an error was left in English.
ENGLISH_UI = re.compile(
    r"\b(the|and|of|to|is|are|not|please|error|errors|required|invalid|must|should|submit|search|login|"
    r"log in|sign in|sign out|logout|password|email|status|pending|approved|rejected|draft|published|"
    r"registered|cancelled|none|null|undefined|nan|true|false|value|missing|internal server|not found|"
    r"forbidden|unauthorized|previous|next page|save|cancel|delete|edit|back|loading|total|month|year|"
    r"unknown|select|details|close|failed|success|warning|field|this is a chart|series)\b",
    re.IGNORECASE,
)

_PAGE_FACTS = """
() => {
  const width = document.documentElement.clientWidth;
  const overflowing = [];
  if (document.documentElement.scrollWidth > width + 1) {
    for (const el of document.querySelectorAll("body *")) {
      const box = el.getBoundingClientRect();
      if (box.width > 0 && box.right > width + 1) {
        let inScroller = false;
        for (let p = el.parentElement; p; p = p.parentElement) {
          const style = getComputedStyle(p);
          if (style.overflowX === "auto" || style.overflowX === "scroll" || style.overflowX === "hidden") {
            inScroller = true;
            break;
          }
        }
        if (!inScroller) overflowing.push(el.tagName.toLowerCase() + (el.className ? "." + String(el.className).trim().split(/\\s+/).join(".") : "") + " (right " + Math.round(box.right) + "px)");
      }
    }
  }
  const squeezed = [];
  for (const cell of document.querySelectorAll("td, th")) {
    const text = (cell.innerText || "").trim();
    const size = parseFloat(getComputedStyle(cell).fontSize) || 15;
    const box = cell.getBoundingClientRect();
    if (text.length > 3 && box.width > 0 && box.width < size * 3.2 && box.height > size * 4) squeezed.push(text.slice(0, 20));
  }
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const parent = node.parentElement;
    if (!parent || parent.closest("script, style, noscript, code, [lang]:not([lang^=zh])")) continue;
    if (!parent.getClientRects().length) continue;
    const text = node.textContent.trim();
    if (text) texts.push(text);
  }
  for (const el of document.querySelectorAll("[placeholder], [title], [aria-label], input[type=submit], input[type=button]")) {
    for (const name of ["placeholder", "title", "aria-label", "value"]) {
      if (name === "value" && !(el.type === "submit" || el.type === "button")) continue;
      const value = el.getAttribute(name);
      if (value) texts.push(value);
    }
  }
  return { width: width, scrollWidth: document.documentElement.scrollWidth, overflowing: overflowing.slice(0, 8), squeezed: squeezed.slice(0, 8), texts: texts, lang: document.documentElement.lang, title: document.title };
}
"""


def english_words(texts: list[str]) -> list[str]:
    """The pieces of text that carry English UI vocabulary (e-mail addresses are skipped)."""
    found = []
    for text in texts:
        cleaned = re.sub(r"\S+@\S+", " ", text)
        if ENGLISH_UI.search(cleaned):
            found.append(text[:80])
    return found


async def check(page: Any, label: str) -> None:
    """Fail when the page overflows sideways, squeezes table cells, or shows English to a zh-CN user."""
    facts = await page.evaluate(_PAGE_FACTS)
    viewport = f"{facts['width']}px"
    assert facts["lang"] == "zh-CN", f"{label}: <html lang> is {facts['lang']!r}"
    assert facts["scrollWidth"] <= facts["width"] + 1, (
        f"{label} at {viewport}: the page is {facts['scrollWidth']}px wide; too wide: {facts['overflowing']}"
    )
    assert not facts["squeezed"], (
        f"{label} at {viewport}: table cells wrap a few characters a line: {facts['squeezed']}"
    )
    english = english_words([facts["title"], *facts["texts"]])
    assert not english, f"{label} at {viewport}: English shown to a zh-CN user: {english}"


async def snap(page: Any, name: str, *, full_page: bool = False) -> Path:
    """A screenshot in docs/screenshots/, named by page and size (desktop or phone); the viewport by default."""
    size = "phone" if page.viewport_size["width"] < 600 else "desktop"
    os.makedirs(SCREENSHOTS, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{size}.png"
    await page.screenshot(path=str(path), full_page=full_page, animations="disabled")
    return path


async def at_both_sizes(
    browser: Any, context: Any, url: str, name: str, *, ready: str | None = None, full_page: bool = False
) -> None:
    """Open a page at desktop and phone size with the context's session, check both and screenshot both."""
    state = await context.storage_state()
    for viewport in (DESKTOP, PHONE):
        other = await browser.new_context(
            viewport=viewport,
            locale="zh-CN",
            storage_state=state,
            is_mobile=viewport is PHONE,
            has_touch=viewport is PHONE,
        )
        page = await other.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
        # A blocked script or style (the Content-Security-Policy) is reported as a console error.
        page.on(
            "console",
            lambda message, errors=errors: errors.append(message.text) if message.type == "error" else None,
        )
        await page.goto(url)
        if ready:
            await page.locator(ready).first.wait_for()
        await page.wait_for_load_state("networkidle")
        await check(page, name)
        await snap(page, name, full_page=full_page)
        assert errors == [], f"{name}: script errors {errors}"
        await other.close()
