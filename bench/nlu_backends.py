"""Compare the embedded and the Rasa NLU backends on the held-out test file, against targets.

Run with the bot's venv: ``.venv/bin/python bench/nlu_backends.py`` (installs, trains and serves
Rasa when needed, stops the server it started). Prints a table, a summary line, writes the table
into docs/nlu-backends.md, and exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from nlu.embedded import CONFIG as EMBEDDED_CONFIG  # noqa: E402
from nlu.embedded import DEFAULT_DATA, EmbeddedInterpreter, data_hash  # noqa: E402
from nlu.evaluate import Evaluation, evaluate  # noqa: E402
from nlu.rasa import server  # noqa: E402
from nlu.rasa.backend import RasaInterpreter  # noqa: E402
from nlu.training_data import INTENTS, load_training_data  # noqa: E402

REFERENCE_NOW = "2026-03-10T09:00:00+01:00"
DOC = ROOT / "docs" / "nlu-backends.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


@dataclass
class Row:
    """One line of the table: a figure per backend and its targets."""

    label: str
    embedded: str
    rasa: str
    target: str
    ok: bool | None = None


def _dir_size(path: Path) -> int:
    """Return the bytes of the files under a directory."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _self_rss() -> int:
    """Return this process's resident memory in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def _mb(n: float) -> str:
    """Format bytes as MB."""
    return f"{n / 1e6:.0f} MB" if n >= 1e6 else f"{n / 1e6:.2f} MB"


def measure_fallback(
    interp: RasaInterpreter, texts: list[str], now: datetime
) -> tuple[float, bool]:
    """Parse messages with the server down; return the slowest parse (s) and whether all valid."""
    worst = 0.0
    valid = True
    for text in texts:
        started = time.perf_counter()
        result = interp.parse(text, now)
        worst = max(worst, time.perf_counter() - started)
        valid = valid and result["intent"]["name"] in INTENTS and result["text"] == text
    return worst, valid


def measure_hung_server(
    fallback: EmbeddedInterpreter, timeout: float, texts: list[str], now: datetime
) -> tuple[float, float]:
    """A server that accepts and never answers: (first parse s, slowest later parse s)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        """Accept connections and hold them without answering."""
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    interp = RasaInterpreter(url, timeout, fallback=fallback, check=False)
    started = time.perf_counter()
    interp.parse(texts[0], now)
    first = time.perf_counter() - started
    later, _ = measure_fallback(interp, texts[1:], now)
    interp.close()
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()
    return first, later


def machine() -> str:
    """Return `uname -a` and the CPU count."""
    uname = subprocess.run(["uname", "-a"], capture_output=True, text=True, check=False)
    return f"{uname.stdout.strip() or platform.platform()}; {os.cpu_count()} CPUs"


def render(rows: list[Row], notes: list[str], when: str) -> str:
    """Render the table as Markdown."""
    lines = [
        f"Run on {when} — `{machine()}` — Python {platform.python_version()} (bot), "
        f"Rasa {server.RASA_VERSION} (server).",
        "",
        "| figure | embedded (spaCy + CRF) | rasa (DIET server) | target | met |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        met = "" if row.ok is None else ("yes" if row.ok else "**NO**")
        lines.append(f"| {row.label} | {row.embedded} | {row.rasa} | {row.target} | {met} |")
    lines.append("")
    lines.extend(f"- {note}" for note in notes)
    return "\n".join(lines) + "\n"


def write_doc(block: str) -> None:
    """Replace the bench block of docs/nlu-backends.md (append it when the markers are missing)."""
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# NLU backends\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        text = f"{head}{BEGIN}\n{block}{END}{tail}"
    else:
        text = f"{text.rstrip()}\n\n## Latest benchmark\n\n{BEGIN}\n{block}{END}\n"
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Run both backends on the test file and compare them with the targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(ROOT / "nlu" / "data" / "test_nlu.yml"))
    parser.add_argument("--now", default=REFERENCE_NOW)
    parser.add_argument("--timeout", type=float, default=1.0, help="RASA_TIMEOUT of the client")
    parser.add_argument("--no-crosscheck", action="store_true", help="skip rasa test nlu")
    parser.add_argument("--no-doc", action="store_true", help="do not update the doc")
    args = parser.parse_args(argv)
    now = datetime.fromisoformat(args.now)
    texts = [e.text for e in load_training_data(args.data).examples]

    # -- embedded
    started = time.perf_counter()
    cache = ROOT / "var" / "nlu"
    embedded = EmbeddedInterpreter.load_or_train(cache, DEFAULT_DATA)
    artefact = cache / f"embedded-{data_hash(DEFAULT_DATA, EMBEDDED_CONFIG)}"
    emb_train = float(json.loads((artefact / "done").read_text())["seconds"])
    emb_load = time.perf_counter() - started
    emb: Evaluation = evaluate(embedded, args.data, now)
    emb_rss = _self_rss()
    emb_size = _dir_size(artefact)

    # -- rasa
    paths = server.default_paths()
    server.install(paths)
    before = {p.name for p in paths.models.glob("*.tar.gz")} if paths.models.exists() else set()
    model = server.train(paths)
    rasa_train = float(server.model_info(model).get("seconds", 0.0))
    reused = model.name in before
    port = server.free_port()
    started = time.perf_counter()
    pid = server.serve(port, paths, owned=True)
    ready_s = time.perf_counter() - started
    url = f"http://127.0.0.1:{port}"
    try:
        interp = RasaInterpreter(url, args.timeout, fallback=embedded)
        ras: Evaluation = evaluate(interp, args.data, now)
        eval_fallbacks = interp.fallbacks
        rasa_rss = server.process_rss(pid)
    finally:
        server.stop(port, paths)
    down_worst, down_valid = measure_fallback(interp, texts[:50], now)
    interp.close()
    hung_first, hung_later = measure_hung_server(embedded, args.timeout, texts[:20], now)

    cross = None
    if not args.no_crosscheck:
        cross = server.rasa_test(paths, Path(args.data))

    rows = [
        Row(
            "intent accuracy",
            f"{emb.intent_accuracy:.3f}",
            f"{ras.intent_accuracy:.3f}",
            "≥ 0.95 / ≥ 0.93",
            emb.intent_accuracy >= 0.95 and ras.intent_accuracy >= 0.93,
        ),
        Row(
            "intent macro F1",
            f"{emb.intent_macro_f1:.3f}",
            f"{ras.intent_macro_f1:.3f}",
            "—",
        ),
        Row(
            "entity F1 (micro, type + value)",
            f"{emb.entity_f1:.3f}",
            f"{ras.entity_f1:.3f}",
            "≥ 0.92 / ≥ 0.90",
            emb.entity_f1 >= 0.92 and ras.entity_f1 >= 0.90,
        ),
        Row(
            "parse latency p50",
            f"{emb.latency_p50_ms:.1f} ms",
            f"{ras.latency_p50_ms:.1f} ms",
            "— / ≤ 20 ms (loopback)",
            ras.latency_p50_ms <= 20.0,
        ),
        Row(
            "parse latency p99",
            f"{emb.latency_p99_ms:.1f} ms",
            f"{ras.latency_p99_ms:.1f} ms",
            "—",
        ),
        Row("model size on disk", _mb(emb_size), _mb(model.stat().st_size), "—"),
        Row(
            "training time",
            f"{emb_train:.1f} s",
            f"{rasa_train:.0f} s" + (" (recorded; model reused)" if reused else ""),
            "—",
        ),
        Row(
            "resident memory",
            f"{_mb(emb_rss)} (bot process)",
            f"{_mb(rasa_rss)} (server process)",
            "—",
        ),
        Row("start-up", f"{emb_load:.1f} s (load)", f"{ready_s:.0f} s (rasa run → /status)", "—"),
        Row(
            "fallback to embedded, server stopped (slowest of 50)",
            "—",
            f"{down_worst * 1000:.0f} ms" + ("" if down_valid else ", INVALID results"),
            "≤ 1 s",
            down_valid and down_worst <= 1.0,
        ),
        Row(
            f"fallback, hung server (timeout {args.timeout:g} s)",
            "—",
            f"first {hung_first:.2f} s, next {hung_later * 1000:.0f} ms",
            "info",
        ),
        Row(
            "messages that fell back during the rasa run",
            "—",
            str(eval_fallbacks),
            "0",
            eval_fallbacks == 0,
        ),
    ]
    if cross is not None:
        gap = cross["intent_accuracy"] - ras.intent_accuracy
        rows.append(
            Row(
                "`rasa test nlu` intent accuracy (gap vs evaluate)",
                "—",
                f"{cross['intent_accuracy']:.3f} ({gap:+.3f})",
                "within 0.01",
                abs(gap) <= 0.01,
            )
        )
    notes = [
        f"{emb.examples} held-out examples of `{Path(args.data).name}`, now = {args.now}.",
        "Entity F1 counts an entity when its type and normalised value match (`nlu.evaluate`).",
        f"Rasa model `{model.name}`, trained on 2 CPU cores by `python -m nlu.rasa train`.",
    ]
    when = time.strftime("%Y-%m-%d %H:%M %Z")
    table = render(rows, notes, when)
    print(table)
    missed = [row.label for row in rows if row.ok is False]
    print(
        f"nlu backends: embedded acc {emb.intent_accuracy:.3f} F1 {emb.entity_f1:.3f} "
        f"p50 {emb.latency_p50_ms:.1f} ms; rasa acc {ras.intent_accuracy:.3f} "
        f"F1 {ras.entity_f1:.3f} p50 {ras.latency_p50_ms:.1f} ms, fallback "
        f"{down_worst * 1000:.0f} ms; "
        + (f"{len(missed)} target(s) missed: {', '.join(missed)}" if missed else "all targets met")
    )
    if not args.no_doc:
        write_doc(table)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
