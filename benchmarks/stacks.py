"""Summarise py-spy collapsed stacks (`--format raw`): where a process spends its samples.

A flame graph answers "what calls what"; a report to a person needs "which functions cost how
much", self and inclusive, as shares of all samples, which this prints.

    python -m benchmarks.stacks profile/server.txt --top 25
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

# py-spy frames look like `function (path/to/file.py:123)`; lines are dropped so that one
# function is one row.
_LINE = re.compile(r":\d+\)$")


def load(path: Path) -> list[tuple[list[str], int]]:
    stacks = []
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            frames = [_LINE.sub(")", frame) for frame in stack.split(";")]
            stacks.append((frames, int(count)))
    return stacks


def summarise(stacks: list[tuple[list[str], int]]) -> tuple[int, Counter[str], Counter[str]]:
    total = 0
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    for frames, count in stacks:
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    return total, own, inclusive


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("path", type=Path)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--match", default="", help="only inclusive rows containing this text")
    args = parser.parse_args(argv)
    total, own, inclusive = summarise(load(args.path))
    if not total:
        print("no samples", file=sys.stderr)
        return 1
    print(f"{total} samples\n\nself %   function")
    for frame, count in own.most_common(args.top):
        print(f"{count / total:6.1%}   {frame}")
    print("\ninclusive %   function")
    rows = [(f, c) for f, c in inclusive.most_common() if args.match in f][: args.top]
    for frame, count in rows:
        print(f"{count / total:6.1%}   {frame}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
