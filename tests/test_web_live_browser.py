"""The live camera coach in a real browser: Debian's chromium with a fake webcam that plays a
real video of a person (the sports2d demo, converted to .y4m at the 15 frames/s the page
sends), against a real ``scapula serve``.

What is compared, exactly: the page keeps every JPEG it sent (only when the test sets
``window.scapulaKeepSent``: the server stores nothing). The test decodes those same bytes
with the server's decoder, runs a fresh BlazePose in tracking mode over them and
``analyze()`` + ``build_report()`` — the functions ``scapula analyze`` runs — and the report
must equal the one the page got at the end of the set, field for field (frames, frames with
a person, camera yaw, rejected spans, reps). Frames the server answered "skipped" are left out
of the offline run, as the server left them out.

The rep counter is also driven through the landmark-frame path: a generated clip with known
reps is fed to the page's coach (as a phone app would send it), and the big counts, the
"use the camera's count" button and the logged set must all show the clip's reps.
"""

from __future__ import annotations

import base64
import contextlib
import struct
import subprocess
from pathlib import Path

import httpx
import numpy as np
import pytest

from tests.test_web_browser import ARTIFACTS, CHROMIUM_FLAGS, Server, _chromium, server, settle, shot  # noqa: F401 - server is a fixture

FPS = 15


@pytest.fixture(scope="module")
def y4m(tmp_path_factory, demo: Path) -> Path:
    clip = demo
    out = tmp_path_factory.mktemp("camera") / "person.y4m"
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-y",
            "-i",
            str(clip),
            "-vf",
            f"fps={FPS},scale=640:360",
            "-pix_fmt",
            "yuv420p",
            str(out),
        ],
        check=True,
        timeout=120,
    )
    return out


def _browser(flags: list[str]):
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path=_chromium(), args=CHROMIUM_FLAGS + flags, headless=True)
    return pw, browser


@pytest.fixture
def camera_page(y4m: Path, server: Server):
    pw, browser = _browser(
        [
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={y4m}",
            "--autoplay-policy=no-user-gesture-required",
        ]
    )
    context = browser.new_context(viewport={"width": 400, "height": 860}, device_scale_factor=1)
    context.grant_permissions(["camera"], origin=server.url)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    context.close()
    browser.close()
    pw.stop()
    assert not errors, errors


def _start_session(server: Server) -> None:
    with httpx.Client(base_url=server.url) as api:
        h = {"X-CSRF-Token": api.get("/api/csrf").json()["token"]}
        assert api.post("/api/equipment", json={"kind": "band", "value": "medium"}, headers=h).status_code == 201
        assert api.post("/api/sessions", headers=h).status_code == 201


def _wait_for_report(page, server: Server) -> None:
    """The set's report reaches the page, or the test fails with what the page and the server
    said instead (an error shown, the socket closed, or no answer to "end")."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function("""() => { const c = document.querySelector('.coach');
            return c.coach.result !== null || c.querySelector('.status').classList.contains('error')
                || c.querySelector('.status').textContent === 'Camera off'; }""")
    if not page.evaluate("() => document.querySelector('.coach').coach.result !== null"):
        status = page.locator("section.coach .status").inner_text()
        raise AssertionError(f"no report: the page says {status!r}; the server said:\n{server.log_tail()}")


def test_camera_coach_tracks_a_real_person_and_equals_offline_analysis(server: Server, camera_page) -> None:
    from scapula.catalog import load_catalog
    from scapula.vision.analyzer import analyze
    from scapula.vision.landmarks import Header
    from scapula.vision.pose import BlazePose
    from scapula.vision.report import build_report
    from scapula.web.live import decode_jpeg

    page = camera_page
    _start_session(server)
    page.add_init_script("window.scapulaKeepSent = true; window.scapulaPoseMode = 'frames'")
    page.goto(server.url + "/session")
    settle(page)
    panel = page.locator("section.coach")
    assert panel.get_attribute("data-exercise") == "reverse_fly"
    panel.get_by_role("button", name="Count this set from the camera").click()
    page.wait_for_function("() => document.querySelector('.coach .status').textContent === 'Tracking you'")
    # the skeleton is drawn over the video: the overlay has painted pixels
    page.wait_for_function(
        """() => { const c = document.querySelector('.coach canvas.overlay');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n > 200; }""",
        timeout=30_000,
    )
    shot(page, "10-session-camera-tracking")
    page.wait_for_timeout(6000)  # the rest of the 7.7 s clip
    panel.get_by_role("button", name="Stop the camera").click()
    _wait_for_report(page, server)
    got = page.evaluate("""() => { const c = document.querySelector('.coach').coach;
        const b64 = (u) => { let s = '';
            for (let i = 0; i < u.length; i += 8192) s += String.fromCharCode(...u.subarray(i, i + 8192));
            return btoa(s); };
        return {result: c.result, sent: c.sent.map(b64), replies: c.replies,
                hello: {w: document.querySelector('.coach video').videoWidth}}; }""")
    assert "Counted" in panel.locator(".status").inner_text()

    sent = [base64.b64decode(s) for s in got["sent"]]
    skipped = {r["t"] for r in got["replies"] if r.get("skipped")}
    answered = [r for r in got["replies"] if not r.get("skipped")]
    # frames went on through the whole capture: how many depends on how busy the machine is
    # (the page skips a frame while IN_FLIGHT are unanswered), so the test asks for the span
    times = sorted(struct.unpack_from("<d", m)[0] for m in sent)
    assert len(sent) >= 20 and times[-1] - times[0] >= 6.0, (len(sent), times[:1], times[-1:])
    report = got["result"]["report"]
    assert report.pop("live")["mode"] == "video"  # frames to the server: the mode this test asks for
    kept = [m for m in sent if struct.unpack_from("<d", m)[0] not in skipped]
    assert got["result"]["frames"] == len(kept) == report["frames"]["total"]
    # the page showed the person tracked on nearly every frame (the clip's person is in view)
    assert sum(r["tracked"] for r in answered) >= 0.8 * len(answered)
    assert report["frames"]["with_person"] >= 0.8 * report["frames"]["total"]

    # offline: the same bytes, the same decoder, a fresh BlazePose, analyze()
    first = decode_jpeg(kept[0])[1]
    header = Header(float(FPS), first.shape[1], first.shape[0], source=f"{BlazePose.source}, live camera")
    with BlazePose() as pose:
        frames = [pose.estimate(rgb, t) for t, rgb in (decode_jpeg(m) for m in kept)]
    import json

    offline = json.loads(json.dumps(build_report(analyze(header, frames, "reverse_fly"), load_catalog())))
    assert report == offline


def test_landmark_frames_drive_the_page_counter(server: Server, tmp_path: Path) -> None:
    import orjson

    from scapula.catalog import load_catalog
    from scapula.vision.analyzer import analyze
    from scapula.vision.landmarks import frame_from_json
    from tests.synth import make_clip, random_spec

    clip = make_clip(random_spec("reverse_fly", np.random.default_rng(7)), 7)
    rows = [orjson.loads(orjson.dumps(f.to_json(), option=orjson.OPT_SERIALIZE_NUMPY)) for f in clip.frames]
    expected = analyze(clip.header, [frame_from_json(r, "t", i) for i, r in enumerate(rows, 1)], "reverse_fly")
    assert len(expected.reps) == clip.truth.counts["total"] > 0

    _start_session(server)
    pw, browser = _browser([])
    try:
        page = browser.new_context(viewport={"width": 400, "height": 860}).new_page()
        page.set_default_timeout(60_000)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server.url + "/session")
        settle(page)
        result = page.evaluate(
            "([h, rows]) => ScapulaCoach.feedLandmarks(document.querySelector('.coach'), h, rows)",
            [clip.header.to_json(), rows],
        )
        count = page.locator(".coach .count[data-side=both] .n").inner_text()
        assert int(count) == len(expected.reps) == result["report"]["reps"]["total"]
        last = expected.reps[-1]
        text = page.locator(".coach .last-rep").inner_text()
        assert text.startswith(f"Rep {last.index}")
        if last.faults:
            entry = load_catalog().get("reverse_fly")
            assert entry.fault(last.faults[0]).fix in text
        shot(page, "11-session-camera-count")
        page.get_by_role("button", name="Use the camera's count").click()
        assert page.locator("#reps_both").input_value() == count
        with page.expect_response(
            lambda r: r.request.resource_type in ("xhr", "fetch", "document") and not 300 <= r.status < 400
        ):
            page.get_by_role("button", name="Set done").click()
        settle(page)
        sets = httpx.get(server.url + "/api/sessions").json()[0]["sets"]
        assert sets[0]["exercise"] == "reverse_fly" and sets[0]["reps"] == int(count)
        assert not errors, errors
    finally:
        browser.close()
        pw.stop()
    assert (ARTIFACTS / "11-session-camera-count.png").exists()
