"""The ``scapula`` command (and ``python -m scapula``).

A module of its own, kept small: the video path's worker processes start by importing the
module that started the program (multiprocessing's spawn does so), and importing the whole
command-line interface there would cost each worker a quarter of a second for nothing.
"""

from __future__ import annotations


def main() -> None:
    from scapula.cli import main as run

    run()


if __name__ == "__main__":
    main()
