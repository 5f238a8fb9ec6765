"""What a careless or hostile client must not break, against a real ``scapula serve``: many
requests at once, ids and dates out of range, oversized pictures, framing by another page,
malformed Host headers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.test_web_browser import Server


@pytest.fixture
def served(tmp_path: Path, db_url: str):
    srv = Server(tmp_path)
    srv.env["SCAPULA_DB"] = db_url
    srv.start()
    yield srv
    srv.stop()


def _token(client: httpx.Client) -> dict[str, str]:
    return {"X-CSRF-Token": client.get("/api/csrf").json()["token"]}


def test_many_plan_requests_at_once_keep_one_row_per_slot(served: Server, db_url: str) -> None:
    with httpx.Client(base_url=served.url, timeout=60) as client:
        h = _token(client)
        assert client.post("/api/equipment", headers=h, json={"kind": "band", "value": "medium"}).status_code == 201

        def burst() -> list[int]:
            paths = ["/api/plan?weeks=4", "/today", "/api/export/calendar.ics"] * 10
            with ThreadPoolExecutor(max_workers=30) as pool:
                return list(pool.map(lambda p: httpx.get(served.url + p, timeout=60).status_code, paths))

        assert set(burst()) == {200}, served.log_tail()
        changed = client.patch("/api/athlete", headers=h, json={"long_run_day": "sat", "hard_days": ["wed"],
                                                                "sessions_per_week": 3})
        assert changed.status_code == 200
        assert set(burst()) == {200}, served.log_tail()
        ics = client.get("/api/export/calendar.ics?weeks=4")
        assert ics.status_code == 200, ics.text
        uids = [line for line in ics.text.splitlines() if line.startswith("UID:")]
        assert uids and len(uids) == len(set(uids))
        sessions = client.get("/api/plan?weeks=4").json()["sessions"]
        assert len({s["uid"] for s in sessions}) == len(sessions)
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    with engine.connect() as conn:
        twice = conn.execute(text("SELECT uid FROM planned_session GROUP BY athlete_id, uid HAVING count(*) > 1")).all()
        assert conn.execute(text("SELECT count(*) FROM planned_session")).scalar() > 0
    engine.dispose()
    assert twice == []
