"""The training log's tables (SQLAlchemy 2.0). Data only: no logic lives here.

Exercise and stretch ids are the catalog's ids (CONTRACTS.md §1) stored as text,
so a catalog change never needs a migration.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


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


Stamp = DateTime(timezone=True)


class Athlete(Base):
    __tablename__ = "athlete"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), default="me")
    sessions_per_week: Mapped[int] = mapped_column(Integer, default=2)
    goal: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(Stamp, default=utcnow)

    __table_args__ = (CheckConstraint("sessions_per_week BETWEEN 1 AND 3", name="sessions"),)

    equipment: Mapped[list[Equipment]] = relationship(back_populates="athlete")


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


class PerformedSession(Base):
    __tablename__ = "performed_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athlete.id", ondelete="CASCADE"), index=True)
    planned_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("planned_session.id", ondelete="SET NULL")
    )
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
    session_id: Mapped[int] = mapped_column(
        ForeignKey("performed_session.id", ondelete="CASCADE"), index=True
    )
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
    session_id: Mapped[int] = mapped_column(
        ForeignKey("performed_session.id", ondelete="CASCADE"), index=True
    )
    stretch_id: Mapped[str] = mapped_column(String(60))
    side: Mapped[str] = mapped_column(String(5))
    hold_s: Mapped[float] = mapped_column(Float)
    done_at: Mapped[datetime] = mapped_column(Stamp, default=utcnow)

    session: Mapped[PerformedSession] = relationship(back_populates="stretches")


class Note(Base):
    __tablename__ = "note"

    id: Mapped[int] = mapped_column(primary_key=True)
    athlete_id: Mapped[int] = mapped_column(ForeignKey("athlete.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("performed_session.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(Stamp, default=utcnow)
    text: Mapped[str] = mapped_column(Text)

    session: Mapped[PerformedSession | None] = relationship(back_populates="notes")
