"""Video decoding and pose estimation, through scapula.vision.pose's public functions.

The real clip is Sports2D's demo (tests/realclip.py, fetched and checksummed, never
committed); every other video is made here with ffmpeg in the test's tmp_path.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import ClassVar

import numpy as np
import pytest

from scapula.errors import InputFileError
from scapula.vision.landmarks import Frame, read_landmarks, write_landmarks
from scapula.vision.pose import BlazePose, open_video, video_landmarks
from scapula.vision.skeleton import P
from tests.conftest import unavailable as _unavailable

DEMO_SIZE = (1768, 994)
DEMO_FRAMES = 230


@pytest.fixture(scope="session")
def demo_times(demo) -> list[float]:
    return [t for t, _ in open_video(demo).frames()]


@pytest.fixture(scope="session")
def ffmpeg() -> str:
    exe = shutil.which("ffmpeg")
    if exe is None or shutil.which("ffprobe") is None:
        _unavailable("ffmpeg is not installed (scripts/system-deps.sh installs it)")
    return exe


def _ffmpeg(*args: str | Path) -> bytes:
    proc = subprocess.run(
        ["ffmpeg", "-v", "error", "-nostdin", "-y", *map(str, args)], capture_output=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    return proc.stdout


@cache
def _has_display_rotation_option() -> bool:  # ffmpeg >= 6; 5.x takes the 'rotate' tag
    out = subprocess.run(["ffmpeg", "-hide_banner", "-h", "full"], capture_output=True, text=True)
    return "display_rotation" in out.stdout


def _with_rotation(src: Path, dst: Path, ccw: int) -> Path:
    """A stream copy of src whose display matrix turns the picture ``ccw`` degrees
    counter-clockwise; checked with ffprobe, since the option's meaning moved between
    ffmpeg versions."""
    if _has_display_rotation_option():
        _ffmpeg("-display_rotation:v:0", ccw, "-i", src, "-c", "copy", dst)
    else:
        _ffmpeg("-i", src, "-c", "copy", "-metadata:s:v:0", f"rotate={ccw}", dst)
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_streams", "-of", "json", str(dst)],
        capture_output=True,
        text=True,
        check=True,
    )
    side = json.loads(probe.stdout)["streams"][0].get("side_data_list", [])
    assert [round(s["rotation"]) % 360 for s in side if "rotation" in s] == [ccw % 360]
    return dst


def _ffmpeg_first_frame(path: Path, width: int, height: int) -> np.ndarray:
    """Frame 0 as the ffmpeg command line shows it (it applies the display matrix)."""
    raw = _ffmpeg("-i", path, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-")
    return np.frombuffer(raw, np.uint8).reshape(height, width, 3)


class FakeEstimator:
    """Records what the stream feeds it; finds nobody."""

    source = "fake estimator"
    made: ClassVar[list[FakeEstimator]] = []

    def __init__(self) -> None:
        self.calls: list[tuple[float, tuple[int, ...]]] = []
        self.closed = False
        FakeEstimator.made.append(self)

    def estimate(self, rgb: np.ndarray, t: float) -> Frame:
        assert rgb.dtype == np.uint8 and rgb.flags.c_contiguous
        self.calls.append((t, rgb.shape))
        return Frame(t, None, None)

    def close(self) -> None:
        self.closed = True


def _no_model():
    raise AssertionError("a bad file must be refused before any model is made")


def _mid(points: np.ndarray, a: P, b: P) -> np.ndarray:
    return (points[..., a, :] + points[..., b, :]) / 2


# ------------------------------------------------------------------------- decoding


def test_demo_clip_decodes_with_its_own_timestamps(demo):
    video = open_video(demo)
    assert (video.width, video.height) == DEMO_SIZE
    assert (video.fps, video.rotation, video.frame_count) == (30.0, 0, DEMO_FRAMES)
    assert video.duration_s == pytest.approx(230 / 30, abs=0.01)
    times = []
    for t, rgb in video.frames():
        assert rgb.shape == (994, 1768, 3) and rgb.dtype == np.uint8
        times.append(t)
    assert len(times) == DEMO_FRAMES and times[0] == 0.0
    assert np.allclose(np.diff(times), 1 / 30, atol=1e-3)


def test_two_halves_split_at_any_time_give_the_whole_clip(demo, demo_times):
    video = open_video(demo)
    mid = 3.8  # between keyframes (every 2 s): seek back, then decode forward
    first = [t for t, _ in video.frames(end_s=mid)]
    second = video.frames(start_s=mid)
    t0, rgb0 = next(second)
    assert first + [t0] + [t for t, _ in second] == demo_times
    same = next(rgb for t, rgb in video.frames(start_s=3.0) if t == t0)
    assert np.array_equal(rgb0, same)  # seeking decodes the same pixels
    assert [t for t, _ in video.frames(stride=2)] == demo_times[::2]
    window = [t for t in demo_times if 1.0 <= t < 2.0][::3]
    assert [t for t, _ in video.frames(start_s=1.0, end_s=2.0, stride=3)] == window
    with pytest.raises(ValueError, match="stride"):
        video.frames(stride=0)


def test_windows_of_a_clip_with_b_frames_match_decoding_it_all(demo, ffmpeg, tmp_path):
    # H.264 with B-frames and one keyframe: decoding from start_s runs through every frame
    # before it and skips those no other frame refers to; the frames kept must not change.
    clip = tmp_path / "bframes.mp4"
    _ffmpeg(
        "-i",
        demo,
        "-t",
        "4",
        "-vf",
        "scale=320:180",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-bf",
        "3",
        "-g",
        "300",
        "-an",
        clip,
    )
    video = open_video(clip)
    whole = list(video.frames(max_side=160, threads=False))
    windows = [(None, None, 2), (1.5, 3.0, 2), (2.02, None, 2), (0.7, 2.5, 3), (3.0, None, 1)]
    for start, end, stride in windows:
        inside = [(t, rgb) for t, rgb in whole if (start or 0) - 1e-6 <= t < (end or 99) - 1e-6][::stride]
        window = list(video.frames(start, end, stride, max_side=160))
        assert [t for t, _ in window] == [t for t, _ in inside]
        assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(window, inside))


def _small_h264(demo, out, *gop):
    """The first 6 s of the demo clip at 320x180 and 30 frames/s, H.264 with the keyframe
    spacing ``gop`` asks for (no keyframes at scene cuts)."""
    _ffmpeg("-i", demo, "-t", "6", "-vf", "scale=320:180,fps=30", "-c:v", "libx264", "-preset", "veryfast",
            *gop, "-sc_threshold", "0", "-an", out)  # fmt: skip
    return out


def test_keyframes_are_read_from_the_index_and_segments_are_cut_on_them(demo, ffmpeg, tmp_path):
    from scapula.vision.pipeline import WARMUP_S, _cut

    # a phone-like clip, a keyframe every second: the cut moves to the nearest one and the
    # segment after it needs no warm-up
    phone = _small_h264(demo, tmp_path / "gop1s.mp4", "-g", "30", "-keyint_min", "30")
    video = open_video(phone)
    assert video.keyframes(2.5, 4.2) == pytest.approx([2.0, 3.0, 4.0])
    assert video.keyframes(3.0, 3.0) == pytest.approx([3.0])
    assert video.keyframes(0.2, 0.9) == [0.0]
    assert _cut(video, 2.9, 2.9) == (pytest.approx(3.0), 0.0)
    # one keyframe in the clip: no keyframe near the cut, the warm-up stays
    sparse = _small_h264(demo, tmp_path / "gop-long.mp4", "-g", "600")
    assert _cut(open_video(sparse), 3.0, 3.0) == (3.0, WARMUP_S)
    # the segments cut this way still hold every frame of the clip exactly once
    whole = [t for t, _ in video.frames(stride=2, max_side=160)]
    cut, _ = _cut(video, 2.9, 2.9)
    halves = [t for t, _ in video.frames(None, cut, 2, max_side=160)] + [
        t for t, _ in video.frames(cut, None, 2, max_side=160)
    ]
    assert sorted(set(halves)) == halves and set(whole) <= set(video_times := [t for t, _ in video.frames()])
    assert len(halves) == len([t for t in video_times if t < cut - 1e-6][::2]) + len(
        [t for t in video_times if t >= cut - 1e-6][::2]
    )


@pytest.mark.parametrize("wrong", ["a frame unannounced", "an announced frame that never comes"])
def test_stride_falls_back_to_counting_when_the_packets_mislead(demo, ffmpeg, tmp_path, monkeypatch, wrong):
    # With a stride, frames are kept by the places their packets announce; a decoder that
    # disagrees (damaged timestamps) sends the decoding back to counting every frame.
    clip = tmp_path / "bframes.mp4"
    _ffmpeg(
        "-i", demo, "-t", "3", "-vf", "scale=320:180", "-c:v", "libx264", "-preset", "veryfast", "-bf", "3", "-an", clip
    )
    video = open_video(clip)
    expected = [t for t, _ in video.frames(0.5, 2.5, 2)]
    true_ranks = type(video)._ranks

    def misleading(self, *args):
        ranks = true_ranks(self, *args)
        pts = sorted(ranks)
        pts = pts[:10] + pts[11:] if wrong == "a frame unannounced" else [*pts[:10], pts[9] + 1, *pts[10:]]
        return {p: i for i, p in enumerate(pts)}

    monkeypatch.setattr(type(video), "_ranks", misleading)
    assert [t for t, _ in video.frames(0.5, 2.5, 2)] == expected


@pytest.mark.parametrize("ccw", [90, 270])
def test_rotation_metadata_is_applied_as_a_player_shows_it(demo, ffmpeg, tmp_path, ccw):
    rotated = _with_rotation(demo, tmp_path / f"rot{ccw}.mp4", ccw)
    video = open_video(rotated)
    assert (video.width, video.height) == DEMO_SIZE[::-1]
    assert video.rotation == (360 - ccw) % 360  # reported clockwise
    _, ours = next(video.frames())
    _, plain = next(open_video(demo).frames())
    assert np.array_equal(ours, np.rot90(plain, ccw // 90))
    shown = _ffmpeg_first_frame(rotated, video.width, video.height)
    assert np.abs(ours.astype(int) - shown).mean() < 2.0
    _, small = next(video.frames(max_side=640))  # shrink, then turn
    assert small.shape == (640, 360, 3)

    # The model finds the athlete (lying on their side here) where the turned picture has them.
    _, upright = video_landmarks(demo, end_s=1.0)
    _, turned = video_landmarks(rotated, end_s=1.0)
    pairs = [(a, b) for a, b in zip(upright, turned) if a.has_person and b.has_person]
    assert len(pairs) >= 0.8 * 30
    x, y = np.moveaxis(np.stack([a.image[:, :2] for a, _ in pairs]), -1, 0)
    expected = np.stack([y, 1 - x] if ccw == 90 else [1 - y, x], axis=-1)
    found = np.stack([b.image[:, :2] for _, b in pairs])
    assert np.median(np.linalg.norm(expected - found, axis=-1)) < 0.02


@pytest.mark.parametrize(
    "pix_fmt, max_side, size",
    [
        ("yuv420p", 640, (640, 360)),  # shrunk plane by plane and converted by OpenCV
        ("yuv420p", 641, (641, 360)),  # an odd width: swscale
        ("yuvj420p", 640, (640, 360)),  # full-range levels: swscale
        ("yuv444p", None, (1768, 994)),  # another chroma layout: swscale
    ],
)
def test_frames_come_out_as_ffmpeg_shows_them_whatever_the_pixel_format(
    demo, ffmpeg, tmp_path, pix_fmt, max_side, size
):
    clip = tmp_path / f"{pix_fmt}.mp4"
    _ffmpeg("-i", demo, "-t", "0.5", "-pix_fmt", pix_fmt, "-c:v", "libx264", "-crf", "8", "-an", clip)
    w, h = size
    shown = _ffmpeg(
        "-i", clip, "-frames:v", "1", "-vf", f"scale={w}:{h}:flags=area", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"
    )
    shown = np.frombuffer(shown, np.uint8).reshape(h, w, 3).astype(int)
    video = open_video(clip)
    for deblock in (True, False):  # without deblocking: the same picture, to the eye
        _, ours = next(video.frames(max_side=max_side, deblock=deblock))
        assert ours.shape == (h, w, 3) and ours.flags.c_contiguous
        assert np.abs(ours - shown).mean() < 3.0, (deblock, np.abs(ours - shown).mean())


def test_phone_portrait_clip_comes_out_upright(demo, ffmpeg, tmp_path):
    # A portrait crop around the athlete, encoded twice: natively portrait, and the way a
    # phone stores it (picture turned a quarter counter-clockwise, display matrix turning it
    # back: Video.rotation 90, like an iPhone held upright).
    crop = "crop=560:994:370:0,scale=360:640"
    native, stored = tmp_path / "portrait.mp4", tmp_path / "stored.mp4"
    x264 = ("-c:v", "libx264", "-preset", "ultrafast", "-crf", "8", "-an")
    _ffmpeg("-i", demo, "-t", "2", "-vf", crop, *x264, native)
    _ffmpeg("-i", demo, "-t", "2", "-vf", crop + ",transpose=cclock", *x264, stored)
    phone = _with_rotation(stored, tmp_path / "phone.mp4", 270)

    a, b = open_video(native), open_video(phone)
    assert (a.width, a.height, a.rotation) == (360, 640, 0)
    assert (b.width, b.height, b.rotation) == (360, 640, 90)
    for (ta, pa), (tb, pb) in zip(a.frames(end_s=0.5), b.frames(end_s=0.5)):
        assert ta == tb and pa.shape == pb.shape == (640, 360, 3)
        assert np.abs(pa.astype(int) - pb).mean() < 3.0

    runs = []
    for clip in (native, phone):
        header, frames = video_landmarks(clip)
        assert (header.width, header.height) == (360, 640)
        runs.append([f for f in frames])
    found = [[f for f in run if f.has_person] for run in runs]
    assert all(len(f) >= 0.8 * len(run) for f, run in zip(found, runs))
    for person in found:
        nose_y = np.array([f.image[P.NOSE, 1] for f in person])
        hip_y = np.array([_mid(f.image, P.LEFT_HIP, P.RIGHT_HIP)[1] for f in person])
        assert np.mean(nose_y < hip_y) > 0.9  # head up: upright
    both = [(x, y) for x, y in zip(*runs) if x.has_person and y.has_person]
    gap = [np.median(np.linalg.norm(x.image[:, :2] - y.image[:, :2], axis=1)) for x, y in both]
    assert np.median(gap) < 0.02


def test_a_file_without_timestamps_or_length_still_decodes(ffmpeg, tmp_path):
    raw = tmp_path / "clip.h264"
    _ffmpeg(
        "-f", "lavfi", "-i", "testsrc=d=1:s=160x120:r=25", "-c:v", "libx264", "-preset", "ultrafast", "-f", "h264", raw
    )
    video = open_video(raw)
    times = [t for t, _ in video.frames()]
    assert (video.width, video.height, video.fps) == (160, 120, 25.0)
    assert len(times) == 25 and np.all(np.diff(times) > 0)


# ------------------------------------------------------------------------- the model


def test_blazepose_finds_the_athlete_in_metres(demo, demo_times, tmp_path):
    header, frames = video_landmarks(demo)
    assert (header.width, header.height, header.fps) == (*DEMO_SIZE, 30.0)
    assert header.source == "mediapipe 0.10.21 BlazePose full"
    frames = list(frames)
    assert [f.t for f in frames] == demo_times
    person = [f for f in frames if f.has_person]
    assert len(person) >= 0.85 * DEMO_FRAMES  # 221 of 230 when measured

    image = np.stack([f.image for f in person])
    world = np.stack([f.world for f in person])
    assert image.shape[1:] == (33, 4) and world.shape[1:] == (33, 3)
    assert np.all(np.isfinite(image)) and np.all(np.isfinite(world))
    assert np.all((image[..., 3] >= 0) & (image[..., 3] <= 1))
    trunk = [P.LEFT_SHOULDER, P.RIGHT_SHOULDER, P.LEFT_HIP, P.RIGHT_HIP]
    inside = (image[:, trunk, :2] >= 0) & (image[:, trunk, :2] <= 1)
    assert inside.all(axis=(1, 2)).mean() > 0.95

    def median_length(a: P, b: P) -> float:
        return float(np.median(np.linalg.norm(world[:, a] - world[:, b], axis=1)))

    assert 0.25 <= median_length(P.LEFT_SHOULDER, P.RIGHT_SHOULDER) <= 0.5
    assert 0.15 <= median_length(P.LEFT_HIP, P.RIGHT_HIP) <= 0.4
    assert 0.2 <= median_length(P.LEFT_SHOULDER, P.LEFT_ELBOW) <= 0.45
    torso = np.linalg.norm(
        _mid(world, P.LEFT_SHOULDER, P.RIGHT_SHOULDER) - _mid(world, P.LEFT_HIP, P.RIGHT_HIP), axis=1
    )
    assert 0.35 <= np.median(torso) <= 0.7
    assert np.median(np.abs(_mid(world, P.LEFT_HIP, P.RIGHT_HIP))) < 0.05  # origin: mid-hips
    assert np.mean(world[:, P.NOSE, 1] < _mid(world, P.LEFT_HIP, P.RIGHT_HIP)[:, 1]) > 0.9

    path = tmp_path / "demo.jsonl"  # the §2 stream survives the landmark file
    write_landmarks(path, header, frames)
    back_header, back = read_landmarks(path)
    back = list(back)
    assert back_header == header
    assert [f.has_person for f in back] == [f.has_person for f in frames]


def test_a_clip_without_a_person_gives_empty_frames(ffmpeg, tmp_path):
    clip = tmp_path / "testsrc.mp4"
    _ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc=d=2:s=320x240:r=25",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        clip,
    )
    header, frames = video_landmarks(clip)
    frames = list(frames)
    assert (header.width, header.height, header.fps) == (320, 240, 25.0)
    assert len(frames) == 50
    assert all(f.image is None and f.world is None for f in frames)


def test_blazepose_on_its_own():
    with BlazePose() as pose:
        frame = pose.estimate(np.zeros((240, 320, 3), np.uint8), 0.0)
        assert (frame.t, frame.image, frame.world) == (0.0, None, None)
        with pytest.raises(ValueError, match="RGB"):
            pose.estimate(np.zeros((240, 320), np.uint8), 0.04)


# ------------------------------------------------------------------------- the stream


def test_the_stream_feeds_the_estimator_and_closes_it(demo, demo_times):
    FakeEstimator.made.clear()
    header, frames = video_landmarks(demo, FakeEstimator, start_s=2.0, end_s=3.0, stride=2, max_side=640)
    assert (header.width, header.height, header.fps, header.source) == (*DEMO_SIZE, 15.0, "fake estimator")
    assert FakeEstimator.made == []  # no estimator until the first frame is asked for
    out = list(frames)
    (fake,) = FakeEstimator.made
    assert [f.t for f in out] == [t for t, _ in fake.calls] == [t for t in demo_times if 2.0 <= t < 3.0][::2]
    assert {shape for _, shape in fake.calls} == {(360, 640, 3)}
    assert fake.closed

    _, frames = video_landmarks(demo, FakeEstimator)
    next(frames)
    frames.close()  # a consumer that stops early still frees the estimator
    assert FakeEstimator.made[-1].closed


# ------------------------------------------------------------------------- bad input


def _unusable(kind: str, where: Path) -> Path:
    if kind == "missing":
        return where / "missing.mp4"
    if kind == "directory":
        return where
    path = where / f"{kind}.mp4"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "random-bytes":
        path.write_bytes(np.random.default_rng(7).integers(0, 256, 100_000, dtype=np.uint8).tobytes())
    elif kind == "text":
        path.write_text("reverse fly 3x12\n")
    return path


@pytest.mark.fast
@pytest.mark.parametrize(
    "kind, problem",
    [
        ("missing", "no such file"),
        ("directory", "is a directory"),
        ("empty", "is empty"),
        ("random-bytes", "is not a video file"),
        ("text", "is not a video file"),
    ],
)
def test_unusable_files_are_refused_with_one_clear_line(tmp_path, kind, problem):
    path = _unusable(kind, tmp_path)
    with pytest.raises(InputFileError) as caught:
        video_landmarks(path, _no_model)
    message = str(caught.value)
    assert message.startswith(str(path)) and problem in message and "\n" not in message


def test_audio_only_file_has_no_video_stream(ffmpeg, tmp_path):
    audio = tmp_path / "cue.m4a"
    _ffmpeg("-f", "lavfi", "-i", "sine=d=1", audio)
    with pytest.raises(InputFileError, match=r"has no video stream \(only audio\)"):
        video_landmarks(audio, _no_model)


@pytest.mark.parametrize("damage", ["cut-in-half", "garbled-middle"])
def test_a_file_broken_part_way_fails_where_it_breaks(demo, tmp_path, damage):
    data = bytearray(demo.read_bytes())
    if damage == "cut-in-half":
        data = data[: len(data) // 2]
    else:
        middle = len(data) // 2
        data[middle : middle + 50_000] = np.random.default_rng(1).integers(0, 256, 50_000, dtype=np.uint8).tobytes()
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(bytes(data))
    header, frames = video_landmarks(broken, FakeEstimator)  # the header (moov) is intact
    assert (header.width, header.height) == DEMO_SIZE
    got = []
    with pytest.raises(InputFileError, match=r"damaged|truncated") as caught:
        for frame in frames:
            got.append(frame)
    assert 30 < len(got) < DEMO_FRAMES  # everything before the break was delivered
    assert str(caught.value).startswith(str(broken)) and "\n" not in str(caught.value)


def test_a_frame_larger_than_8k_is_refused_before_it_is_decoded(ffmpeg, tmp_path, cli):
    """A 8192x4608 clip (112 KB of flat grey): no phone films it, and each frame would take
    over 100 MB to decode. The probe refuses it from the stream's header, for the analysis
    and the posture check alike."""
    clip = tmp_path / "huge.mp4"
    subprocess.run(
        [
            ffmpeg,
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "color=c=gray:s=8192x4608:d=0.2:r=5",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            str(clip),
        ],
        check=True,
        timeout=120,
    )
    with pytest.raises(InputFileError, match="8192x4608"):
        open_video(clip)
    for command in ("analyze", "posture"):
        result = cli(command, str(clip))
        assert result.code != 0
        assert result.err.strip().splitlines()[-1] == (
            f"error: {clip}: too large a picture: 8192x4608 a frame, 36 megapixels at most (8K video)"
        )
