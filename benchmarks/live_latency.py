"""Frame-to-feedback latency of the live camera coach, on localhost.

Starts a real ``scapula serve`` (its own temp data dir, a free port), then a client sends
frames at 15 a second over a real WebSocket to ``/ws/coach`` and times each frame from the
moment it is sent to the moment its reply (reps, last fault, points) arrives:

  video      JPEG frames of the real sports2d demo clip scaled to 640x360 (encoded before
             the run, so the client's own cost is not counted), pose estimated by the server
  landmarks  the same clip's landmark rows (docs/contracts.md §2, estimated once beforehand), as a
             phone app running its own pose estimator would send them

The clip (7.7 s) is looped to ``--seconds``; times keep increasing across loops. Prints
p50 / p95 / p99 / max latency and the frames the server skipped because it was behind.

With ``--browser``, the same two modes as the session page runs them, in Debian's chromium
with the clip as its fake camera (the time from the page grabbing a frame to the reply
reaching the page, as the page records it):

  page frames     the page sends JPEGs, the server finds the pose (frames to the server)
  page landmarks  the page finds the pose itself with the in-browser BlazePose build and
                  sends landmark rows (the pictures stay on the device)

    .venv/bin/python benchmarks/live_latency.py [--seconds 30] [--fps 15] [--browser]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data_dir: Path) -> tuple[subprocess.Popen, str]:
    import httpx

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCAPULA_")}
    env["SCAPULA_DATA_DIR"] = str(data_dir)
    scapula = Path(sys.executable).with_name("scapula")
    proc = subprocess.Popen(
        [str(scapula), "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/static/app.css", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("scapula serve did not start")


def clip_frames(fps: float):
    """(t, jpeg bytes, landmark row) for each frame of the demo clip at ``fps``, 640x360."""
    import cv2
    import orjson
    from realclip import demo_clip

    from scapula.vision.pose import BlazePose, open_video

    video = open_video(demo_clip())
    stride = max(1, round(video.fps / fps))
    out = []
    with BlazePose() as pose:
        for t, rgb in video.frames(stride=stride, max_side=640):
            small = cv2.resize(rgb, (640, 360), interpolation=cv2.INTER_AREA)
            _ok, jpeg = cv2.imencode(".jpg", cv2.cvtColor(small, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 85])
            row = orjson.loads(orjson.dumps(pose.estimate(small, t).to_json(), option=orjson.OPT_SERIALIZE_NUMPY))
            out.append((t, jpeg.tobytes(), row))
    return out


async def run(url: str, cookie: str, token: str, mode: str, frames, fps: float, seconds: float) -> dict:
    import websockets

    ws_url = url.replace("http://", "ws://") + f"/ws/coach?exercise=reverse_fly&csrf={token}"
    period = 1.0 / fps
    clip_len = frames[-1][0] + period
    n = int(seconds * fps)
    sent_at: dict[float, float] = {}
    latencies: list[float] = []
    skipped = 0
    async with websockets.connect(ws_url, additional_headers={"Cookie": cookie}, max_size=None) as ws:
        if mode == "video":
            hello = {"type": "hello", "mode": "video", "width": 640, "height": 360, "fps": fps}
        else:
            hello = {
                "type": "hello",
                "mode": "landmarks",
                "header": {
                    "format": "scapula-landmarks",
                    "version": 1,
                    "fps": fps,
                    "width": 640,
                    "height": 360,
                    "source": "benchmark",
                },
            }
        await ws.send(json.dumps(hello))
        ready = json.loads(await ws.recv())
        assert ready["type"] == "ready", ready
        done = asyncio.Event()

        async def receive() -> None:
            nonlocal skipped
            answered = 0
            while answered < n:
                msg = json.loads(await ws.recv())
                now = time.perf_counter()
                key = round(msg["t"], 4)
                if msg["type"] == "frame":
                    latencies.append(now - sent_at.pop(key))
                elif msg["type"] == "skipped":
                    skipped += 1
                    sent_at.pop(key, None)
                else:
                    raise RuntimeError(msg)
                answered += 1
            done.set()

        reader = asyncio.create_task(receive())
        start = time.perf_counter()
        for i in range(n):
            due = start + i * period
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            loop_no, k = divmod(i, len(frames))
            t, jpeg, row = frames[k]
            t = round(t + loop_no * clip_len, 4)
            sent_at[t] = time.perf_counter()
            if mode == "video":
                await ws.send(struct.pack("<d", t) + jpeg)
            else:
                await ws.send(json.dumps({**row, "t": t}))
        await asyncio.wait_for(done.wait(), timeout=60)
        reader.cancel()
        await ws.send(json.dumps({"type": "end"}))
        result = json.loads(await ws.recv())
    return {"latencies": latencies, "skipped": skipped, "sent": n, "analysed": result["frames"]}


def browser_run(url: str, mode: str, seconds: float, y4m: Path) -> dict:
    """One set on the session page in chromium: ``mode`` "frames" or "phone"; the replies'
    latencies (s) and the page's own pose frame rate."""
    import shutil

    import httpx
    from playwright.sync_api import sync_playwright

    with httpx.Client(base_url=url) as api:
        api.headers["X-CSRF-Token"] = api.get("/api/csrf").json()["token"]
        if not api.get("/api/sessions").json():
            api.post("/api/equipment", json={"kind": "band", "value": "medium"})
            api.post("/api/sessions")
    flags = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
    flags += ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
    flags += [f"--use-file-for-fake-video-capture={y4m}"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=flags, headless=True)
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.set_default_timeout(300_000)
        page.goto(url + "/session")
        page.evaluate(f"window.scapulaPoseMode = '{mode}'")
        page.locator("section.coach .start-camera").click()
        page.wait_for_function("() => document.querySelector('.coach').coach.replies.length > 0")
        page.wait_for_timeout(seconds * 1000)
        page.locator("section.coach .stop-camera").click()
        page.wait_for_function("() => document.querySelector('.coach').coach.result !== null")
        out = page.evaluate("""() => { const c = document.querySelector('.coach').coach;
            return {replies: c.replies, fps: c.phoneFps, frames: c.result.frames, mode: c.result.live.mode}; }""")
        browser.close()
    answered = [r for r in out["replies"] if not r.get("skipped")]
    return {
        "latencies": [r["at"] / 1000 - r["t"] for r in answered],
        "skipped": len(out["replies"]) - len(answered),
        "sent": len(out["replies"]),
        "analysed": out["frames"],
        "fps": out["fps"],
        "mode": out["mode"],
    }


def camera_clip(folder: Path) -> Path:
    from realclip import demo_clip

    out = folder / "person.y4m"
    cmd = ["ffmpeg", "-loglevel", "error", "-y", "-i", str(demo_clip()), "-vf", "fps=15,scale=640:360"]
    subprocess.run([*cmd, "-pix_fmt", "yuv420p", str(out)], check=True)
    return out


def percentiles(values: list[float]) -> dict:
    import numpy as np

    ms = np.array(values) * 1000
    return {
        "p50": float(np.percentile(ms, 50)),
        "p95": float(np.percentile(ms, 95)),
        "p99": float(np.percentile(ms, 99)),
        "max": float(ms.max()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--fps", type=float, default=15.0)
    parser.add_argument("--browser", action="store_true", help="also both modes as the page runs them, in chromium")
    args = parser.parse_args()
    import httpx

    print("preparing the clip's JPEG frames and landmark rows ...", flush=True)
    frames = clip_frames(args.fps)
    with tempfile.TemporaryDirectory(prefix="scapula-bench-") as tmp:
        proc, url = start_server(Path(tmp))
        try:
            r = httpx.get(url + "/api/csrf")
            token = r.json()["token"]
            cookie = "; ".join(f"{k}={v}" for k, v in r.cookies.items())
            print(
                f"server {url}; {args.seconds:g} s at {args.fps:g} frames/s, JPEG 640x360 "
                f"(~{sum(len(f[1]) for f in frames) / len(frames) / 1000:.0f} kB a frame)"
            )
            for mode in ("video", "landmarks"):
                out = asyncio.run(run(url, cookie, token, mode, frames, args.fps, args.seconds))
                p = percentiles(out["latencies"])
                print(
                    f"{mode:9s}  p50 {p['p50']:6.1f} ms  p95 {p['p95']:6.1f} ms  p99 {p['p99']:6.1f} ms  "
                    f"max {p['max']:6.1f} ms  skipped {out['skipped']}/{out['sent']}  "
                    f"analysed {out['analysed']}  {'PASS' if p['p95'] < 150 else 'FAIL'} (p95 < 150 ms)"
                )
            if args.browser:
                y4m = camera_clip(Path(tmp))
                for mode, name in (("frames", "page frames"), ("phone", "page landmarks")):
                    out = browser_run(url, mode, args.seconds, y4m)
                    p = percentiles(out["latencies"])
                    fps = f"  in-page pose {out['fps']:.1f} frames/s" if out["fps"] else ""
                    print(
                        f"{name:14s}  p50 {p['p50']:7.1f} ms  p95 {p['p95']:7.1f} ms  max {p['max']:7.1f} ms  "
                        f"answered {len(out['latencies'])}  skipped {out['skipped']}  analysed {out['analysed']}  "
                        f"(report mode: {out['mode']}){fps}"
                    )
        finally:
            proc.terminate()
            proc.wait(timeout=20)


if __name__ == "__main__":
    main()
