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

    .venv/bin/python benchmarks/live_latency.py [--seconds 30] [--fps 15]
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
        finally:
            proc.terminate()
            proc.wait(timeout=20)


if __name__ == "__main__":
    main()
