"""The training log's tables (SQLAlchemy 2.0). Data only: no logic lives here.

Exercise and stretch ids are the catalog's ids (CONTRACTS.md §1) stored as text,
so a catalog change never needs a migration.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from scapula.clock import utcnow


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class UtcStamp(TypeDecorator):
    """A moment, kept in UTC on every backend and read back with its UTC offset.

    SQLite keeps no offset: an aware time in another zone would be stored as its wall
    clock's reading and read back as if that were UTC (midday in Kiritimati became midday
    UTC, 14 hours late). So every moment is turned to UTC on its way in, in a comparison
    too; a naive one already is (Scapula's rule)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None or value.tzinfo is None:
            return value
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)


Stamp = UtcStamp()


class Athlete(Base):
    __tablename__ = "athlete"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), default="me")
    sessions_per_week: Mapped[int] = mapped_column(Integer, default=2)
    goal: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(Stamp, default=utcnow)
    # The running week as the athlete declares it, for runners with no files (or to
    # override what the files suggest): weekday numbers, Monday = 0.
    long_run_day: Mapped[int | None] = mapped_column(Integer)
    hard_days: Mapped[list[int]] = mapped_column(JSON, default=list)
    rest_days: Mapped[list[int]] = mapped_column(JSON, default=list)
    session_time: Mapped[time | None] = mapped_column(Time)  # preferred start, local
    timezone: Mapped[str | None] = mapped_column(String(64))  # IANA name; None = this machine's
    # The calendar file the web app last handed out: the next download carries each event's
    # SEQUENCE on from it, so a calendar that imports it again takes the changes.
    calendar_export: Mapped[str | None] = mapped_column(Text)
    # How the plan places the sessions: "fit" bends rules, mildest first, to fit the sessions
    # asked for; "ideal" uses ideal days only. And the longest session wanted (None: 25 min).
    strictness: Mapped[str] = mapped_column(String(8), default="fit", server_default="fit")
    session_minutes: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        CheckConstraint("sessions_per_week BETWEEN 1 AND 3", name="sessions"),
        CheckConstraint("strictness IN ('fit', 'ideal')", name="strictness"),
        CheckConstraint("session_minutes BETWEEN 20 AND 60", name="session_minutes"),
    )

    equipment: Mapped[list[Equipment]] = relationship(back_populates="athlete")
    races: Mapped[list[Race]] = relationship(back_populates="athlete", order_by="Race.day")


class Equipment(Base):
    """A band (by resistance) or a kettlebell (by kg) the athlete owns."""

    __tablename__ = "equipment"

    id: Mapped[int] = mapped_column(primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athlete.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # "band" | "kettlebell"
    label: Mapped[str] = mapped_column(String(60))  # "medium band", "12 kg kettlebell"
    resistance: Mapped[str | None] = mapped_column(String(30))  # band colour/grade as sold
    kg: Mapped[float | None] = mapped_column(Float)  # kettlebell mass, or a band's rated pull

    __table_args__ = (CheckConstraint("kind IN ('band', 'kettlebell')", name="kind"),)

    athlete: Mapped[Athlete] = relationship(back_populates="equipment")


class PlannedSession(Base):
    __tablename__ = "planned_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athlete.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), default="planned")  # planned|done|moved|dropped
    reason: Mapped[str] = mapped_column(Text, default="")  # why it sits on this day
    deload: Mapped[bool] = mapped_column(default=False)
    uid: Mapped[str | None] = mapped_column(String(60), index=True)  # SessionPlan.uid, stable
    race_week: Mapped[bool] = mapped_column(default=False)

    # one row per slot: a plan saved by two requests at once updates it, never adds a second
    __table_args__ = (Index("uq_planned_session_slot", "athlete_id", "uid", unique=True),)


class PerformedSession(Base):
    __tablename__ = "performed_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athlete.id", ondelete="CASCADE"), index=True)
    planned_session_id: Mapped[int | None] = mapped_column(ForeignKey("planned_session.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(Stamp, default=utcnow, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(Stamp)  # null: still open or cut short
    completed: Mapped[bool] = mapped_column(default=False)

    sets: Mapped[list[SetRecord]] = relationship(
        back_populates="session", order_by="SetRecord.id", cascade="all, delete-orphan"
    )
    stretches: Mapped[list[StretchRecord]] = relationship(
        back_populates="session", order_by="StretchRecord.id", cascade="all, delete-orphan"
    )
    notes: Mapped[list[Note]] = relationship(back_populates="session", order_by="Note.id")


class SetRecord(Base):
    """One set of one move on one side, committed the moment it is logged."""

    __tablename__ = "set_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("performed_session.id", ondelete="CASCADE"), index=True)
    exercise_id: Mapped[str] = mapped_column(String(60), index=True)
    set_number: Mapped[int] = mapped_column(Integer)
    side: Mapped[str] = mapped_column(String(5))  # "left" | "right" | "both"
    reps: Mapped[int] = mapped_column(Integer)
    load_label: Mapped[str | None] = mapped_column(String(60))  # "medium band", "12 kg"
    load_kg: Mapped[float | None] = mapped_column(Float)
    hold_s: Mapped[float | None] = mapped_column(Float)
    rpe: Mapped[float | None] = mapped_column(Float)
    started_at: Mapped[datetime | None] = mapped_column(Stamp)
    ended_at: Mapped[datetime] = mapped_column(Stamp, default=utcnow)

    __table_args__ = (
        CheckConstraint("side IN ('left', 'right', 'both')", name="side"),
        CheckConstraint("reps >= 0", name="reps"),
        CheckConstraint("rpe IS NULL OR (rpe >= 1 AND rpe <= 10)", name="rpe"),
    )

    session: Mapped[PerformedSession] = relationship(back_populates="sets")


class StretchRecord(Base):
    __tablename__ = "stretch_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("performed_session.id", ondelete="CASCADE"), index=True)
    stretch_id: Mapped[str] = mapped_column(String(60))
    side: Mapped[str] = mapped_column(String(5))
    hold_s: Mapped[float] = mapped_column(Float)
    done_at: Mapped[datetime] = mapped_column(Stamp, default=utcnow)

    session: Mapped[PerformedSession] = relationship(back_populates="stretches")


class Note(Base):
    __tablename__ = "note"

    id: Mapped[int] = mapped_column(primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athlete.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("performed_session.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(Stamp, default=utcnow)
    text: Mapped[str] = mapped_column(Text)

    session: Mapped[PerformedSession | None] = relationship(back_populates="notes")


class Run(Base):
    """One imported activity (FIT, GPX, TCX, a Strava export row or an Apple Health workout):
    the facts the plan needs.

    Every sport is kept as what it is (a long ride still tires the legs); the plan reads
    runs as running and the rest as other training.
    """

    __tablename__ = "run"

    id: Mapped[int] = mapped_column(primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athlete.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))  # of the decompressed file content
    source_name: Mapped[str] = mapped_column(String(255))  # file name, for messages
    source_kind: Mapped[str] = mapped_column(String(12))  # fit | gpx | tcx | strava_csv
    external_id: Mapped[str | None] = mapped_column(String(64))  # e.g. Strava activity id
    started_at: Mapped[datetime] = mapped_column(Stamp, index=True)  # UTC
    utc_offset_min: Mapped[int | None] = mapped_column(Integer)  # local offset when the file says
    sport: Mapped[str] = mapped_column(String(30))  # running, cycling, walking, ... (lower case)
    sub_sport: Mapped[str | None] = mapped_column(String(30))  # trail, treadmill, track, ...
    name: Mapped[str | None] = mapped_column(Text)  # activity or workout name as written
    duration_s: Mapped[float] = mapped_column(Float)  # moving/timer time
    elapsed_s: Mapped[float | None] = mapped_column(Float)
    distance_m: Mapped[float | None] = mapped_column(Float)
    avg_hr: Mapped[float | None] = mapped_column(Float)
    max_hr: Mapped[float | None] = mapped_column(Float)
    # Laps as recorded: [{"start_s", "duration_s", "distance_m", "avg_hr", "max_hr",
    # "intensity" (active|rest|warmup|cooldown|None), "trigger"}], and 1 km splits computed
    # from the track: [{"duration_s", "avg_hr"}] (the last one may be partial: "distance_m").
    laps: Mapped[list[dict]] = mapped_column(JSON, default=list)
    splits: Mapped[list[dict]] = mapped_column(JSON, default=list)
    # A multisport activity's legs, transitions left out: [{"sport", "sub_sport", "start_s",
    # "duration_s", "elapsed_s", "distance_m", "avg_hr", "max_hr", "laps", "splits"}].
    legs: Mapped[list[dict]] = mapped_column(JSON, default=list)
    energy_kcal: Mapped[float | None] = mapped_column(Float)  # when the file or platform states it
    imported_at: Mapped[datetime] = mapped_column(Stamp, default=utcnow)

    __table_args__ = (UniqueConstraint("athlete_id", "sha256", name="uq_run_content"),)

    @property
    def avg_pace_s_per_km(self) -> float | None:
        if not self.distance_m or self.distance_m < 50:
            return None
        return self.duration_s / (self.distance_m / 1000.0)


class Race(Base):
    """A race the athlete has entered: the plan lightens its week and keeps the eve free."""

    __tablename__ = "race"

    id: Mapped[int] = mapped_column(primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athlete.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date, index=True)
    name: Mapped[str] = mapped_column(String(120), default="race")
    distance_m: Mapped[float | None] = mapped_column(Float)

    athlete: Mapped[Athlete] = relationship(back_populates="races")


class PostureCheck(Base):
    """One posture check (``scapula posture --save``): the numbers only, never the picture.

    Side view fills head_forward / shoulder_forward, front view shoulder_height / head_tilt;
    each as degrees, cm (None without world landmarks) and its band ("within normal",
    "mild", "marked"). ``uncertainty`` holds each measure's SD in degrees and cm.
    """

    __tablename__ = "posture_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athlete.id", ondelete="CASCADE"), index=True)
    checked_at: Mapped[datetime] = mapped_column(Stamp, default=utcnow, index=True)
    view: Mapped[str] = mapped_column(String(5))
    head_forward_deg: Mapped[float | None] = mapped_column(Float)
    head_forward_cm: Mapped[float | None] = mapped_column(Float)
    head_forward_class: Mapped[str | None] = mapped_column(String(20))
    shoulder_forward_deg: Mapped[float | None] = mapped_column(Float)
    shoulder_forward_cm: Mapped[float | None] = mapped_column(Float)
    shoulder_forward_class: Mapped[str | None] = mapped_column(String(20))
    shoulder_height_deg: Mapped[float | None] = mapped_column(Float)
    shoulder_height_cm: Mapped[float | None] = mapped_column(Float)
    shoulder_height_class: Mapped[str | None] = mapped_column(String(20))
    head_tilt_deg: Mapped[float | None] = mapped_column(Float)
    head_tilt_cm: Mapped[float | None] = mapped_column(Float)
    head_tilt_class: Mapped[str | None] = mapped_column(String(20))
    uncertainty: Mapped[dict] = mapped_column(JSON, default=dict)  # {measure: {"deg": sd, "cm": sd}}
    source: Mapped[str] = mapped_column(Text, default="")  # "photo side.jpg (3024x4032)", ...
    steadiness: Mapped[dict | None] = mapped_column(JSON)  # a clip's frames, sway and spread
    quality_notes: Mapped[list[str]] = mapped_column(JSON, default=list)

    __table_args__ = (CheckConstraint("view IN ('side', 'front')", name="view"),)
