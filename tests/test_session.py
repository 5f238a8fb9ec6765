"""The guided session, driven through the real command: scripted, typed, interrupted, killed."""

from __future__ import annotations

import queue
import signal
import threading
import time

import pytest


def test_scripted_session_logs_every_set_and_stretch(cli_db):
    assert cli_db("equipment", "add", "kettlebell", "16").code == 0
    # each set's reps default to the plan's target for the move and side, as on the web
    target = {(d["exercise_id"], d["side"]): d["reps_target"] for d in cli_db("plan", "--json").json()["progression"]}
    result = cli_db("session", "--yes", "--rest", "0", "--rpe", "7", "--load", "16")
    assert result.code == 0, result.err
    assert "Session done" in result.out
    for cue in (
        "Ribs knit down",
        "staggered half-lunge",
        "Rest 30 s",
        "about 25 min",
        "(rests 30 s instead of 60 s, to keep the session within 25 min)",
    ):
        assert cue in result.out
    [performed] = cli_db("history", "--json").json()
    assert performed["completed"] and performed["ended_at"]
    sets = performed["sets"]
    by_move = {}
    for s in sets:
        by_move.setdefault(s["exercise"], []).append((s["set"], s["side"], s["reps"]))
    assert by_move["reverse_fly"] == [(n, "both", target["reverse_fly", "both"]) for n in (1, 2, 3)]
    # the row: all reps on the left then the right, set by set
    assert by_move["chainsaw_row"] == [
        (n, side, target["chainsaw_row", side]) for n in (1, 2, 3) for side in ("left", "right")
    ]
    assert by_move["superman"] == [(n, side, target["superman", side]) for n in (1, 2, 3) for side in ("left", "right")]
    assert all(s["rpe"] == 7 for s in sets)
    assert {s["load_kg"] for s in sets if s["exercise"] == "chainsaw_row"} == {16}
    assert {s["hold_s"] for s in sets if s["exercise"] == "superman"} == {1.5}
    assert {(s["stretch"], s["side"]) for s in performed["stretches"]} == {
        ("doorway_chest_stretch", "left"),
        ("doorway_chest_stretch", "right"),
        ("open_book", "left"),
        ("open_book", "right"),
        ("foam_roller_chest_opener", "both"),
    }


def test_typed_answers_are_checked_and_logged(cli):
    # one superman set at a time: left reps, right reps, hold, RPE — with two typos corrected
    answers = (
        "\n".join(
            [
                "11",
                "lots",
                "10",
                "2",
                "eleven",
                "8",  # set 1 (a bad reps and a bad RPE re-asked)
                "12",
                "12",
                "",
                "",  # set 2: default hold (the last one, 2 s), no RPE
                "9",
                "8",
                "1.5",
                "9.5",  # set 3
            ]
        )
        + "\n"
    )
    result = cli("session", "--only", "superman", "--no-stretch", "--rest", "0", input=answers)
    assert result.code == 0, result.err
    assert "reps: type a whole number" in result.out and "RPE: type a number" in result.out
    [performed] = cli("history", "--json").json()
    assert [(s["set"], s["side"], s["reps"], s["hold_s"], s["rpe"]) for s in performed["sets"]] == [
        (1, "left", 11, 2, 8),
        (1, "right", 10, 2, 8),
        (2, "left", 12, 2, None),
        (2, "right", 12, 2, None),
        (3, "left", 9, 1.5, 9.5),
        (3, "right", 8, 1.5, 9.5),
    ]
    assert performed["stretches"] == []


def test_unknown_move_for_today_is_refused(cli):
    result = cli("session", "--only", "superman,pushup", "--yes", "--rest", "0")
    assert result.code == 2 and "pushup" in result.err and "reverse_fly" in result.err
    assert cli("history", "--json").json() == []


def test_input_ending_mid_session_keeps_the_sets(cli):
    result = cli("session", "--only", "reverse_fly", "--rest", "0", input="12\nmedium band\n7\n")
    assert result.code == 1
    assert "input ended" in result.err and "kept 1 set" in result.err
    [performed] = cli("history", "--json").json()
    assert [(s["reps"], s["load"], s["rpe"]) for s in performed["sets"]] == [(12, "medium band", 7)]
    assert performed["ended_at"] and not performed["completed"]


class _Reader:
    """Collects a child's stdout lines on a thread so the test can wait for a prompt."""

    def __init__(self, proc):
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen = ""
        threading.Thread(target=self._pump, args=(proc.stdout,), daemon=True).start()

    def _pump(self, stream):
        while chunk := stream.read(1):
            self.lines.put(chunk)

    def wait_for(self, text: str, count: int = 1, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while self.seen.count(text) < count:
            try:
                self.seen += self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"never saw {text!r} x{count}; output so far:\n{self.seen}")


def _two_sets_then(cli, stop) -> tuple[int, str]:
    proc = cli.popen("session", "--only", "chainsaw_row", "--rest", "0")
    out = _Reader(proc)
    for reps in ("12", "11"):  # set 1 left, set 1 right
        out.wait_for("reps done")
        proc.stdin.write(f"{reps}\n14\n8\n")
        proc.stdin.flush()
        out.wait_for("saved", count=1 if reps == "12" else 2)
    out.wait_for("reps done", count=3)  # now inside set 2, nothing typed
    stop(proc)
    code = proc.wait(timeout=30)
    return code, proc.stderr.read()


def test_killed_session_keeps_every_set_logged_before_the_kill(cli):
    code, _ = _two_sets_then(cli, lambda p: p.kill())
    assert code == -signal.SIGKILL
    [performed] = cli("history", "--json").json()
    assert [(s["side"], s["reps"], s["load_kg"], s["rpe"]) for s in performed["sets"]] == [
        ("left", 12, 14, 8),
        ("right", 11, 14, 8),
    ]
    assert performed["ended_at"] is None  # cut short: nothing ran after the kill
    assert "unfinished" in cli("history").out


def test_ctrl_c_stops_and_keeps_what_was_logged(cli):
    code, _ = _two_sets_then(cli, lambda p: p.send_signal(signal.SIGINT))
    assert code == 130
    [performed] = cli("history", "--json").json()
    assert len(performed["sets"]) == 2
    assert performed["ended_at"] and not performed["completed"]
    assert "stopped early" in cli("history").out
