"""The camera coach: video or landmarks in; reps per side, tempo, range and form faults out."""
