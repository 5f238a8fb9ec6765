"""The exercise catalog: contract ids, the article's doses, and refusal of bad files."""

from __future__ import annotations

import pytest

from scapula.catalog import Kind, load_catalog

# docs/contracts.md §1: exercise ids with their counting, and fault ids per exercise.
CONTRACT = {
    "reverse_fly": ("bilateral", {"ribs_flare", "shrug", "locked_elbows", "bent_elbows", "partial_range"}),
    "chainsaw_row": ("unilateral", {"upright_torso", "torso_rotation", "partial_range", "square_stance"}),
    "superman": ("alternating", {"both_arms", "back_arch", "neck_extension"}),
}


@pytest.mark.fast
def test_moves_and_faults_match_the_contract():
    catalog = load_catalog()
    assert {m.id: (m.counting.value, {f.id for f in m.faults}) for m in catalog.moves} == CONTRACT


@pytest.mark.fast
def test_every_move_has_the_articles_dose_and_a_cue_for_every_fault():
    catalog = load_catalog()
    for move in catalog.moves:
        assert (move.dose.sets, move.dose.reps_min, move.dose.reps_max) == (3, 10, 12), move.id
        assert move.dose.rest_s > 0
        assert move.setup and move.execution and move.muscles.primary
        for fault in move.faults:
            assert move.cue(fault.cue).text
    assert not catalog.get("reverse_fly").dose.per_side
    assert catalog.get("chainsaw_row").dose.per_side
    superman = catalog.get("superman")
    assert superman.dose.per_side and 1 <= superman.dose.hold_s <= 2
    assert {"leg_lift", "leg_curl"} <= {v.id for v in superman.variants}
    anchor = " ".join(e.note + e.name for e in catalog.get("reverse_fly").equipment).lower()
    assert "forehead" in anchor


@pytest.mark.fast
def test_stretching_routine_is_held_for_time():
    stretches = load_catalog().stretches
    assert len(stretches) >= 2
    for stretch in stretches:
        assert stretch.kind is Kind.stretch and stretch.dose.hold_s and stretch.dose.reps_min is None


def test_exercises_lists_every_entry(cli):
    result = cli("exercises")
    assert result.code == 0
    for entry_id in load_catalog().ids():
        assert entry_id in result.out


def test_exercises_shows_one_in_full(cli):
    result = cli("exercises", "chainsaw_row")
    assert result.code == 0, result.err
    for heading in (
        "Setup",
        "Execution",
        "Form cues",
        "Faults to watch for",
        "Dose",
        "Variants",
        "Regressions",
        "Progressions",
    ):
        assert heading in result.out
    assert "square_stance" in result.out and "3 x 10-12 reps per side" in result.out


def test_unknown_exercise_is_refused_with_the_valid_ids(cli):
    result = cli("exercises", "bench_press")
    assert result.code == 2
    assert "bench_press" in result.err
    for entry_id in ("reverse_fly", "chainsaw_row", "superman"):
        assert entry_id in result.err
    assert len(result.err.strip().splitlines()) == 1


BROKEN = {
    "yaml_syntax": ("reverse_fly", lambda t: t.replace("kind: strength", "kind: [strength"), "line"),
    "missing_field": ("superman", lambda t: t.replace("name: Alternating", "nom: Alternating", 1), "name"),
    "wrong_type": ("chainsaw_row", lambda t: t.replace("  sets: 3", "  sets: three"), "dose.sets"),
    "unknown_cue": ("reverse_fly", lambda t: t.replace("cue: back_not_neck", "cue: neck_free"), "faults"),
    "bad_counting": ("reverse_fly", lambda t: t.replace("counting: bilateral", "counting: sometimes"), "counting"),
    "reps_reversed": ("superman", lambda t: t.replace("reps_min: 10", "reps_min: 14"), "dose"),
    "not_a_mapping": ("chainsaw_row", lambda t: "- just\n- a list\n", "mapping"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_malformed_catalog_file_names_file_field_and_reason(cli, catalog_copy, case):
    entry_id, breaker, expected = BROKEN[case]
    path = catalog_copy / f"{entry_id}.yaml"
    broken = breaker(path.read_text())
    assert broken != path.read_text()
    path.write_text(broken)
    result = cli("--catalog", str(catalog_copy), "exercises")
    assert result.code == 1
    line = result.err.strip()
    assert len(line.splitlines()) == 1, line
    assert str(path) in line and expected in line


def test_id_must_match_file_name(cli, catalog_copy):
    (catalog_copy / "reverse_fly.yaml").rename(catalog_copy / "band_fly.yaml")
    result = cli("--catalog", str(catalog_copy), "exercises")
    assert result.code == 1 and "band_fly.yaml" in result.err and "'id'" in result.err


def test_extra_field_is_refused(cli, catalog_copy):
    path = catalog_copy / "superman.yaml"
    path.write_text(path.read_text() + "difficulty: easy\n")
    result = cli("--catalog", str(catalog_copy), "exercises", "superman")
    assert result.code == 1 and "difficulty" in result.err


def test_empty_or_missing_catalog_directory(cli, tmp_path):
    (tmp_path / "empty").mkdir()
    assert "no .yaml" in cli("--catalog", str(tmp_path / "empty"), "exercises").err
    missing = cli("--catalog", str(tmp_path / "nowhere"), "exercises")
    assert missing.code == 1 and "does not exist" in missing.err


def test_a_new_move_is_just_a_yaml_file(cli, catalog_copy):
    text = (catalog_copy / "reverse_fly.yaml").read_text()
    (catalog_copy / "face_pull.yaml").write_text(
        text.replace("id: reverse_fly", "id: face_pull").replace("name: Band reverse fly", "name: Band face pull")
    )
    result = cli("--catalog", str(catalog_copy), "exercises", "face_pull")
    assert result.code == 0 and "Band face pull" in result.out
