"""Scapula's tests. A package, so `tests.synth` and `tests.realclip` resolve here and not to a
`tests` package some dependency installs into site-packages (garmin-fit-sdk does)."""
