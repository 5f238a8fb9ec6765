"""The video check and the posture check pages in Debian's chromium, against a real
``scapula serve``: upload, progress, report; a bad upload's message; screenshots of each."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import SCAPULA, _base_env, unavailable
from tests.test_web_browser import Server, page, server, settle, shot  # noqa: F401 - fixtures


def test_video_check_page(server: Server, page, small_demo: Path, tmp_path: Path) -> None:
    page.goto(server.url + "/video")
    settle(page)
    shot(page, "20-video-upload")
    # a file that is not a video: the page says so
    bad = tmp_path / "notes.txt"
    bad.write_text("not a clip")
    page.locator("input[type=file]").set_input_files(str(bad))
    page.get_by_role("button", name="Check my form").click()
    page.wait_for_selector(".error")
    assert "notes.txt: not a video" in page.locator(".error").inner_text()

    page.locator("input[type=file]").set_input_files(str(small_demo))
    page.locator("select[name=exercise]").select_option("reverse_fly")
    page.get_by_role("button", name="Check my form").click()
    page.wait_for_selector("progress")
    assert "/video/" in page.url
    # htmx polls the progress: the bar moves (or the report is already there)
    page.wait_for_function(
        "() => { const p = document.querySelector('progress'); return !p || p.value > 0; }", timeout=120_000
    )
    if page.locator("progress").count():
        shot(page, "21-video-progress")
    page.wait_for_selector("section.report", timeout=240_000)
    settle(page, network=False)  # the annotated video's download may stay open
    assert "Band reverse fly" in page.locator("section.report h2").inner_text()
    # the annotated clip plays in the browser (H.264 in mp4)
    page.wait_for_function("() => document.querySelector('video.annotated').readyState >= 1")
    duration = page.evaluate("document.querySelector('video.annotated').duration")
    assert 7 < duration < 8.5, duration
    page.evaluate("""() => new Promise((done) => { const v = document.querySelector('video.annotated');
        v.addEventListener('seeked', done, {once: true}); v.currentTime = 2.0; })""")
    page.wait_for_timeout(300)
    shot(page, "22-video-report")

    # a landmark file with known reps: the per-rep table, the faults and their cues
    import numpy as np

    from tests.synth import make_clip, random_spec, write_clip

    clip = make_clip(random_spec("chainsaw_row", np.random.default_rng(11)), 11)
    write_clip(clip, tmp_path / "row.jsonl")
    page.goto(server.url + "/video")
    settle(page)
    page.locator("input[type=file]").set_input_files(str(tmp_path / "row.jsonl"))
    page.get_by_role("button", name="Check my form").click()
    page.wait_for_selector("section.report", timeout=60_000)
    settle(page)
    assert page.locator("table.reps-table tbody tr").count() == clip.truth.counts["total"]
    shot(page, "23-video-report-reps")


def test_posture_check_page(server: Server, page, tmp_path: Path) -> None:
    """A real photo of a person (the astronaut, front on: measured as `scapula posture` measures
    it, shown with the measured lines), then side-view checks with known posture saved on three days: the measures with
    their bands and explanations, and the trend chart."""
    from datetime import date, timedelta

    from tests.posture_fixtures import Scene, write
    from tests.realphoto import PhotoUnavailable, astronaut_png

    page.goto(server.url + "/posture")
    settle(page)
    shot(page, "30-posture-empty")
    try:
        photo = astronaut_png()
    except PhotoUnavailable as e:
        unavailable(str(e))
    page.locator("input[type=file]").set_input_files(str(photo))
    page.get_by_role("button", name="Measure my posture").click()
    page.wait_for_selector("section.posture-result")
    text = page.locator("section.posture-result").inner_text()
    page.wait_for_function("() => document.querySelector('img.posture-picture').naturalWidth > 0")
    cli = json.loads(
        subprocess.run(
            [str(SCAPULA), "posture", str(photo), "--json"],
            env=_base_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=120,
        ).stdout
    )
    assert cli["status"] == "measured" and cli["view"] == "front"
    assert "Front view" in text
    for m in cli["measures"].values():  # the page shows the command's numbers and bands
        assert f"{m['angle_deg']:+.1f}°" in text and m["explanation"] in text
    shot(page, "31-posture-photo")

    for days_ago, flex in ((60, 45), (30, 30), (0, 12)):
        path = tmp_path / f"side-{days_ago}.jsonl"
        write(path, Scene(neck_flex=flex, distance=3.0, frames=12, jitter_px=1.0, seed=days_ago))
        page.locator("input[type=file]").set_input_files(str(path))
        page.locator("input[name=save]").check()
        page.locator("input[name=date]").fill((date.today() - timedelta(days=days_ago)).isoformat())
        page.get_by_role("button", name="Measure my posture").click()
        page.wait_for_selector("section.posture-result .measure")
        settle(page)
    result = page.locator("section.posture-result").inner_text()
    assert "Side view · saved" in result and "Head forward" in result
    assert page.locator("svg.chart circle").count() == 6
    assert "real change, toward normal" in page.locator("ul.trend").first.inner_text()
    shot(page, "32-posture-trend")
