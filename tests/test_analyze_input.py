"""`scapula analyze` refuses bad input with one line naming the file and the problem."""

from __future__ import annotations

import json

import pytest

HEADER = {
    "format": "scapula-landmarks",
    "version": 1,
    "fps": 30.0,
    "width": 1280,
    "height": 720,
    "skeleton": "blazepose33",
    "source": "test",
}


def _write(path, lines):
    path.write_text("".join(line if isinstance(line, str) else json.dumps(line) + "\n" for line in lines))
    return path


def _frame(t, person=True):
    if not person:
        return {"t": t, "image": None, "world": None}
    return {"t": t, "image": [[0.5, 0.5, 0.0, 0.9]] * 33, "world": [[0.0, 0.0, 0.0]] * 33}


CASES = {
    "wrong_format": ([{**HEADER, "format": "openpose"}, _frame(0)], "format"),
    "wrong_version": ([{**HEADER, "version": 7}, _frame(0)], "version 7"),
    "not_json_header": (["hello\n", _frame(0)], "line 1"),
    "no_fps": ([{k: v for k, v in HEADER.items() if k != "fps"}, _frame(0)], "fps"),
    "truncated_line": ([HEADER, _frame(0), json.dumps(_frame(0.033))[:50]], "line 3: truncated"),
    "bad_rows": ([HEADER, {"t": 0, "image": [[0.5, 0.5, 0, 1]] * 17, "world": None}], "33 rows"),
    "time_goes_back": ([HEADER, _frame(1.0), _frame(0.5)], "back in time"),
    "empty": ([], "empty"),
    "no_person": ([HEADER] + [_frame(i / 30, person=False) for i in range(30)], "no person"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_landmark_file_is_one_clear_line(cli, tmp_path, case):
    lines, expected = CASES[case]
    path = _write(tmp_path / f"{case}.jsonl", lines)
    result = cli("analyze", str(path), "--out", str(tmp_path / "r.json"))
    assert result.code == 1, result.out
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert str(path) in result.err and expected in result.err
    assert not (tmp_path / "r.json").exists()


def test_missing_file_and_unknown_exercise(cli, tmp_path):
    missing = cli("analyze", str(tmp_path / "nope.mp4"))
    assert missing.code == 1 and "nope.mp4" in missing.err
    path = _write(tmp_path / "ok.jsonl", [HEADER, _frame(0)])
    wrong = cli("analyze", str(path), "--exercise", "bench_press")
    assert wrong.code == 2 and "bench_press" in wrong.err and "reverse_fly" in wrong.err
