"""Painter benchmark: the photo set of benchmarks/photos.py painted in each case, beside fogleman/primitive.

Both run in the same run; the report gives each photo and the median over the set.

Run it alone on the machine (no other jobs): times are wall seconds of whole processes and the 2-core
machines we measure on drift with any other load. The 1-minute load average is printed before each run
and the highest one seen goes into the report.

For each photo, primitive (rotated rectangles, `-m 5 -r 256 -s SIZE -j 2`) runs just before the first
case that compares with it, then `paint` runs as its own process (2 OpenMP threads, --seed 1, no
animation) and is timed as a whole (wall seconds, peak resident memory). Both are scored the same way:
PSNR of the painting against the photo at the painting's size (painter.metrics.similarity). A table per
case (photo, paint dB, s, MB, primitive dB, s, difference, time ratio, then the median over the set and
the issue's targets, met or missed) is printed and appended to benchmarks/paint_photos.md with the date,
the CPU and the code version.

Resume: every result is kept in RUNS/results.json under the code version (the last commit touching
painter/, brushes/, renderers/ or pyproject.toml, plus a hash of their uncommitted changes) and the
photo and command line, written after each run; run the same command again and it goes on where it
stopped. The pictures stay in RUNS/<version>/, and RUNS/last-run.json lists those of the last run for
benchmarks/contact_sheet.py.

    python benchmarks/paint_photos.py                                   # everything (hours)
    python benchmarks/paint_photos.py --cases rectangle-300 demo        # some cases, every photo
    python benchmarks/paint_photos.py --photos chelsea page --strokes 30 --size 128 --no-save   # seconds
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.photos import PHOTOS, load  # noqa: E402
from painter.images import load_photo  # noqa: E402
from painter.metrics import similarity  # noqa: E402

CODE = ("painter", "brushes", "renderers", "pyproject.toml")  # what a painting depends on: the version key
BUSY_LOAD = 0.5  # 1-minute load average above which the report warns that the machine was not idle


@dataclass(frozen=True)
class Target:
    """The issue's targets for a case; None: no target on that figure."""

    diff_median: float | None = None  # median dB over primitive at least this
    diff_worst: float | None = None  # every photo's dB over primitive at least this
    ratio_median: float | None = None  # median time over primitive's at most this
    seconds_median: float | None = None
    seconds_worst: float | None = None
    mb_worst: float | None = None
    psnr_median: float | None = None


@dataclass(frozen=True)
class Case:
    """One benchmark case: a `paint` command and the primitive run it is compared with."""

    brush: str
    strokes: int
    peer: int | None  # primitive's shape count to compare with; None: no comparison
    size: int = 512  # --size and primitive's -s
    quality: str | None = None  # None: the default quality
    demo: bool = False  # the default command (`paint photo`): every output file, default seed
    photos: tuple[str, ...] | None = None  # only these photos; None: the whole set
    repeats: int = 1  # paintings per photo: the median of several for a figure a single run makes noisy
    target: Target = Target()


CASES: dict[str, Case] = {
    "rectangle-300": Case("rectangle", 300, 300, target=Target(diff_median=1.0, diff_worst=0.0, ratio_median=1.0)),
    "oil-1000": Case("oilpaint", 1000, 1000, target=Target(diff_median=0.0, ratio_median=1.0)),
    "oil-1000-fine": Case("oilpaint", 1000, 1000, quality="fine"),
    "oil-3000": Case("oilpaint", 3000, 1000, target=Target(diff_median=0.5, ratio_median=2.0)),
    "oil-3000-fine": Case("oilpaint", 3000, 1000, quality="fine"),
    "oil-5000-1024": Case("oilpaint", 5000, None, size=1024, target=Target(seconds_worst=600, mb_worst=4096)),
    # 18.7 s: the default command's median of three on the 2-core AMD EPYC machine on 2026-11-22 (paint_photos.md);
    # three runs here too, as that machine's speed drifts by up to 1.5x within minutes.
    "demo": Case(
        "oilpaint",
        500,
        None,
        demo=True,
        photos=("chelsea",),
        repeats=3,
        target=Target(seconds_median=18.7, psnr_median=26.8),
    ),
}


def code_version() -> str:
    """The last commit that changed the painting code, plus a hash of that code's uncommitted changes."""
    commit = git("log", "-1", "--format=%h", "--", *CODE) or "nogit"
    changes = git("diff", "HEAD", "--", *CODE).encode()
    for name in git("ls-files", "--others", "--exclude-standard", "--", *CODE).splitlines():  # new files
        changes += name.encode() + (ROOT / name).read_bytes()
    return commit + (f"+{hashlib.sha1(changes).hexdigest()[:8]}" if changes else "")


def git(*args: str) -> str:
    done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else ""


def cpu_model() -> str:
    """lscpu's model name and the core count."""
    try:
        listing = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    except FileNotFoundError:  # no lscpu (macOS)
        listing = ""
    for line in listing.splitlines():
        if line.startswith("Model name:"):
            return f"{line.split(':', 1)[1].strip()}, {os.cpu_count()} cores"
    return f"unknown CPU, {os.cpu_count()} cores"


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def load_average() -> float:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except OSError:
        return float("nan")


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run cmd; (wall seconds, its peak resident memory in MB). ValueError naming a failed command."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise ValueError(f"{' '.join(cmd)} exited with {proc.returncode}")
    return time.perf_counter() - started, usage.ru_maxrss / 1024


def paint_args(case: Case, strokes: int, size: int, extra: list[str]) -> list[str]:
    """paint's options for a case (the photo and output folder left out); the demo takes the defaults."""
    if case.demo:
        return extra
    args = ["--brush", case.brush, "--strokes", str(strokes), "--size", str(size), "--seed", "1", "--no-animation"]
    return args + (["--quality", case.quality] if case.quality else []) + extra


def run_paint(photo: Path, args: list[str], out: Path) -> dict:
    """One `paint` process painting `photo` into `out` (replaced only once the painting is done)."""
    env = {
        **os.environ,
        "OMP_NUM_THREADS": "2",
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    for stale in out.parent.glob(f".{out.name}-*"):  # left by a run of this job that was killed
        shutil.rmtree(stale, ignore_errors=True)
    work = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}-"))
    try:
        seconds, peak = timed([sys.executable, "-m", "painter", str(photo), *args, "--out", str(work), "--quiet"], env)
        metrics = json.loads((work / "metrics.json").read_text(encoding="utf-8"))
        if metrics["interrupted"]:
            raise ValueError(f"paint was stopped before the end painting {photo}")
        if out.exists():  # a picture left by an interrupted run of this very job
            shutil.rmtree(out)
        work.rename(out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "psnr": metrics["psnr"],
        "ssim": metrics["ssim"],
        "strokes": metrics["strokes"],
        "seconds": seconds,
        "peak_mb": peak,
    }


def run_primitive(binary: str, photo: Path, count: int, size: int, out: Path) -> dict:
    """primitive's `count` rotated rectangles, fitted at 256 px and drawn at `size`; scored as paint's are."""
    cmd = [
        binary,
        "-i",
        str(photo),
        "-o",
        str(out),
        "-n",
        str(count),
        "-m",
        "5",
        "-r",
        "256",
        "-s",
        str(size),
        "-j",
        "2",
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    seconds, peak = timed(cmd, dict(os.environ))
    scores = similarity(load_photo(out), load_photo(photo))
    return {"psnr": scores["psnr"], "ssim": scores["ssim"], "seconds": seconds, "peak_mb": peak}


class Results:
    """The results file: {code version: {job: result}}, rewritten atomically after every run, so that an
    interrupted benchmark goes on where it stopped."""

    def __init__(self, path: Path, version: str, fresh: bool) -> None:
        self.path, self.version = path, version
        self.all = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        if fresh:
            self.all.pop(version, None)
        self.mine = self.all.setdefault(version, {})
        self.earlier = set(self.mine)  # jobs an earlier (interrupted) run of this code measured
        self.reused: set[str] = set()

    def get(self, job: str) -> dict | None:
        if job in self.earlier:
            self.reused.add(job)
        return self.mine.get(job)

    def put(self, job: str, result: dict) -> dict:
        self.mine[job] = result
        write_json(self.path, self.all)
        return result


def write_json(path: Path, value: object) -> None:
    """Write JSON atomically (a temporary file renamed over `path`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=1)
    os.replace(tmp, path)


@dataclass(frozen=True)
class Settings:
    """What the command line chose: the photos, and the overrides for tiny test runs."""

    photos: list[str]
    cases: list[str]
    primitive: str | None
    runs: Path
    strokes: int | None  # every case's strokes and primitive's count; None: the case's own
    size: int | None  # every case's size; None: the case's own
    extra: list[str]


def write_photo(name: str, path: Path) -> None:
    """The photo as a PNG both painters read, written atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp.png")
    Image.fromarray(load(name)).save(tmp)
    os.replace(tmp, path)


def benchmark(settings: Settings, results: Results) -> dict[str, list[tuple[str, dict, dict | None]]]:
    """Run (or take from the results file) every case on every photo; {case: [(photo, paint, primitive)]}."""
    rows: dict[str, list[tuple[str, dict, dict | None]]] = {case: [] for case in settings.cases}
    for name in settings.photos:
        photo = settings.runs / "photos" / f"{name}.png"
        write_photo(name, photo)
        for case_name in settings.cases:
            case = CASES[case_name]
            if case.photos is not None and name not in case.photos:
                continue
            size = settings.size or case.size
            peer = None
            if case.peer is not None and settings.primitive is not None:
                peer = primitive_result(settings, results, name, settings.strokes or case.peer, size)
            args = paint_args(case, settings.strokes or case.strokes, size, settings.extra)
            for repeat in range(1, case.repeats + 1):
                label = name if repeat == 1 else f"{name} (run {repeat})"
                paint = paint_result(settings, results, name, case_name, args, repeat)
                rows[case_name].append((label, paint, peer))
                if peer:
                    diff, ratio = paint["psnr"] - peer["psnr"], paint["seconds"] / peer["seconds"]
                    print(f"{label:<16} {case_name:<15} against primitive: {diff:+.2f} dB, {ratio:.2f}x its time")
    return rows


def primitive_result(settings: Settings, results: Results, name: str, count: int, size: int) -> dict:
    """primitive's painting of photo `name`, from the results file or run now (and kept there)."""
    job = f"{name} | primitive -n {count} -m 5 -r 256 -s {size} -j 2"
    found = results.get(job)
    if found is not None:
        return found
    load, when = load_average(), now()
    print(f"{name:<16} primitive {count:<5}    load {load:5.2f}", end=" ", flush=True)
    out = settings.runs / results.version / "primitive" / f"{name}-{count}-{size}.png"
    found = run_primitive(settings.primitive, settings.runs / "photos" / f"{name}.png", count, size, out)
    found = {**found, "image": str(out.relative_to(settings.runs)), "load": load, "when": when}
    print(f"{found['psnr']:6.2f} dB {found['seconds']:7.1f} s", flush=True)
    return results.put(job, found)


def paint_result(
    settings: Settings, results: Results, name: str, case_name: str, args: list[str], repeat: int = 1
) -> dict:
    """paint's painting of photo `name` with `args` (the repeat-th of the case's paintings of it), from the
    results file or run now (and kept there)."""
    job = f"{name} | paint {' '.join(args)}" + (f" | run {repeat}" if repeat > 1 else "")
    found = results.get(job)
    if found is not None:
        return found
    load, when = load_average(), now()
    print(f"{name:<16} {case_name:<15} load {load:5.2f}", end=" ", flush=True)
    out = settings.runs / results.version / case_name / f"{name}-{hashlib.sha1(job.encode()).hexdigest()[:8]}"
    found = run_paint(settings.runs / "photos" / f"{name}.png", args, out)
    image = str((out / "painting.png").relative_to(settings.runs))
    found = {**found, "image": image, "case": case_name, "photo": name, "load": load, "when": when}
    print(f"{found['psnr']:6.2f} dB {found['seconds']:7.1f} s {found['peak_mb']:6.0f} MB", flush=True)
    return results.put(job, found)


def case_table(rows: list[tuple[str, dict, dict | None]]) -> str:
    """A markdown table: a row per photo, then the median over the set."""
    head = ["photo", "paint dB", "s", "MB", "primitive dB", "s", "difference dB", "time ratio"]
    lines = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    columns: list[list[float]] = [[] for _ in range(7)]
    for name, paint, peer in rows:
        values = [paint["psnr"], paint["seconds"], paint["peak_mb"]]
        if peer:
            values += [peer["psnr"], peer["seconds"], paint["psnr"] - peer["psnr"], paint["seconds"] / peer["seconds"]]
        for column, value in zip(columns, values, strict=False):
            column.append(value)
        lines.append(f"| {name} | " + " | ".join(cells(values)) + " |")
    medians = [statistics.median(column) for column in columns if column]
    lines.append("| **median** | " + " | ".join(f"**{cell}**" for cell in cells(medians)) + " |")
    return "\n".join(lines)


def cells(values: list[float]) -> list[str]:
    """paint dB, s, MB [, primitive dB, s, difference, ratio] as table cells; dashes where primitive is absent."""
    formats = ["{:.2f}", "{:.1f}", "{:.0f}", "{:.2f}", "{:.1f}", "{:+.2f}", "{:.2f}"]
    shown = [form.format(value) for form, value in zip(formats, values, strict=False)]
    return shown + ["—"] * (len(formats) - len(shown))


def verdicts(target: Target, rows: list[tuple[str, dict, dict | None]]) -> list[str]:
    """The issue's targets for a case, each met or missed, with the figure that decides it."""
    paints = [paint for _, paint, _ in rows]
    pairs = [(paint, peer) for _, paint, peer in rows if peer]
    diffs = [paint["psnr"] - peer["psnr"] for paint, peer in pairs]
    ratios = [paint["seconds"] / peer["seconds"] for paint, peer in pairs]
    checks: list[tuple[str, float, float, bool]] = []  # (figure, value, bound, whether the value must be at least)
    if target.diff_median is not None and diffs:
        checks.append(("median difference dB", statistics.median(diffs), target.diff_median, True))
    if target.diff_worst is not None and diffs:
        checks.append(("lowest difference dB", min(diffs), target.diff_worst, True))
    if target.ratio_median is not None and ratios:
        checks.append(("median time ratio", statistics.median(ratios), target.ratio_median, False))
    if target.seconds_median is not None:
        checks.append(("median s", statistics.median(p["seconds"] for p in paints), target.seconds_median, False))
    if target.seconds_worst is not None:
        checks.append(("longest s", max(p["seconds"] for p in paints), target.seconds_worst, False))
    if target.mb_worst is not None:
        checks.append(("highest peak MB", max(p["peak_mb"] for p in paints), target.mb_worst, False))
    if target.psnr_median is not None:
        checks.append(("median dB", statistics.median(p["psnr"] for p in paints), target.psnr_median, True))
    return [
        f"{'met' if (value >= bound if at_least else value <= bound) else 'MISSED'}: {figure} {value:.2f} "
        f"({'>=' if at_least else '<='} {bound:g})"
        for figure, value, bound, at_least in checks
    ]


def report(settings: Settings, results: Results, rows: dict[str, list[tuple[str, dict, dict | None]]]) -> str:
    """The markdown section: when, where, which code and settings, then a table and the targets per case."""
    measured = [paint for case_rows in rows.values() for _, paint, _ in case_rows]
    loads = [paint["load"] for paint in measured]
    whens = sorted(paint["when"] for paint in measured)
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"## {stamp}, {cpu_model()}, code {results.version}", ""]
    lines.append(
        f"Runs started {whens[0] if whens else '-'} to {whens[-1] if whens else '-'}; highest 1-minute load average "
        f"before a run {max(loads, default=0):.2f}"
        + (" (the machine was not idle)" if max(loads, default=0) > BUSY_LOAD else "")
        + ". paint: `--seed 1 --no-animation`, 2 threads, the demo as `paint chelsea.png`; primitive: `-m 5 -r 256 "
        "-s SIZE -j 2`, run just before the first case compared with it."
    )
    if settings.strokes or settings.size or settings.extra:
        lines.append(
            f"Overridden for a test run (targets not meaningful): strokes {settings.strokes or 'as the case'}, "
            f"size {settings.size or 'as the case'}, extra `{' '.join(settings.extra) or 'none'}`."
        )
    for case_name, case_rows in rows.items():
        if not case_rows:
            continue
        case = CASES[case_name]
        lines += ["", f"### {case_name}: {describe(case, settings)}", ""]
        lines.append(case_table(case_rows))
        found = verdicts(case.target, case_rows)
        if found:
            lines += ["", "Targets: " + "; ".join(found) + "."]
    return "\n".join(lines) + "\n"


def describe(case: Case, settings: Settings) -> str:
    """What a case paints, as its report heading says it."""
    if case.demo:
        return f"the default command, `paint photo.png` ({case.strokes} {case.brush} strokes, every output file)"
    against = f", against primitive's {settings.strokes or case.peer}" if case.peer else ""
    strokes, size, quality = settings.strokes or case.strokes, settings.size or case.size, case.quality or "default"
    return f"{case.brush}, {strokes} strokes, {size} px, {quality} quality{against}"


def find_primitive(given: str | None) -> str:
    """The primitive binary: --primitive, else $PRIMITIVE, else `primitive` on PATH; ValueError if none."""
    candidate = given or os.environ.get("PRIMITIVE") or shutil.which("primitive")
    if not candidate:
        raise ValueError(
            "primitive not found: pass --primitive PATH, set $PRIMITIVE or put it on PATH (or --no-primitive)"
        )
    if not Path(candidate).is_file():
        raise ValueError(f"primitive {candidate} is not a file")
    return candidate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog="Run it alone on the machine.")
    parser.add_argument(
        "--photos",
        nargs="+",
        default=list(PHOTOS),
        choices=list(PHOTOS),
        metavar="PHOTO",
        help=f"some of the set ({', '.join(PHOTOS)}); default: all",
    )
    parser.add_argument(
        "--cases",
        nargs="+",
        default=list(CASES),
        choices=list(CASES),
        metavar="CASE",
        help=f"some cases ({', '.join(CASES)}); default: all",
    )
    parser.add_argument("--primitive", help="the primitive binary ($PRIMITIVE, else `primitive` on PATH)")
    parser.add_argument("--no-primitive", action="store_true", help="paint alone, with no comparison")
    parser.add_argument("--strokes", type=int, help="test runs: every case's strokes and primitive's count")
    parser.add_argument("--size", type=int, help="test runs: every case's size in px")
    parser.add_argument("--extra", default="", help="more options for paint, e.g. '--renderer exact'")
    parser.add_argument(
        "--runs",
        type=Path,
        default=ROOT / "benchmarks" / "runs",
        help="results.json and the pictures (benchmarks/runs)",
    )
    parser.add_argument("--fresh", action="store_true", help="measure again what results.json holds for this code")
    parser.add_argument(
        "--markdown",
        type=Path,
        default=ROOT / "benchmarks" / "paint_photos.md",
        help="the report is appended here (benchmarks/paint_photos.md)",
    )
    parser.add_argument("--no-save", action="store_true", help="print the report only")
    args = parser.parse_args()
    for flag, value in (("--strokes", args.strokes), ("--size", args.size)):
        if value is not None and value < 1:
            parser.error(f"{flag} must be a positive whole number, got {value}")
    try:
        binary = None if args.no_primitive else find_primitive(args.primitive)
    except ValueError as err:
        parser.exit(2, f"error: {err}\n")
    settings = Settings(args.photos, args.cases, binary, args.runs, args.strokes, args.size, args.extra.split())
    results = Results(args.runs / "results.json", code_version(), args.fresh)
    load = load_average()
    print(
        f"code {results.version}; load {load:.2f}" + (" - not idle: the times will be off" if load > BUSY_LOAD else "")
    )
    try:
        rows = benchmark(settings, results)
    except ValueError as err:
        parser.exit(1, f"error: {err}\n")
    if results.reused:
        print(f"({len(results.reused)} results measured earlier, taken from {results.path})")
    text = report(settings, results, rows)
    # What benchmarks/contact_sheet.py draws: this run's cases, photos and pictures.
    sheet = {"version": results.version, "cases": {}}
    for case_name, case_rows in rows.items():
        pictures = [
            {"photo": paint["photo"], "label": label, "paint": paint, "primitive": peer}
            for label, paint, peer in case_rows
        ]
        sheet["cases"][case_name] = {"title": f"{case_name}: {describe(CASES[case_name], settings)}", "rows": pictures}
    write_json(args.runs / "last-run.json", sheet)
    print("\n" + text)
    if not args.no_save:
        with open(args.markdown, "a", encoding="utf-8") as f:
            f.write("\n" + text)


if __name__ == "__main__":
    main()
