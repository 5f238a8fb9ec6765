"""Speed of `scapula import` on 1,000 hour-long activity files, measured in one run. The CPU
seconds tell the work apart from waiting: the 2 cores here are shared.

Builds FILES activity files in a temp dir -- a third each FIT, GPX and TCX, every tenth
gzipped, each an hour at 1 s recording (3,601 points with position, distance and HR, one
lap per km), each on its own day so none is a duplicate of another -- then runs the real
`scapula import DIR` into a fresh SQLite database, and again on the same dir (every file
already stored). Prints files/s and seconds for both, and checks that every file became
one run. The CPU seconds tell the work apart from waiting: the 2 cores here are shared.
Before the imports it times the readers alone, per format, in this process.

GPX and TCX are written by tests/activity_files.py. FIT is written by a small encoder here
(numpy-packed records): fit-tool, the writer the tests use, takes ~2 s per hour-long file.
The first FIT file is checked with fitdecode, the reference reader, before timing.

    .venv/bin/python benchmarks/import_runs.py [--files 1000] [--workers N]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import struct
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests/ is a package: tests.activity_files
SCAPULA = Path(sys.executable).with_name("scapula")

FIT_EPOCH = 631_065_600  # 1989-12-31 00:00 UTC in Unix seconds


def _crc(data: bytes, crc: int = 0) -> int:
    table = (
        0x0000,
        0xCC01,
        0xD801,
        0x1400,
        0xF001,
        0x3C00,
        0x2800,
        0xE401,
        0xA001,
        0x6C00,
        0x7800,
        0xB401,
        0x5000,
        0x9C01,
        0x8801,
        0x4400,
    )
    for byte in data:
        tmp = table[crc & 0xF]
        crc = (crc >> 4) & 0x0FFF
        crc = crc ^ tmp ^ table[byte & 0xF]
        tmp = table[crc & 0xF]
        crc = (crc >> 4) & 0x0FFF
        crc = crc ^ tmp ^ table[(byte >> 4) & 0xF]
    return crc


def _crc_fast(data: bytes) -> int:
    # the same CRC-16 over a byte-indexed table built from the nibble one: ~20x fewer steps
    table = _crc_fast.table
    crc = 0
    for byte in data:
        crc = (crc >> 8) ^ table[(crc ^ byte) & 0xFF]
    return crc


_crc_fast.table = [_crc(bytes([b])) for b in range(256)]


def _definition(local: int, global_num: int, fields: list[tuple[int, int, int]]) -> bytes:
    out = struct.pack("<BBBHB", 0x40 | local, 0, 0, global_num, len(fields))
    return out + b"".join(struct.pack("<BBB", *f) for f in fields)


def fit_bytes(w) -> bytes:
    """An activity FIT file: file_id, timer events, records, laps, session, activity."""
    ts0 = int(w.start.timestamp()) - FIT_EPOCH
    t = ts0 + np.asarray(w.t, dtype=np.int64)
    body = bytearray()
    body += _definition(0, 0, [(0, 1, 0x00), (1, 2, 0x84), (2, 2, 0x84), (3, 4, 0x8C), (4, 4, 0x86)])
    body += struct.pack("<BBHHII", 0, 4, 255, 0, 0x5CA9 + ts0 % 1000, ts0)
    body += _definition(1, 21, [(253, 4, 0x86), (0, 1, 0x00), (1, 1, 0x00)])
    body += struct.pack("<BIBB", 1, ts0, 0, 0)
    body += _definition(2, 20, [(253, 4, 0x86), (0, 4, 0x85), (1, 4, 0x85), (5, 4, 0x86), (3, 1, 0x02)])
    records = np.zeros(
        len(w.t), dtype=[("h", "u1"), ("ts", "<u4"), ("lat", "<i4"), ("lon", "<i4"), ("dist", "<u4"), ("hr", "u1")]
    )
    records["h"] = 2
    records["ts"] = t
    records["lat"] = [round(w.lat(i) / 180 * 2**31) for i in range(len(w.t))]
    records["lon"] = round(14.5 / 180 * 2**31)
    records["dist"] = np.round(np.asarray(w.dist) * 100)
    records["hr"] = w.hr
    body += records.tobytes()
    body += struct.pack("<BIBB", 1, int(t[-1]), 0, 4)
    body += _definition(
        3,
        19,
        [
            (253, 4, 0x86),
            (2, 4, 0x86),
            (7, 4, 0x86),
            (8, 4, 0x86),
            (9, 4, 0x86),
            (15, 1, 0x02),
            (16, 1, 0x02),
            (23, 1, 0x00),
            (24, 1, 0x00),
        ],
    )
    for lap in w.laps:
        end = min(lap.end, len(w.t) - 1)
        seconds = w.t[end] - w.t[lap.start]
        hr = w.hr[lap.start : lap.end]
        body += struct.pack(
            "<BIIIIIBBBB",
            3,
            int(t[end]),
            int(t[lap.start]),
            seconds * 1000,
            seconds * 1000,
            round((w.dist[end] - w.dist[lap.start]) * 100),
            round(sum(hr) / len(hr)),
            max(hr),
            0,
            2 if lap.trigger == "distance" else 7,
        )
    body += _definition(
        4,
        18,
        [
            (253, 4, 0x86),
            (2, 4, 0x86),
            (7, 4, 0x86),
            (8, 4, 0x86),
            (9, 4, 0x86),
            (5, 1, 0x00),
            (6, 1, 0x00),
            (16, 1, 0x02),
            (17, 1, 0x02),
        ],
    )
    body += struct.pack(
        "<BIIIIIBBBB",
        4,
        int(t[-1]),
        ts0,
        int(w.elapsed_s * 1000),
        int(w.moving_s * 1000),
        round(w.distance_m * 100),
        1,
        0,
        round(sum(w.hr) / len(w.hr)),
        max(w.hr),
    )
    body += _definition(
        5, 34, [(253, 4, 0x86), (0, 4, 0x86), (1, 2, 0x84), (2, 1, 0x00), (3, 1, 0x00), (4, 1, 0x00), (5, 4, 0x86)]
    )
    body += struct.pack("<BIIHBBBI", 5, int(t[-1]), int(w.moving_s * 1000), 1, 0, 26, 1, int(t[-1]) + w.offset_min * 60)
    header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(body), b".FIT")
    header += struct.pack("<H", _crc_fast(header))
    data = header + bytes(body)
    return data + struct.pack("<H", _crc_fast(data))


def make_file(args: tuple[int, str]) -> None:
    from tests.activity_files import gpx_text, steady_run, tcx_text

    i, folder = args
    start = datetime(2023, 1, 1, 6, 0, tzinfo=UTC) + timedelta(days=i, minutes=i % 90)
    w = steady_run(start, seconds=3600, speed=2.9 + (i % 7) * 0.1, offset_min=60, seed=i, name=f"Run {i}")
    kind = ("fit", "gpx", "tcx")[i % 3]
    data = fit_bytes(w) if kind == "fit" else (gpx_text(w) if kind == "gpx" else tcx_text(w)).encode()
    name = f"{i:04d}.{kind}"
    if i % 10 == 9:
        data, name = gzip.compress(data, compresslevel=5), name + ".gz"
    Path(folder, name).write_bytes(data)


def check_fit_encoder(folder: Path) -> None:
    import fitdecode

    with fitdecode.FitReader(str(folder / "0000.fit"), check_crc=fitdecode.CrcCheck.ENABLED) as reader:
        names = [f.name for f in reader if f.frame_type == fitdecode.FIT_FRAME_DATA]
    assert names.count("record") == 3601 and "session" in names and "activity" in names, names[:10]


def read_ms_per_file(folder: Path, sample: int = 15) -> dict[str, float]:
    """CPU milliseconds to read one file of each kind (bytes to activities) in this process:
    the parsers alone, best of three rounds over the first ``sample`` plain files. CPU
    time, not wall: the other users of the shared cores then matter less."""
    from scapula.runs.sources import read_activities_bytes

    out = {}
    for kind in ("fit", "gpx", "tcx"):
        files = sorted(p for p in folder.iterdir() if p.suffix == f".{kind}")[:sample]
        blobs = [(p.read_bytes(), str(p)) for p in files]
        rounds = []
        for _ in range(3):
            began = time.process_time()
            for data, where in blobs:
                read_activities_bytes(kind, data, where)
            rounds.append((time.process_time() - began) / len(blobs))
        out[kind] = min(rounds) * 1000
    return out


def timed_import(folder: Path, db: str, workers: int | None) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall seconds, CPU seconds (the command and its workers) and the finished command."""
    args = [str(SCAPULA), "--db", db, "import", str(folder)] + (["--workers", str(workers)] if workers else [])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=None, help="passed to scapula import")
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="scapula-bench-") as tmp:
        folder = Path(tmp, "activities")
        folder.mkdir()
        began = time.perf_counter()
        with ProcessPoolExecutor(os.cpu_count()) as pool:
            list(pool.map(make_file, [(i, str(folder)) for i in range(opts.files)], chunksize=8))
        check_fit_encoder(folder)
        size = sum(p.stat().st_size for p in folder.iterdir())
        print(f"built {opts.files} files ({size / 1e6:.0f} MB on disk) in {time.perf_counter() - began:.1f} s")
        per_file = read_ms_per_file(folder)
        per_kind = ", ".join(f"{k.upper()} {ms:.1f}" for k, ms in per_file.items())
        print("read in one process, CPU ms per file: " + per_kind)
        db = f"sqlite:///{Path(tmp, 'bench.db')}"
        for label in ("first import", "re-import (all stored)"):
            seconds, cpu, done = timed_import(folder, db, opts.workers)
            print(
                f"{label}: {opts.files / seconds:.1f} files/s, {seconds:.1f} s total "
                f"({cpu:.1f} s CPU over {os.cpu_count()} cores); "
                f"scapula said: {done.stdout.strip().splitlines()[-1]} (exit {done.returncode})"
            )
            if done.returncode != 0:
                print(done.stderr, file=sys.stderr)
        stored = json.loads(
            subprocess.run(
                [str(SCAPULA), "--db", db, "runs", "--json"], capture_output=True, text=True, check=True
            ).stdout
        )
        kinds = {k: sum(r["source_kind"] == k for r in stored) for k in ("fit", "gpx", "tcx")}
        print(f"stored {len(stored)} runs {kinds}; every file one run: {len(stored) == opts.files}")


if __name__ == "__main__":
    main()
