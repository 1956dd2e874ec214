"""Headless ``opsbook plan`` / ``opsbook consolidate`` on generated books, against the
openpyxl load + save floor of the same file, one fresh process per measurement.

Run alone (``python benchmarks/bench_book.py``) it prints its raw figures;
``run.py`` puts them in the README table.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from books import write_book

HERE = Path(__file__).resolve().parent
WORKER = HERE / "worker.py"


KINDS = ("floor", "plan", "consolidate")
LEGACY_KINDS = ("consolidate", "consolidate-fixed")


@dataclass(frozen=True)
class BookSpec:
    label: str
    inquiries: int
    products: int
    runs: int  # measurements of each kind; the fastest is reported
    hurried: str = "today"  # see books.book_frames
    kinds: tuple[str, ...] = KINDS


BOOKS = (
    BookSpec("S", 1_000, 1_000, 5),
    BookSpec("M", 10_000, 10_000, 3),
    BookSpec("L", 50_000, 20_000, 1),
)
# A book never consolidated before: one inquiry row in five to tidy, throughout.
# Its floor is the same-size book's above (the files differ in a few cell values).
LEGACY = tuple(
    BookSpec(b.label, b.inquiries, b.products, 1, "all", LEGACY_KINDS)
    for b in BOOKS[1:]
)


@dataclass
class BookResult:
    spec: BookSpec
    path: Path
    size_bytes: int
    build_s: float
    runs: dict[str, list[dict]] = field(default_factory=dict)
    calamine: dict[str, dict] = field(default_factory=dict)
    profiles: dict[str, dict] = field(default_factory=dict)

    def best(self, kind: str) -> dict:
        """The run with the least wall time (memory from that same run)."""
        return min(self.runs[kind], key=lambda r: r["wall_s"])

    def ratio(self, kind: str) -> float:
        return self.best(kind)["wall_s"] / self.best("floor")["wall_s"]

    def floor_s(self) -> float:
        return self.best("floor")["wall_s"]

    def pair_ratios(self, kind: str) -> list[float]:
        """Wall time over the floor measured just before it, run by run."""
        return [
            r["wall_s"] / f["wall_s"]
            for r, f in zip(self.runs[kind], self.runs["floor"], strict=True)
        ]

    def median_pair_ratio(self, kind: str) -> float:
        return statistics.median(self.pair_ratios(kind))


def worker(kind: str, path: Path, *extra: str) -> dict:
    """One measurement in a fresh process; ``process_s`` is that whole process, from
    start to exit (Python's start-up and imports included), as a command costs."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(WORKER), kind, str(path), *extra],
        check=True,
        capture_output=True,
        text=True,
    )
    out = json.loads(done.stdout.strip().splitlines()[-1])
    out["process_s"] = time.perf_counter() - start
    return out


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def measure(
    folder: Path,
    specs=BOOKS,
    *,
    calamine: bool = True,
    profile_top: int | None = 10,
) -> list[BookResult]:
    """Build each book, run its kinds in turn ``runs`` times, then the calamine
    estimate, and profile plan and consolidate on the last (biggest) book."""
    results = []
    for spec in specs:
        path = folder / f"book-{spec.label}-{spec.hurried}.xlsx"
        start = time.perf_counter()
        write_book(path, spec.inquiries, spec.products, hurried=spec.hurried)
        result = BookResult(
            spec, path, path.stat().st_size, time.perf_counter() - start
        )
        log(
            f"book {spec.label} ({spec.hurried}): {spec.inquiries} inquiries, "
            f"{spec.products} products, {result.size_bytes / 2**20:.1f} MiB, "
            f"built in {result.build_s:.0f} s"
        )
        result.runs = {kind: [] for kind in spec.kinds}
        for i in range(spec.runs):
            for kind in spec.kinds:  # in turn, so drift hits every kind alike
                extra = ("digest",) if spec.hurried == "all" else ()
                out = worker(kind, path, *extra)
                result.runs[kind].append(out)
                log(f"  run {i + 1}/{spec.runs} {kind:<17} {out['wall_s']:7.2f} s")
        if calamine:
            result.calamine["read"] = worker("calamine-plan", path)
        results.append(result)
    if profile_top:
        biggest = results[-1]
        for kind in ("plan", "consolidate"):
            log(f"profiling {kind} on book {biggest.spec.label}")
            biggest.profiles[kind] = worker(
                f"profile-{kind}", biggest.path, str(profile_top)
            )
    return results


def main() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        results = measure(Path(tmp))
        results += measure(Path(tmp), LEGACY, calamine=False, profile_top=None)
        for r in results:
            for kind in r.spec.kinds:
                print(
                    r.spec.label,
                    r.spec.hurried,
                    kind,
                    json.dumps(r.best(kind), ensure_ascii=False),
                )
            for kind, c in r.calamine.items():
                print(r.spec.label, "calamine", kind, json.dumps(c, ensure_ascii=False))


if __name__ == "__main__":
    main()
