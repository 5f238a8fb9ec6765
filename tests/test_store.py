"""The training log on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from scapula.store.db import make_engine, migrate
from scapula.store.models import Base


def test_migrations_build_exactly_the_models(db_url):
    engine = make_engine(db_url)
    migrate(engine)
    migrate(engine)  # a second run is a no-op
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    assert {
        "athlete",
        "equipment",
        "planned_session",
        "performed_session",
        "set_record",
        "stretch_record",
        "note",
    } <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_sqlite_log_uses_write_ahead_logging(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'sub' / 'log.db'}")
    migrate(engine)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_sets_logged_by_hand_come_back_in_history(cli_db):
    assert cli_db("equipment", "add", "kettlebell", "12").code == 0
    assert cli_db("equipment", "add", "band", "medium", "--kg", "9").code == 0
    assert cli_db("log", "reverse_fly", "--reps", "12", "--load", "medium band", "--rpe", "7").code == 0
    assert cli_db("log", "reverse_fly", "--reps", "11", "--load", "medium band", "--rpe", "8").code == 0
    assert cli_db("log", "chainsaw_row", "--side", "left", "--reps", "10", "--load", "12").code == 0
    assert (
        cli_db("log", "doorway_chest_stretch", "--side", "right", "--hold", "25", "--note", "tight left pec").code == 0
    )
    sessions = cli_db("history", "--json").json()
    assert len(sessions) == 1  # all logged into today's open session
    sets = sessions[0]["sets"]
    assert [(s["exercise"], s["set"], s["side"], s["reps"]) for s in sets] == [
        ("reverse_fly", 1, "both", 12),
        ("reverse_fly", 2, "both", 11),
        ("chainsaw_row", 1, "left", 10),
    ]
    assert sets[0]["load"] == "medium band" and sets[0]["load_kg"] == 9 and sets[1]["rpe"] == 8
    assert sets[2]["load"] == "12 kg" and sets[2]["load_kg"] == 12
    assert sessions[0]["stretches"][0] == {
        **sessions[0]["stretches"][0],
        "stretch": "doorway_chest_stretch",
        "side": "right",
        "hold_s": 25,
    }
    assert sessions[0]["notes"] == ["tight left pec"]
    table = cli_db("history")
    assert table.code == 0 and "2×" not in table.out and "12/11 @ medium band" in table.out
    equipment = cli_db("equipment")
    assert "12 kg kettlebell" in equipment.out and "medium band" in equipment.out


def test_wrong_side_or_missing_reps_is_refused_and_nothing_is_stored(cli_db):
    for args, message in [
        (("log", "chainsaw_row", "--reps", "10"), "per side"),
        (("log", "reverse_fly", "--reps", "10", "--side", "left"), "side must be one of both"),
        (("log", "superman", "--side", "up", "--reps", "3"), "side: Input should be 'left', 'right' or 'both'"),
        (("log", "superman", "--side", "left"), "--reps"),
        (("log", "deadlift", "--reps", "5"), "unknown exercise id 'deadlift'"),
        (("equipment", "add", "kettlebell", "heavy"), "kg"),
        (("equipment", "add", "dumbbell", "10"), "kind: Input should be 'band' or 'kettlebell'"),
    ]:
        result = cli_db(*args)
        assert result.code == 2, (args, result.err)
        assert message in result.err and len(result.err.strip().splitlines()) == 1
    assert cli_db("history", "--json").json() == []


def test_a_bad_database_url_is_one_clear_line(cli, tmp_path):
    result = cli("--db", "nosuchdb://x", "history")
    assert result.code == 1 and "nosuchdb" in result.err and len(result.err.strip().splitlines()) == 1
    unreachable = cli("--db", "postgresql://nobody@127.0.0.1:1/none", "history")
    assert unreachable.code == 1 and "cannot open the training log" in unreachable.err
    assert "Traceback" not in unreachable.err


def test_duplicate_plan_slots_are_merged_before_the_constraint(db_url):
    """A log written before the constraint may hold one slot twice (two plan requests at
    once): the migration keeps the oldest row and points a session done against a copy at it."""
    from alembic import command

    from scapula.store.db import alembic_config

    engine = make_engine(db_url)
    command.upgrade(alembic_config(engine), "0004")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO athlete (id, name, sessions_per_week, goal, created_at, hard_days, rest_days) "
                "VALUES (1, 'me', 2, '', '2027-01-01 00:00:00', '[]', '[]')"
            )
        )
        for row_id, uid, day in (
            (1, "scapula-2027-W03-1", "2027-01-19"),
            (2, "scapula-2027-W03-2", "2027-01-21"),
            (3, "scapula-2027-W03-2", "2027-01-22"),
            (4, "scapula-2027-W03-2", "2027-01-21"),
        ):
            conn.execute(
                text(
                    "INSERT INTO planned_session (id, athlete_id, day, status, reason, deload, race_week, uid) "
                    "VALUES (:id, 1, :day, 'planned', '', false, false, :uid)"
                ),
                {"id": row_id, "uid": uid, "day": day},
            )
        conn.execute(
            text(
                "INSERT INTO performed_session (id, athlete_id, planned_session_id, started_at, completed) "
                "VALUES (1, 1, 3, '2027-01-22 07:00:00', true)"
            )
        )
    migrate(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, uid FROM planned_session ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(1, "scapula-2027-W03-1"), (2, "scapula-2027-W03-2")]
        assert conn.execute(text("SELECT planned_session_id FROM performed_session")).scalar() == 2
    engine.dispose()


def test_the_newest_migration_is_read_from_the_files_as_alembic_reads_it(tmp_path):
    """Opening a log already at the newest migration skips Alembic: the newest id read from the
    version files' text must be Alembic's own head, and a log at an older one is upgraded."""
    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    from scapula.store.db import alembic_config, head_revision, make_engine, migrate

    engine = make_engine(f"sqlite:///{tmp_path / 'log.db'}")
    assert head_revision() == ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    migrate(engine)
    with engine.begin() as c:
        c.execute(text("UPDATE alembic_version SET version_num = '0006'"))
        c.execute(text("DROP INDEX uq_planned_session_slot"))
    migrate(engine)  # not at the head: Alembic runs 0007 again
    with engine.connect() as c:
        assert c.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
        assert "uq_planned_session_slot" in {r[1] for r in c.execute(text("PRAGMA index_list(planned_session)"))}
