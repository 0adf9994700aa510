"""Small helpers the journeys share: log in, screenshots, fire a case trigger, run axe-core."""
from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path

from tests.browser.conftest import PASSWORD, SHOTS

AXE_URL = "/static/vendor/axe-core/axe.min.js"
_counters: dict[str, int] = {}


def shot(page, journey: str, screen: str) -> Path:
    """Save ``screenshots/<journey>/NN-<screen>.png`` (the viewport, as the user sees it)."""
    folder = SHOTS / journey
    if journey not in _counters:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.png"):
            old.unlink()
    _counters[journey] = _counters.get(journey, 0) + 1
    path = folder / f"{_counters[journey]:02d}-{screen}.png"
    page.screenshot(path=str(path))
    return path


def login(page, username: str, password: str = PASSWORD) -> None:
    """Log in through the form; the home page follows."""
    page.goto("/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/login" not in page.url, f"{username} could not log in: {flash_text(page)}"


def flash_text(page) -> str:
    loc = page.locator(".flashes")
    return loc.inner_text() if loc.count() else ""


def submit(page, form) -> None:
    """Click the form's submit button and wait for the page that answers."""
    with page.expect_navigation():
        form.locator("button:not([type=button]), input[type=submit]").last.click()


def fill_fields(page, form, values: dict[str, object]) -> None:
    """Fill fields by their ``name``: selects by value, files by path/payload, the rest as text."""
    for name, value in values.items():
        el = form.locator(f"[name='{name}']").first
        tag = el.evaluate("e => e.tagName.toLowerCase() + ':' + (e.type || '')")
        if tag.startswith("select"):
            el.select_option(str(value))
        elif tag.endswith(":file"):
            el.set_input_files(value)
        elif tag.endswith(":checkbox"):
            el.set_checked(bool(value))
        else:
            el.fill(str(value))


def fire(page, trigger: str, **fields) -> None:
    """Open the case page's action ``trigger``, fill its fields, submit; assert no error flash."""
    form = page.locator(f"form[action$='/fire/{trigger}']")
    assert form.count() == 1, f"no {trigger} action on {page.url}"
    details = page.locator("details.action", has=form)
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    fill_fields(page, form, {f"{trigger}-{k}": v for k, v in fields.items()})
    submit(page, form)
    assert not page.locator(".flash-error").count(), flash_text(page)


def select_first(select) -> str:
    """Choose the first option with a value; return it."""
    value = select.evaluate("s => [...s.options].find(o => o.value && o.value !== '0').value")
    select.select_option(value)
    return value


def png_bytes(width: int = 40, height: int = 30) -> bytes:
    """A small valid PNG (a grey rectangle), to attach as evidence."""
    raw = b"".join(b"\x00" + b"\x80\x80\x80" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def run_axe(page) -> list[dict]:
    """Inject the vendored axe-core and return the violations (id, impact, node count, targets)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_URL)
    return page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length,
            targets: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
    }""")


def case_id_from(url: str) -> int:
    m = re.search(r"/cases/(\d+)", url)
    assert m, url
    return int(m.group(1))
