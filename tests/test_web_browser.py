"""End to end in a real browser: Debian's chromium driven by Playwright for Python, against a
real ``scapula serve`` process on a free port with its own database.

A new runner sets up, sees a plan with reasons, runs a guided session logging every set and
stretch, and finds the sets in progress. A screenshot of every page goes to
``test-artifacts/web/`` (phone-sized), to be looked at.

Chromium comes from Debian (``make test`` installs it through scripts/system-deps.sh);
Playwright never downloads a browser. In CI a missing chromium fails the test; elsewhere it
skips.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.activity_files import gpx_text, steady_run
from tests.conftest import SCAPULA, _base_env, unavailable

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "web"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _chromium() -> str:
    path = shutil.which("chromium")
    if path is None:
        unavailable("Debian's chromium is not installed (make test installs it: scripts/system-deps.sh)")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, tmp_path: Path) -> None:
        self.env = _base_env(tmp_path)
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = tmp_path / "serve.log"
        self.log = self.log_path.open("w")
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [str(SCAPULA), "serve", "--port", str(self.port)], env=self.env, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"scapula serve exited with {self.proc.returncode}")
            try:
                if httpx.get(self.url + "/static/app.css", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise AssertionError("scapula serve did not answer within 60 s")

    def log_tail(self, lines: int = 30) -> str:
        """The end of the server's output, for an assertion message."""
        self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)


@pytest.fixture
def server(tmp_path: Path):
    srv = Server(tmp_path)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def page():
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS, headless=True)
        # a phone-sized page: the app is used on a phone at the gym
        context = browser.new_context(viewport={"width": 400, "height": 860}, device_scale_factor=1)
        pg = context.new_page()
        pg.set_default_timeout(15_000)
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        yield pg
        context.close()
        browser.close()
        assert not errors, f"JavaScript errors on the pages: {errors}"


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")  # the sticky header at the top of the picture
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def settle(page, network: bool = True) -> None:
    """Wait until the page has loaded and htmx is done with it. ``network=False`` on a page
    that plays a video: Chromium may hold the video's download open after reading its
    header (preload="metadata"), so the network need never fall idle."""
    if network:
        page.wait_for_load_state("networkidle")
    else:
        page.wait_for_load_state("load")
    # htmx swaps the page in after the response: wait until it has settled
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def act(page, locator) -> None:
    """Click a boosted link or button and wait for the page it leads to (after redirects)."""
    with page.expect_response(
        lambda r: r.request.resource_type in ("xhr", "fetch", "document") and not 300 <= r.status < 400
    ):
        locator.click()
    settle(page)


def test_new_runner_sets_up_trains_and_sees_progress(server: Server, page, tmp_path: Path) -> None:
    # the empty state walks a new user to setup
    page.goto(server.url + "/")
    assert page.get_by_role("heading", name="Pull your shoulders back").is_visible()
    shot(page, "01-welcome")
    act(page, page.get_by_role("link", name="Set up Scapula"))
    assert "/setup" in page.url

    # 1. equipment: two bands and a kettlebell
    for kind, value in (("band", "light"), ("band", "medium"), ("kettlebell", "12")):
        form = page.locator("#equipment form.grid")
        form.locator("select[name=kind]").select_option(kind)
        form.locator("input[name=value]").fill(value)
        act(page, form.get_by_role("button", name="Add"))
    items = page.locator("#equipment .items li")
    assert items.count() == 3
    assert "12 kg kettlebell" in page.locator("#equipment").inner_text()
    # a wrong weight is refused on the page, in words
    form = page.locator("#equipment form.grid")
    form.locator("select[name=kind]").select_option("kettlebell")
    form.locator("input[name=value]").fill("heavy")
    act(page, form.get_by_role("button", name="Add"))
    assert "kettlebell weight must be kg" in page.locator("#equipment .error").inner_text()

    # 2. the week: 3 sessions, a hard day, a rest day and a long run, laid out from today so
    # that today is an ideal day (not the eve of a key run) and gets a full session
    from zoneinfo import ZoneInfo

    today = datetime.now(ZoneInfo("Europe/Paris")).weekday()
    hard, rest, long_run = ((today + n) % 7 for n in (2, 3, 5))
    week = page.locator("#week form")
    week.locator("input[name=sessions_per_week][value='3']").check()
    week.locator("select[name=long_run_day]").select_option(str(long_run))
    week.locator(f"input[name=hard_days][value='{hard}']").check()
    week.locator(f"input[name=rest_days][value='{rest}']").check()
    week.locator("input[name=session_time]").fill("07:30")
    week.locator("input[name=timezone]").fill("Europe/Paris")
    week.locator("textarea[name=goal]").fill("Stand tall at the end of the marathon")
    act(page, week.get_by_role("button", name="Save my week"))
    assert "Your week is saved." in page.locator(".saved").inner_text()

    # 3. a race in six weeks
    race_day = (datetime.now() + timedelta(weeks=6)).date()
    races = page.locator("#races form.grid")
    races.locator("input[name=day]").fill(race_day.isoformat())
    races.locator("input[name=name]").fill("Spring Half")
    act(page, races.get_by_role("button", name="Add race"))
    assert "Spring Half" in page.locator("#races").inner_text()

    # 4. running files: a real GPX through the importer, and a file that is not one
    gpx = tmp_path / "easy-run.gpx"
    gpx.write_text(gpx_text(steady_run(datetime.now(UTC) - timedelta(days=3), seconds=2700)))
    bad = tmp_path / "notes.txt"
    bad.write_text("not a run")
    page.locator("#import input[type=file]").set_input_files([str(gpx), str(bad)])
    act(page, page.locator("#import").get_by_role("button", name="Import"))
    results = page.locator("#import .results").inner_text()
    assert "easy-run.gpx: imported" in results
    assert "notes.txt: refused" in results and "not a running file" in results
    shot(page, "02-setup")

    # the plan: sessions with the reason for each placement, the next session's doses
    act(page, page.get_by_role("link", name="See my plan"))
    assert "/today" in page.url
    shot(page, "03-plan")
    reasons = page.locator(".days .reason").all_inner_texts()
    assert reasons and all(r.strip() for r in reasons)
    assert page.locator(".next-session .doses li").count() == 6  # three moves, three stretches
    assert "first session" in page.locator(".next-session").inner_text()
    # the exports download
    with page.expect_download() as download:
        page.get_by_role("link", name="Calendar (.ics)").click()
    ics = Path(download.value.path()).read_text()
    assert ics.startswith("BEGIN:VCALENDAR") and "BEGIN:VEVENT" in ics
    with page.expect_download() as download:
        page.get_by_role("link", name="Watch workouts (FIT, .zip)").click()
    assert Path(download.value.path()).read_bytes()[:4] == b"PK\x03\x04"

    # the guided session: one move at a time, every set logged
    act(page, page.get_by_role("link", name="Session", exact=True))
    act(page, page.get_by_role("button", name="Start a session now"))
    assert page.get_by_role("heading", name="Band reverse fly").is_visible()
    assert page.locator("svg.diagram").is_visible()
    assert page.locator("input[name=load]").input_value() == "light band"  # the lightest band first
    shot(page, "04-session-first-set")

    sets = 0
    seen_rest = False
    while page.locator("form.set-form:not(.hold-form)").count():
        heading = page.locator("section.step h1").inner_text()
        if page.locator(".rest[data-rest]").count():
            seen_rest = True
            if sets == 1:
                shot(page, "05-session-rest")
            page.get_by_role("button", name="Skip rest").click()
        form = page.locator("form.set-form")
        plus = form.locator("button.plus").first
        plus.click()  # one more rep than the target in the first side's field
        if form.locator("select[name=rpe]").count():
            form.locator("select[name=rpe]").select_option("8")
        if heading == "Kettlebell chainsaw row" and sets == 5:
            shot(page, "06-session-row")
        act(page, form.get_by_role("button", name="Set done"))
        sets += 1
        assert sets < 30, "the session never reached the stretching"
    assert seen_rest, "no rest countdown between sets"
    assert sets == 3 + 6 + 3  # fly 3 sets, row 3 a side, supermans 3 alternating

    # stretching: start a hold, end it early, log what was held
    shot(page, "07-session-stretch")
    holds = 0
    while page.locator("form.hold-form").count():
        form = page.locator("form.hold-form")
        form.get_by_role("button", name="Start the hold").click()
        page.wait_for_timeout(300)
        act(page, form.get_by_role("button", name="Hold done"))
        holds += 1
        assert holds < 20
    assert holds == 2 * 2 + 1 * 2 + 1  # doorway 2 rounds a side, open book a side, roller
    assert "Today's session is done" in page.locator("main").inner_text()
    shot(page, "08-session-done")

    # progress: the sets are there, charted per move and side
    act(page, page.get_by_role("link", name="Progress", exact=True))
    text = page.locator("main").inner_text()
    assert "1 done" in text
    assert page.locator("svg.chart").count() >= 1 + 3 * 2  # weeks, and reps + load per move
    assert page.locator("table.history tbody tr").count() == 1
    shot(page, "09-progress")

    # what the browser logged is what the API reads back
    sessions = httpx.get(server.url + "/api/sessions").json()
    logged = sessions[0]["sets"]
    assert len(logged) == 3 + 6 + 6  # superman sets hold both sides
    fly = [s for s in logged if s["exercise"] == "reverse_fly"]
    assert [s["reps"] for s in fly] == [11, 11, 11] and {s["rpe"] for s in fly} == {8}
    assert {s["load"] for s in fly} == {"light band"}
    assert all(0 < s["hold_s"] < 30 for s in sessions[0]["stretches"]), sessions[0][
        "stretches"
    ]  # ended early: time held
    assert sessions[0]["completed"] is True

    # a server restart loses nothing, and the next plan steps the fly up (every set at the top)
    server.stop()
    server.start()
    again = httpx.get(server.url + "/api/sessions").json()
    assert again[0]["sets"] == logged
    page.goto(server.url + "/today")
    settle(page)
    # 11 reps is under the top of the range (12): same band, a rep more next time
    assert "same light band: last time 11, 11, 11 at RPE 8" in page.locator(".next-session").inner_text()


def test_pages_offline_and_local(server: Server, page) -> None:
    """Every asset comes from the app itself: a page loads with the network cut to anything else."""
    requested: list[str] = []
    refused: list[str] = []  # what the Content-Security-Policy blocked: nothing the pages need
    page.on("request", lambda r: requested.append(r.url))
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    for path in ("/", "/setup", "/today", "/session", "/progress", "/video", "/posture", "/api/docs"):
        page.goto(server.url + path)
        settle(page)
    foreign = [u for u in requested if not u.startswith(server.url)]
    assert not foreign, foreign
    assert not refused, refused
    page.goto(server.url + "/api/docs")
    assert page.get_by_role("heading", name="The JSON API").is_visible()
    assert "/api/sessions/{session_id}/sets" in page.locator("main").inner_text()
    assert any(u.endswith(".js") or "htmx.min.js" in u for u in requested)
