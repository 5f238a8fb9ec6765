"""The exercise library in a real browser (Debian's chromium through Playwright, a real
``scapula serve``): every catalog entry listed and shown in full, the demo clips decoded and
playing, the guided session's step linking to its move, an unknown id answered with the 404
page. Screenshots at 390x844 and 1280x800 go to ``test-artifacts/web/`` to be looked at.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from scapula.catalog import load_catalog
from tests.test_web_browser import ARTIFACTS, CHROMIUM_FLAGS, Server, _chromium, act, server, settle  # noqa: F401

DEMO = Path(__file__).resolve().parent.parent / "src" / "scapula" / "web" / "static" / "demo"
SIZES = {"phone": (390, 844), "desktop": (1280, 800)}


def _index() -> dict:
    return json.loads((DEMO / "index.json").read_text())


@pytest.fixture(params=list(SIZES))
def sized_page(request):
    from playwright.sync_api import sync_playwright

    executable = _chromium()
    w, h = SIZES[request.param]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS, headless=True)
        context = browser.new_context(viewport={"width": w, "height": h}, device_scale_factor=1)
        pg = context.new_page()
        pg.set_default_timeout(20_000)
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        yield pg, request.param
        context.close()
        browser.close()
        assert not errors, f"JavaScript errors on the pages: {errors}"


def _playing(page, selector: str) -> list[dict]:
    """Each matching video's state after it has had time to play: decoded size, time moved."""
    page.wait_for_function(
        f"() => [...document.querySelectorAll({selector!r})].every(v => v.readyState >= 2 && v.currentTime > 0.3)",
        timeout=20_000,
    )
    return page.eval_on_selector_all(
        selector,
        "vs => vs.map(v => ({src: v.getAttribute('src'), w: v.videoWidth, h: v.videoHeight, "
        "t: v.currentTime, d: v.duration, loop: v.loop, paused: v.paused, error: v.error && v.error.code}))",
    )


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_demo_clips_cover_every_checked_fault() -> None:
    """A clean rep of each move and one clip per fault the coach checks, each a few hundred kB
    at most, each named in the catalog."""
    from scapula.vision.moves import MOVES

    index = _index()
    catalog = load_catalog()
    for move_id in MOVES:
        entry = catalog.move(move_id)
        clips = {e["fault"] for e in index.values() if e["move"] == move_id}
        assert None in clips, f"no clean rep of {move_id}"
        fault_ids = {f.id for f in entry.faults}
        checked = {f.id for f in MOVES[move_id].faults}  # what the coach's own checks report
        assert clips - {None} == checked, (move_id, checked - clips, clips - checked)
        assert checked <= fault_ids
        assert checked == fault_ids
    for name, e in index.items():
        size = (DEMO / name).stat().st_size
        assert 5_000 < size < 500_000, (name, size)
        if e["fault"]:
            assert e["truth_faults"] == [e["fault"]], e  # the clip's rep has that fault and only it
        else:
            assert e["truth_faults"] == [], e


def test_library_pages_and_clips(server: Server, sized_page) -> None:
    page, size = sized_page
    catalog = load_catalog()
    page.goto(server.url + "/")
    settle(page)
    act(page, page.get_by_role("link", name="Exercises", exact=True))
    assert page.url.endswith("/exercises")
    text = page.locator("main").inner_text()
    for e in catalog.entries:
        assert e.name in text
    videos = _playing(page, ".exercise-card video")
    assert len(videos) == len(catalog.moves)
    for v in videos:
        assert (v["w"], v["h"]) == (640, 360) and v["loop"] and not v["paused"] and v["error"] is None, v
    _shot(page, f"exercises-{size}")

    # a move in full, as `scapula exercises chainsaw_row` shows it, with its clips
    entry = catalog.get("chainsaw_row")
    act(page, page.locator(".exercise-card", has_text=entry.name))
    assert page.url.endswith("/exercises/chainsaw_row")
    main = page.locator("main").inner_text()
    for line in [*entry.setup, *entry.execution, *(c.text for c in entry.cues), entry.dose.target_text()]:
        assert line.strip() in main, line
    for f in entry.faults:
        assert f.name in main and f.fix.strip() in main
    for o in (*entry.variants, *entry.regressions, *entry.progressions):
        assert o.name in main
    assert entry.filming and entry.filming.strip() in main
    assert page.get_by_role("heading", name="What it should look like").is_visible()
    videos = _playing(page, "main video")
    index = _index()
    expected = {f"/demo/{n}" for n, e in index.items() if e["move"] == "chainsaw_row"}
    assert {v["src"] for v in videos} == expected
    for f in entry.faults:
        if f"/demo/chainsaw_row--{f.id}.webm" in expected:
            label = page.locator(f"#fault-{f.id} figcaption").inner_text()
            assert label == f"What the coach means by {f.name.lower()}"
    _shot(page, f"exercise-chainsaw_row-{size}")
    for move in ("reverse_fly", "superman"):
        page.goto(server.url + f"/exercises/{move}")
        settle(page, network=False)
        assert len(_playing(page, "main video")) == sum(e["move"] == move for e in index.values())
        _shot(page, f"exercise-{move}-{size}")

    # a stretch has no clip but its steps
    stretch = catalog.stretches[0]
    page.goto(server.url + f"/exercises/{stretch.id}")
    settle(page)
    assert all(s.strip() in page.locator("main").inner_text() for s in stretch.execution)

    # an unknown id: the plain 404 page, with the nav still there
    response = page.goto(server.url + "/exercises/handstand")
    assert response is not None and response.status == 404
    assert page.get_by_role("heading", name="That did not work").is_visible()
    assert "handstand" in page.locator(".problem").inner_text()
    assert page.get_by_role("link", name="Exercises", exact=True).is_visible()
    _shot(page, f"exercise-unknown-{size}")


def test_guided_session_step_shows_its_move(server: Server, sized_page) -> None:
    page, size = sized_page
    page.goto(server.url + "/session")
    settle(page)
    act(page, page.get_by_role("button", name="Start a session now"))
    heading = page.locator(".step h1").inner_text()
    entry = next(e for e in load_catalog().moves if e.name == heading)
    how = page.locator("details.how-to")
    if how.get_attribute("open") is None:
        how.locator("summary").click()
    videos = _playing(page, "details.how-to video")
    assert [v["src"] for v in videos] == [f"/demo/{entry.id}.webm"]
    _shot(page, f"session-step-demo-{size}")
    act(page, how.get_by_role("link", name="Faults, fixes and what each looks like"))
    assert page.url.endswith(f"/exercises/{entry.id}")


def test_demo_clips_are_served_with_ranges(server: Server) -> None:
    name = next(iter(_index()))
    data = (DEMO / name).read_bytes()
    url = f"{server.url}/demo/{name}"
    whole = httpx.get(url)
    assert whole.status_code == 200 and whole.content == data
    assert whole.headers["content-type"] == "video/webm" and whole.headers["accept-ranges"] == "bytes"
    part = httpx.get(url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == data[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(data)}"
    tail = httpx.get(url, headers={"Range": "bytes=-50"})
    assert tail.status_code == 206 and tail.content == data[-50:]
    assert httpx.get(url, headers={"Range": f"bytes={len(data)}-"}).status_code == 416
    assert httpx.get(f"{server.url}/demo/..%2Fapp.css").status_code == 404
    assert httpx.get(f"{server.url}/demo/nothing.webm").status_code == 404
