"""Activity files written by independent encoders, for the import tests and the benchmark.

A run is described once as plain data (``Workout``: 1 s samples, laps, pauses) and written
as FIT with fit-tool (Garmin's message layout: file_id, timer events, records, laps, session,
activity with local_timestamp), or as GPX / TCX text. The expected values a test checks are
computed here from the description, not by the code under test.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise
from pathlib import Path

EARTH_RADIUS_M = 6_371_008.8  # mean radius; a run due north covers exactly R * dlat
LAT0, LON0 = 46.05, 14.50


@dataclass
class Lap:
    start: int  # index of its first sample
    end: int  # index one past its last sample
    intensity: str  # active | rest | warmup | cooldown
    trigger: str = "manual"


@dataclass
class Workout:
    """A run as 1 s samples: seconds since the start (wall clock), cumulative metres, HR."""

    start: datetime  # UTC
    offset_min: int  # local time minus UTC
    t: list[int] = field(default_factory=list)
    dist: list[float] = field(default_factory=list)
    hr: list[int] = field(default_factory=list)
    laps: list[Lap] = field(default_factory=list)
    sport: str = "running"
    sub_sport: str | None = None
    name: str | None = None

    @property
    def moving_s(self) -> float:
        """Timer time: the sum of 1 s steps; a pause is a jump in ``t`` longer than that."""
        return float(sum(1 for a, b in zip(self.t, self.t[1:]) if b - a == 1))

    @property
    def elapsed_s(self) -> float:
        return float(self.t[-1] - self.t[0])

    @property
    def distance_m(self) -> float:
        return self.dist[-1]

    def lat(self, i: int) -> float:
        return LAT0 + math.degrees(self.dist[i] / EARTH_RADIUS_M)

    def at(self, i: int) -> datetime:
        return self.start + timedelta(seconds=self.t[i])

    def lap_time(self, lap: Lap) -> float:
        """Timer seconds of a lap, counted the way the file writers below count them."""
        return float(
            sum(1 for i in range(lap.start + 1, lap.end) if self.t[i] - self.t[i - 1] == 1)
            + (1 if lap.end < len(self.t) and self.t[lap.end] - self.t[lap.end - 1] == 1 else 0)
        )


def interval_session(
    start: datetime,
    *,
    offset_min: int = 120,
    reps: int = 5,
    seed: int = 0,
    pause_s: int = 45,
    name: str | None = "5 x 1 km",
) -> Workout:
    """Warm-up 10 min, ``reps`` x (1 km hard, 2 min jog), cool-down 10 min; one pause mid-way.

    Pace and HR follow the effort, so the laps and the km splits differ as a real session's do.
    """
    w = Workout(start=start, offset_min=offset_min, name=name)
    clock, metres, hr = 0, 0.0, 118.0
    wobble = (seed % 7) * 0.01
    paused = False

    def run(
        seconds: int | None, speed: float, target_hr: float, intensity: str, metres_to_go: float | None = None
    ) -> None:
        nonlocal clock, metres, hr, paused
        first = len(w.t)
        goal = metres + metres_to_go if metres_to_go else None
        step = 0
        while (seconds is not None and step < seconds) or (goal is not None and metres < goal):
            if w.t:
                clock += 1
                if not paused:  # the first sample after a pause is where the runner stopped
                    metres += speed * (1 + wobble * math.sin(clock / 37.0))
                paused = False
            hr += (target_hr - hr) * 0.05
            w.t.append(clock)
            w.dist.append(round(metres, 2))
            w.hr.append(int(round(hr)))
            step += 1
        w.laps.append(Lap(first, len(w.t), intensity, "manual" if intensity != "active" else "distance"))

    run(600, 2.9, 135, "warmup")
    for rep in range(reps):
        run(None, 4.6, 172, "active", metres_to_go=1000.0)
        run(120, 2.2, 140, "rest")
        if rep == reps // 2 and pause_s:
            clock += pause_s - 1  # the watch was paused (shoe lace): the next sample is pause_s later
            paused = True
    run(600, 2.8, 130, "cooldown")
    return w


def steady_run(
    start: datetime,
    *,
    seconds: int = 3600,
    speed: float = 3.1,
    offset_min: int = 0,
    seed: int = 0,
    name: str | None = None,
    sub_sport: str | None = None,
) -> Workout:
    """An easy hour at 1 s recording, one lap per km (auto-lap), with a gentle HR drift."""
    w = Workout(start=start, offset_min=offset_min, name=name, sub_sport=sub_sport)
    metres = 0.0
    lap_start = 0
    for s in range(seconds + 1):
        if s:
            metres += speed * (1 + 0.03 * math.sin((s + seed) / 53.0))
        w.t.append(s)
        w.dist.append(round(metres, 2))
        w.hr.append(int(round(140 + 10 * s / seconds + 3 * math.sin((s + seed) / 90.0))))
        if w.dist[-1] // 1000 > w.dist[lap_start] // 1000:
            w.laps.append(Lap(lap_start, len(w.t), "active", "distance"))
            lap_start = len(w.t)
    if lap_start < len(w.t):
        w.laps.append(Lap(lap_start, len(w.t), "active", "session_end"))
    return w


# ------------------------------------------------------------------ expected values


def expected_splits(w: Workout) -> list[dict]:
    """1 km splits by their definition, in plain loops: the timer seconds between the km
    crossings (interpolated), and HR averaged over the timer seconds ending in each km."""
    timer = [0.0]
    for i in range(1, len(w.t)):
        timer.append(timer[-1] + (1.0 if w.t[i] - w.t[i - 1] == 1 else 0.0))
    crossings = [0.0]
    for i in range(1, len(w.t)):
        km = len(crossings) * 1000
        while w.dist[i - 1] < km <= w.dist[i]:
            frac = (km - w.dist[i - 1]) / (w.dist[i] - w.dist[i - 1])
            crossings.append(timer[i - 1] + frac * (timer[i] - timer[i - 1]))
            km = len(crossings) * 1000
    whole = len(crossings) - 1
    splits = [{"duration_s": b - a} for a, b in pairwise(crossings)]
    if w.distance_m > whole * 1000:
        splits.append({"duration_s": timer[-1] - crossings[-1], "distance_m": w.distance_m - whole * 1000})
    per_km: dict[int, list[int]] = {}
    for i in range(1, len(w.t)):
        if w.t[i] - w.t[i - 1] == 1:
            km = min(max(math.ceil(w.dist[i] / 1000) - 1, 0), len(splits) - 1)
            per_km.setdefault(km, []).append(w.hr[i])
    for k, split in enumerate(splits):
        values = per_km.get(k)
        split["avg_hr"] = sum(values) / len(values) if values else None
    return splits


# ------------------------------------------------------------------ FIT (fit-tool)


def fit_bytes(
    w: Workout,
    *,
    workout_name: str | None = None,
    with_local_timestamp: bool = True,
    local_timestamp: int | None = None,
    with_distance: bool = True,
    time_created: datetime | None = None,
) -> bytes:
    """``local_timestamp``: the activity's raw local time (Zwift writes 0); ``with_distance``
    False: HR only (no positions, no distances, as an indoor session without a footpod);
    ``time_created``: the file_id's creation time, when it is not the first sample's."""
    return multisport_fit(
        [w],
        workout_name=workout_name,
        with_local_timestamp=with_local_timestamp,
        local_timestamp=local_timestamp,
        with_distance=with_distance,
        time_created=time_created,
    )


def multisport_fit(
    legs: list[Workout],
    *,
    transition_s: int = 0,
    workout_name: str | None = None,
    with_local_timestamp: bool = True,
    local_timestamp: int | None = None,
    with_distance: bool = True,
    time_created: datetime | None = None,
) -> bytes:
    """One FIT file of consecutive legs, as a multisport watch writes it: the records of
    all legs with one distance counting on across them, a session (with its laps) per
    leg, and a transition session between legs, ``transition_s`` long, with no records."""
    from fit_tool.fit_file_builder import FitFileBuilder
    from fit_tool.profile.messages.activity_message import ActivityMessage
    from fit_tool.profile.messages.event_message import EventMessage
    from fit_tool.profile.messages.file_id_message import FileIdMessage
    from fit_tool.profile.messages.lap_message import LapMessage
    from fit_tool.profile.messages.record_message import RecordMessage
    from fit_tool.profile.messages.session_message import SessionMessage
    from fit_tool.profile.messages.workout_message import WorkoutMessage
    from fit_tool.profile.profile_type import (
        Activity,
        Event,
        EventType,
        FileType,
        Intensity,
        LapTrigger,
        Manufacturer,
        Sport,
        SubSport,
    )

    w = legs[0]

    def unix_ms(moment: datetime) -> int:  # fit-tool takes Unix milliseconds
        return round(moment.timestamp() * 1000)

    builder = FitFileBuilder(auto_define=True, min_string_size=50)
    file_id = FileIdMessage()
    file_id.type = FileType.ACTIVITY
    file_id.manufacturer = Manufacturer.DEVELOPMENT.value
    file_id.product = 0
    file_id.serial_number = 0x5CA9
    file_id.time_created = unix_ms(time_created or w.at(0))
    builder.add(file_id)
    if workout_name:
        workout = WorkoutMessage()
        workout.workout_name = workout_name
        workout.sport = Sport.RUNNING
        builder.add(workout)

    def event(kind: EventType, at_ms: int) -> None:
        message = EventMessage()
        message.event = Event.TIMER
        message.event_type = kind
        message.timestamp = at_ms
        builder.add(message)

    def session_message(
        start_ms: int,
        end_ms: int,
        elapsed: float,
        timer: float,
        distance: float | None,
        hr: list[int],
        sport: str,
        sub_sport: str | None,
        laps: int,
    ) -> SessionMessage:
        session = SessionMessage()
        session.timestamp = end_ms
        session.start_time = start_ms
        session.total_elapsed_time = elapsed
        session.total_timer_time = timer
        if distance is not None:
            session.total_distance = distance
        if hr:
            session.avg_heart_rate = round(sum(hr) / len(hr))
            session.max_heart_rate = max(hr)
        session.sport = Sport[sport.upper()]
        session.sub_sport = SubSport[(sub_sport or "generic").upper()]
        session.num_laps = laps
        session.event = Event.SESSION
        session.event_type = EventType.STOP
        return session

    carried = 0.0  # the distance of the legs before: a multisport file counts on across legs
    for number, leg in enumerate(legs):

        def ms(i: int, leg=leg) -> int:
            return unix_ms(leg.at(i))

        if number:
            gap_start = unix_ms(legs[number - 1].at(len(legs[number - 1].t) - 1))
            builder.add(session_message(gap_start, ms(0), transition_s, transition_s, None, [], "transition", None, 0))
        event(EventType.START, ms(0))
        lap_of = {lap.end - 1: lap for lap in leg.laps}
        for i in range(len(leg.t)):
            if i and leg.t[i] - leg.t[i - 1] > 1:
                event(EventType.STOP_ALL, ms(i - 1))
                event(EventType.START, ms(i))
            record = RecordMessage()
            record.timestamp = ms(i)
            if with_distance:
                record.position_lat = leg.lat(i)
                record.position_long = LON0
                record.distance = carried + leg.dist[i]
            record.heart_rate = leg.hr[i]
            builder.add(record)
            if i in lap_of:
                lap = lap_of[i]
                message = LapMessage()
                message.timestamp = ms(i)
                message.start_time = ms(lap.start)
                message.total_elapsed_time = float(leg.t[lap.end - 1] - leg.t[lap.start]) + (
                    1 if lap.end < len(leg.t) else 0
                )
                message.total_timer_time = leg.lap_time(lap)
                if with_distance:
                    message.total_distance = (leg.dist[lap.end] if lap.end < len(leg.t) else leg.dist[-1]) - leg.dist[
                        lap.start
                    ]
                values = leg.hr[lap.start : lap.end]
                message.avg_heart_rate = round(sum(values) / len(values))
                message.max_heart_rate = max(values)
                message.intensity = Intensity[lap.intensity.upper()]
                message.lap_trigger = LapTrigger[lap.trigger.upper()]
                message.event = Event.LAP
                message.event_type = EventType.STOP
                message.sport = Sport[leg.sport.upper()]
                builder.add(message)
        event(EventType.STOP_ALL, ms(len(leg.t) - 1))
        builder.add(
            session_message(
                ms(0),
                ms(len(leg.t) - 1),
                leg.elapsed_s,
                leg.moving_s,
                leg.distance_m if with_distance else None,
                leg.hr,
                leg.sport,
                leg.sub_sport,
                len(leg.laps),
            )
        )
        carried += leg.distance_m
    last = legs[-1]
    end_ms = unix_ms(last.at(len(last.t) - 1))
    activity = ActivityMessage()
    activity.timestamp = end_ms
    activity.total_timer_time = sum(leg.moving_s for leg in legs)
    activity.num_sessions = len(legs) * 2 - 1
    activity.type = Activity.MANUAL
    activity.event = Event.ACTIVITY
    activity.event_type = EventType.STOP
    if local_timestamp is not None:
        activity.local_timestamp = local_timestamp
    elif with_local_timestamp:
        # local_date_time is written raw: seconds since the FIT epoch (1989-12-31 UTC)
        activity.local_timestamp = end_ms // 1000 - 631_065_600 + w.offset_min * 60
    builder.add(activity)
    return builder.build().to_bytes()


# ------------------------------------------------------------------ GPX and TCX (text)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def gpx_text(
    w: Workout,
    *,
    with_time: bool = True,
    with_hr: bool = True,
    gpx_type: str | None = "running",
    tracks: list[Workout] | None = None,
) -> str:
    """GPX 1.1 with the Garmin TrackPointExtension for HR; a pause starts a new segment."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<gpx version="1.1" creator="scapula tests" xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">',
        f"<metadata><time>{_iso(w.start)}</time></metadata>",
    ]
    for track in tracks or [w]:
        out.append("<trk>")
        if track.name:
            out.append(f"<name>{track.name}</name>")
        if gpx_type:
            out.append(f"<type>{gpx_type}</type>")
        out.append("<trkseg>")
        for i in range(len(track.t)):
            if i and track.t[i] - track.t[i - 1] > 1:
                out.append("</trkseg><trkseg>")
            point = f'<trkpt lat="{track.lat(i):.7f}" lon="{LON0:.7f}"><ele>300.0</ele>'
            if with_time:
                point += f"<time>{_iso(track.at(i))}</time>"
            if with_hr:
                point += (
                    f"<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{track.hr[i]}"
                    "</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions>"
                )
            out.append(point + "</trkpt>")
        out.append("</trkseg></trk>")
    out.append("</gpx>")
    return "\n".join(out)


def tcx_text(
    w: Workout, *, sport: str = "Running", notes: str | None = None, plan_name: str | None = None, with_hr: bool = True
) -> str:
    """TCX v2: one Lap element per lap, a new Track after a pause, HR in the points and laps."""
    intensity = {"active": "Active", "rest": "Resting", "warmup": "Active", "cooldown": "Active"}
    trigger = {"manual": "Manual", "distance": "Distance", "session_end": "Manual", "time": "Time"}
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">',
        f'<Activities><Activity Sport="{sport}"><Id>{_iso(w.start)}</Id>',
    ]
    for lap in w.laps:
        end = min(lap.end, len(w.t) - 1)
        values = w.hr[lap.start : lap.end]
        out.append(
            f'<Lap StartTime="{_iso(w.at(lap.start))}">'
            f"<TotalTimeSeconds>{w.lap_time(lap):.1f}</TotalTimeSeconds>"
            f"<DistanceMeters>{w.dist[end] - w.dist[lap.start]:.2f}</DistanceMeters>"
        )
        if with_hr:
            out.append(
                f"<AverageHeartRateBpm><Value>{round(sum(values) / len(values))}</Value></AverageHeartRateBpm>"
                f"<MaximumHeartRateBpm><Value>{max(values)}</Value></MaximumHeartRateBpm>"
            )
        out.append(
            f"<Intensity>{intensity[lap.intensity]}</Intensity>"
            f"<TriggerMethod>{trigger[lap.trigger]}</TriggerMethod><Track>"
        )
        for i in range(lap.start, lap.end):
            if i > lap.start and w.t[i] - w.t[i - 1] > 1:
                out.append("</Track><Track>")
            point = (
                f"<Trackpoint><Time>{_iso(w.at(i))}</Time><Position>"
                f"<LatitudeDegrees>{w.lat(i):.7f}</LatitudeDegrees>"
                f"<LongitudeDegrees>{LON0:.7f}</LongitudeDegrees></Position>"
                f"<DistanceMeters>{w.dist[i]:.2f}</DistanceMeters>"
            )
            if with_hr:
                point += f"<HeartRateBpm><Value>{w.hr[i]}</Value></HeartRateBpm>"
            out.append(point + "</Trackpoint>")
        out.append("</Track></Lap>")
    if notes:
        out.append(f"<Notes>{notes}</Notes>")
    if plan_name:
        out.append(
            f'<Training VirtualPartner="false"><Plan Type="Workout" IntervalWorkout="true">'
            f"<Name>{plan_name}</Name><Extensions/></Plan></Training>"
        )
    out.append("</Activity></Activities></TrainingCenterDatabase>")
    return "\n".join(out)


def write(path: Path, content: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)
    return path


# ------------------------------------------------------------------ Apple Health export


@dataclass
class AppleWorkout:
    """A workout of an Apple Health export: its type word (``Running``), its samples, and
    how the export states it (older exports as attributes, newer as WorkoutStatistics)."""

    kind: str
    w: Workout
    indoor: bool = False
    route: bool = True
    statistics: bool = False
    energy_kcal: float = 300.0
    hr_every_s: int = 5  # a watch records heart rate every few seconds in a workout


def _apple_time(moment: datetime, offset_min: int) -> str:
    return moment.astimezone(timezone(timedelta(minutes=offset_min))).strftime("%Y-%m-%d %H:%M:%S %z")


def apple_hr_samples(a: AppleWorkout) -> list[int]:
    """The heart-rate records the export holds for a workout's window."""
    return [a.w.hr[i] for i in range(0, len(a.w.t), a.hr_every_s)]


def apple_health_export(folder: Path, workouts: list[AppleWorkout]) -> Path:
    """``folder/apple_health_export`` as the Health app writes it: export.xml with its DTD,
    heart-rate records (some outside any workout), the workouts, and one route GPX per
    outdoor workout in workout-routes/ (Apple's routes carry no heart rate)."""
    root = folder / "apple_health_export"
    records, items = [], []
    for a in workouts:
        w, off = a.w, a.w.offset_min
        start, end = _apple_time(w.at(0), off), _apple_time(w.at(len(w.t) - 1), off)
        rest = _apple_time(w.at(0) - timedelta(hours=2), off)
        records.append(
            f'<Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Watch" unit="count/min" '
            f'creationDate="{rest}" startDate="{rest}" endDate="{rest}" value="58"/>'
        )
        for i in range(0, len(w.t), a.hr_every_s):
            at = _apple_time(w.at(i), off)
            records.append(
                f'<Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Watch" '
                f'unit="count/min" creationDate="{at}" startDate="{at}" endDate="{at}" '
                f'value="{w.hr[i]}"><MetadataEntry key="HKMetadataKeyHeartRateMotionContext" '
                f'value="2"/></Record>'
            )
        records.append(
            f'<Record type="HKQuantityTypeIdentifierStepCount" sourceName="Phone" unit="count" '
            f'startDate="{start}" endDate="{end}" value="4000"/>'
        )
        attributes = (
            f'workoutActivityType="HKWorkoutActivityType{a.kind}" duration="{w.moving_s / 60:.4f}" durationUnit="min"'
        )
        children = [f'<MetadataEntry key="HKIndoorWorkout" value="{1 if a.indoor else 0}"/>']
        if a.statistics:
            children.append(
                f'<WorkoutStatistics type="HKQuantityTypeIdentifierActiveEnergyBurned" '
                f'startDate="{start}" endDate="{end}" sum="{a.energy_kcal}" unit="kcal"/>'
            )
            if w.distance_m:
                children.append(
                    f'<WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning" '
                    f'startDate="{start}" endDate="{end}" sum="{w.distance_m / 1000:.5f}" unit="km"/>'
                )
        else:
            attributes += f' totalEnergyBurned="{a.energy_kcal}" totalEnergyBurnedUnit="kcal"'
            if w.distance_m:
                attributes += f' totalDistance="{w.distance_m / 1000:.5f}" totalDistanceUnit="km"'
        if a.route and not a.indoor:
            route = f"route_{w.at(0):%Y-%m-%d_%H.%M}.gpx"
            text = gpx_text(w, with_hr=False, gpx_type=None).replace(
                "<trk>", f"<trk><name>Route {w.at(0):%Y-%m-%d %H:%M}</name>", 1
            )
            write(root / "workout-routes" / route, text)
            children.append(
                f'<WorkoutRoute sourceName="Watch" startDate="{start}" endDate="{end}">'
                f'<FileReference path="/workout-routes/{route}"/></WorkoutRoute>'
            )
        items.append(
            f'<Workout {attributes} sourceName="Watch" creationDate="{end}" startDate="{start}" '
            f'endDate="{end}">' + "".join(children) + "</Workout>"
        )
    text = "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            "<!DOCTYPE HealthData [",
            "<!-- HealthKit Export Version: 13 -->",
            "<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary)*)>",
            "<!ATTLIST HealthData\n  locale CDATA #REQUIRED\n>",
            "<!ELEMENT Workout ((MetadataEntry|WorkoutEvent|WorkoutRoute|WorkoutStatistics)*)>",
            "<!ATTLIST Workout\n  workoutActivityType CDATA #REQUIRED\n  duration CDATA #IMPLIED\n>",
            "]>",
            '<HealthData locale="en_GB">',
            ' <ExportDate value="2026-06-01 10:00:00 +0200"/>',
            ' <Me HKCharacteristicTypeIdentifierDateOfBirth="1990-04-01"/>',
            *records,
            *items,
            "</HealthData>",
            "",
        ]
    )
    write(root / "export.xml", text)
    write(root / "export_cda.xml", "<ClinicalDocument/>")
    return root
