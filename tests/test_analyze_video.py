"""`scapula analyze` on a real video: decoding, the real pose model, the annotated output."""

from __future__ import annotations

import json

import cv2

from scapula.vision.landmarks import read_landmarks


def test_real_video_of_walking_gives_no_reps(cli, demo, tmp_path):
    out, poses = tmp_path / "report.json", tmp_path / "poses.jsonl"
    result = cli("analyze", str(demo), "--out", str(out), "--landmarks-out", str(poses), timeout=300)
    assert result.code == 0, result.err
    assert "None of the moves recognised" in result.out
    report = json.loads(out.read_text())
    assert report["format"] == "scapula-report" and report["version"] == 1
    assert report["recognised"] is False and report["reps"]["total"] == 0 and report["rep_events"] == []
    assert report["frames"]["with_person"] >= 0.8 * report["frames"]["total"] > 0
    assert 7.0 < report["duration_s"] < 8.0
    header, frames = read_landmarks(poses)
    frames = list(frames)
    assert (header.width, header.height) == (1768, 994) and len(frames) == report["frames"]["total"]
    # the same landmarks give the same report
    again = cli("analyze", str(poses), "--out", str(tmp_path / "again.json"))
    assert again.code == 0
    assert json.loads((tmp_path / "again.json").read_text())["reps"] == report["reps"]


def test_each_named_move_also_finds_no_reps_in_it(cli, demo, tmp_path):
    poses = tmp_path / "poses.jsonl"
    assert cli("analyze", str(demo), "--landmarks-out", str(poses), timeout=300).code == 0
    for move in ("reverse_fly", "chainsaw_row", "superman"):
        out = tmp_path / f"{move}.json"
        assert cli("analyze", str(poses), "--exercise", move, "--out", str(out)).code == 0
        report = json.loads(out.read_text())
        assert report["exercise"] == move and report["reps"]["total"] == 0 and not report["recognised"]


def test_annotated_video_has_every_frame_drawn(cli, demo, tmp_path):
    annotated = tmp_path / "annotated.mp4"
    result = cli("analyze", str(demo), "--annotate", str(annotated), timeout=300)
    assert result.code == 0, result.err
    video = cv2.VideoCapture(str(annotated))
    assert int(video.get(cv2.CAP_PROP_FRAME_COUNT)) == 230
    assert (int(video.get(cv2.CAP_PROP_FRAME_WIDTH)), int(video.get(cv2.CAP_PROP_FRAME_HEIGHT))) == (1768, 994)
    ok, first = video.read()
    assert ok
    # the overlay (rep counter in a dark box, top left) changed the picture there
    source = cv2.VideoCapture(str(demo))
    ok, original = source.read()
    assert ok
    corner = (slice(20, 70), slice(10, 200))
    assert abs(first[corner].astype(int) - original[corner].astype(int)).mean() > 40


def test_annotate_needs_a_video(cli, tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"format": "scapula-landmarks", "version": 1, "fps": 30, "width": 10, "height": 10}\n')
    result = cli("analyze", str(path), "--annotate", str(tmp_path / "a.mp4"))
    assert result.code == 2 and "--annotate needs a video" in result.err
