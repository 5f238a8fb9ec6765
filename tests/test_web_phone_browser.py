"""The guided session on a phone (390x844) in Debian's chromium against a real server: what is
on the first screen after each tap, undo, the confirmation before stopping, carrying on a
stopped session, and a typo corrected. Screenshots of the screen as the runner sees it go to
``test-artifacts/web/phone-*.png``."""

from __future__ import annotations

import httpx
import pytest

from tests.test_web_browser import ARTIFACTS, CHROMIUM_FLAGS, Server, _chromium, act, server  # noqa: F401

WIDTH, HEIGHT = 390, 844


@pytest.fixture
def phone():
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS, headless=True)
        context = browser.new_context(
            viewport={"width": WIDTH, "height": HEIGHT}, device_scale_factor=2, is_mobile=True, has_touch=True
        )
        pg = context.new_page()
        pg.set_default_timeout(15_000)
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        yield pg
        context.close()
        browser.close()
        assert not errors, f"JavaScript errors on the pages: {errors}"


def screen(page, name: str) -> None:
    """The screen as it is (not the whole page): what the runner sees without scrolling."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"phone-{name}.png"))


def in_view(locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= HEIGHT


def _setup(server: Server) -> None:
    with httpx.Client(base_url=server.url) as api:
        h = {"X-CSRF-Token": api.get("/api/csrf").json()["token"]}
        for kind, value in (("band", "medium"), ("kettlebell", "12")):
            assert api.post("/api/equipment", headers=h, json={"kind": kind, "value": value}).status_code == 201


def test_a_set_on_the_phone_first_screen_rest_and_undo(server: Server, phone) -> None:
    _setup(server)
    page = phone
    page.goto(server.url + "/session")
    act(page, page.get_by_role("button", name="Start a session now"))
    # set 1: the move, its target and "Set done" without scrolling; the how-to open below
    assert page.evaluate("window.scrollY") == 0
    for locator in (
        page.get_by_role("heading", name="Band reverse fly"),
        page.locator(".target"),
        page.get_by_role("button", name="Set done"),
    ):
        assert in_view(locator), locator
    assert page.locator("details.how-to").get_attribute("open") is not None
    links = page.locator("header nav a")
    assert links.count() == 7
    for i in range(7):  # every page's link whole on the screen, "Setup" included
        box = links.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, links.nth(i).inner_text()
    screen(page, "01-first-set")

    # set 1 done, tapped after scrolling down to the log: the page comes back to the top
    page.locator("select[name=rpe]").select_option("8")
    target = page.locator("#reps_both").input_value()
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    act(page, page.get_by_role("button", name="Set done"))
    assert page.evaluate("window.scrollY") == 0
    for locator in (
        page.locator(".rest .clock"),
        page.get_by_text("Set 2 of 3"),
        page.get_by_role("button", name="Set done"),
        page.locator(".undo-bar"),
    ):
        assert in_view(locator), locator
    assert f"reverse fly set 1, {target} reps" in page.locator(".undo-bar").inner_text()
    assert page.locator("select[name=rpe]").input_value() == "8"  # the RPE is kept
    assert page.locator("details.how-to").get_attribute("open") is None  # folded after set 1
    screen(page, "02-rest")

    # undo: set 1 again, nothing logged
    act(page, page.locator(".undo-bar").get_by_role("button", name="Undo"))
    assert page.evaluate("window.scrollY") == 0
    assert in_view(page.get_by_text("Set 1 of 3")) and in_view(page.locator(".saved"))
    assert page.locator(".undo-bar").count() == 0
    screen(page, "03-undone")
    with httpx.Client(base_url=server.url) as api:
        assert api.get("/api/sessions").json()[0]["sets"] == []


def test_stopping_asks_first_and_a_stopped_session_carries_on(server: Server, phone) -> None:
    _setup(server)
    page = phone
    page.goto(server.url + "/session")
    act(page, page.get_by_role("button", name="Start a session now"))
    page.locator("#reps_both").fill("100")  # a typo
    act(page, page.get_by_role("button", name="Set done"))
    # a tap on "Stop" only asks
    page.locator("details.confirm summary").click()
    assert page.get_by_role("heading", name="Band reverse fly").count() == 1  # still in the session
    confirm = page.get_by_role("button", name="Yes, stop the session")
    confirm.scroll_into_view_if_needed()
    screen(page, "04-stop-confirm")
    act(page, confirm)
    assert "stopped early" in page.locator("main").inner_text()
    # starting again carries the same session on
    act(page, page.get_by_role("button", name="Carry on today's session"))
    assert page.get_by_text("Set 2 of 3").count() == 1
    with httpx.Client(base_url=server.url) as api:
        sessions = api.get("/api/sessions").json()
    assert len(sessions) == 1 and sessions[0]["ended_at"] is None
    # the typo corrected from the log
    act(page, page.get_by_role("link", name="Correct or delete an entry"))
    entry = page.locator("form.entry").first
    entry.locator("input[name=reps]").fill("10")
    act(page, entry.get_by_role("button", name="Save"))
    assert "Corrected." in page.locator(".saved").inner_text()
    screen(page, "05-corrected")
    with httpx.Client(base_url=server.url) as api:
        assert [s["reps"] for s in api.get("/api/sessions").json()[0]["sets"]] == [10]
    # a wrong value is named by the server too (past the browser's own check), and nothing changes
    entry = page.locator("form.entry").first
    entry.evaluate("form => form.noValidate = true")
    entry.locator("input[name=reps]").fill("101")
    act(page, entry.get_by_role("button", name="Save"))
    assert "reps: Input should be less than or equal to 100" in page.locator(".error").inner_text()
    with httpx.Client(base_url=server.url) as api:
        assert [s["reps"] for s in api.get("/api/sessions").json()[0]["sets"]] == [10]


def test_past_sessions_open_from_progress(server: Server, phone) -> None:
    _setup(server)
    with httpx.Client(base_url=server.url) as api:
        h = {"X-CSRF-Token": api.get("/api/csrf").json()["token"]}
        sid = api.post("/api/sessions", headers=h).json()["session"]["id"]
        api.post(
            f"/api/sessions/{sid}/sets",
            headers=h,
            json={"exercise_id": "reverse_fly", "reps": 11, "load": "medium band"},
        )
        api.post(f"/api/sessions/{sid}/finish", headers=h, json={"completed": False})
    page = phone
    page.goto(server.url + "/progress")
    act(page, page.locator("table.history a").first)
    assert page.url.endswith(f"/history/{sid}")
    assert page.locator("form.entry input[name=reps]").input_value() == "11"
    page.locator("details.confirm summary").click()
    act(page, page.get_by_role("button", name="Yes, delete the session"))
    assert "The session is deleted." in page.locator(".saved").inner_text()
    with httpx.Client(base_url=server.url) as api:
        assert api.get("/api/sessions").json() == []
