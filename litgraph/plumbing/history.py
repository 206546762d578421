"""When lines first appeared in a folder's files, from its git history (one `git log`, with a time limit):
the creation dates of things that are written one per line (claims: `- id: ...`), which no rebuild changes."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

GIT_SECONDS = 60


def first_added(folder: Path, line: re.Pattern[str]) -> dict[str, str]:
    """For each value that `line` (a pattern with one group) finds in a line added to a file under `folder`,
    the author date (ISO 8601) of the first commit that added it; empty where `folder` is not in a git
    work tree, or git is missing or too slow."""
    git = shutil.which("git")
    if git is None or not folder.is_dir():
        return {}
    try:
        done = subprocess.run([git, "-C", str(folder), "log", "--reverse", "--no-color", "--no-renames", "-U0",
                               "--format=%x00%aI", "-p", "--", "."], capture_output=True, check=False,
                              timeout=GIT_SECONDS)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return {}
    if done.returncode != 0:
        return {}
    found: dict[str, str] = {}
    when = ""
    for raw in done.stdout.decode("utf-8", "replace").splitlines():
        if raw.startswith("\0"):
            when = raw[1:].strip()
        elif raw.startswith("+") and not raw.startswith("+++") and (hit := line.search(raw[1:])):
            found.setdefault(hit.group(1), when)
    return found
