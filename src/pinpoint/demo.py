"""A worked example through the CLI: screen a demo client, plan a course, print the session guide.

Run with ``python -m pinpoint.demo`` (``make demo``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from pinpoint.cli.main import main as cli

EXAMPLES = Path(__file__).parent / "examples"


def run() -> None:
    """Print the three steps of a clinic visit, each as the CLI shows it."""
    client = str(EXAMPLES / "client-clinic.toml")
    steps = [
        ("Screen the demo client", ["screen", client]),
        (
            "Plan an acne-scar course on cheeks and jawline with a 14-needle pen",
            [
                "plan",
                "--indication",
                "acne_scars",
                "--zone",
                "cheek",
                "--zone",
                "chin_jawline",
                "--setting",
                "clinic",
                "--device",
                "pen_14",
                "--answers",
                client,
            ],
        ),
        (
            "Guide the first session",
            [
                "guide",
                "--indication",
                "acne_scars",
                "--zone",
                "cheek",
                "--zone",
                "chin_jawline",
                "--setting",
                "clinic",
                "--device",
                "pen_14",
            ],
        ),
    ]
    for title, argv in steps:
        sys.stdout.write(f"\n=== {title}: pinpoint {' '.join(argv)}\n\n")
        sys.stdout.flush()
        try:
            cli(argv)
        except SystemExit as exc:
            if exc.code:
                raise


if __name__ == "__main__":
    run()
