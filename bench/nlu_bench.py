"""Embedded NLU benchmark: accuracy on the held-out file, parse latency, cold load, memory.

Targets (issue 4): intent accuracy ≥ 0.95, entity F1 ≥ 0.92 on nlu/data/test_nlu.yml;
parse p50 ≤ 5 ms, p99 ≤ 25 ms; a 4,096-character message ≤ 100 ms; cold load ≤ 5 s;
resident memory of the loaded interpreter ≤ 400 MB; bad input never raises.
"""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("Europe/Paris"))
TEST_FILE = ROOT / "nlu" / "data" / "test_nlu.yml"

_COLD = """
import json, time
t = time.perf_counter()
from nlu.embedded import EmbeddedInterpreter
from nlu.interpreter import model_dir
from core.settings import load_settings
interp = EmbeddedInterpreter.load_or_train(model_dir(load_settings()))
loaded = time.perf_counter() - t
from datetime import datetime
from zoneinfo import ZoneInfo
interp.parse("vu Dupont SA hier, devis 12k€", now=datetime.now(ZoneInfo("Europe/Paris")))
rss = 0
for line in open("/proc/self/status"):
    if line.startswith("VmRSS:"):
        rss = int(line.split()[1]) / 1024
print(json.dumps({"load_s": loaded, "rss_mb": rss}))
"""

BAD_INPUTS = [
    "",
    "   ",
    "😀😀😀🚀",
    "\x00\x01\x02 contrôle \x1b[31m",
    "\u200b\u200c\u200d\u2060 zéro largeur \u202e ltr \u200f",
    "Hello, how are you? I had a meeting with John yesterday",
    "vu Dupont hier and then we discussed the price, very expensive",
    "'; DROP TABLE activities; --",
    "<b>gras</b> *markdown* _x_ [lien](http://x)",
    "12/13/2026 32/01 25h99 9999999999999999999999 k€",
]


def pct(values: list[float], q: float) -> float:
    """Return the q-quantile of values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    """Run every measure, print them beside the targets, exit 1 when one is missed."""
    cold = json.loads(
        subprocess.run(
            [sys.executable, "-c", _COLD], cwd=ROOT, capture_output=True, text=True, check=True
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    from core.settings import load_settings
    from nlu.embedded import EmbeddedInterpreter
    from nlu.evaluate import evaluate
    from nlu.interpreter import model_dir

    interp = EmbeddedInterpreter.load_or_train(model_dir(load_settings()))
    result = evaluate(interp, TEST_FILE, NOW)
    from nlu.training_data import load_training_data

    texts = [e.text for e in load_training_data(TEST_FILE).examples]
    for text in texts[:20]:
        interp.parse(text, now=NOW)
    latencies = []
    for _ in range(3):
        for text in texts:
            started = time.perf_counter()
            interp.parse(text, now=NOW)
            latencies.append((time.perf_counter() - started) * 1000)
    rng = random.Random(7)
    long_text = " ".join(rng.choice(texts) for _ in range(200))[:4096]
    long_ms = []
    for _ in range(10):
        started = time.perf_counter()
        interp.parse(long_text, now=NOW)
        long_ms.append((time.perf_counter() - started) * 1000)
    garbage = "".join(chr(rng.randint(32, 0x2FFF)) for _ in range(4096))
    bad_failures = 0
    for text in [*BAD_INPUTS, garbage, long_text]:
        try:
            parsed = interp.parse(text, now=NOW)
            assert {"text", "intent", "intent_ranking", "entities"} <= parsed.keys()
        except Exception as exc:  # a failure here is the finding
            bad_failures += 1
            print(f"  bad input raised {type(exc).__name__}: {text[:40]!r}")
    rows = [
        ("intent accuracy", result.intent_accuracy, "≥ 0.95", result.intent_accuracy >= 0.95),
        ("intent macro F1", result.intent_macro_f1, "", True),
        ("entity F1 (type + value)", result.entity_f1, "≥ 0.92", result.entity_f1 >= 0.92),
        ("parse p50 (ms)", statistics.median(latencies), "≤ 5", statistics.median(latencies) <= 5),
        ("parse p99 (ms)", pct(latencies, 0.99), "≤ 25", pct(latencies, 0.99) <= 25),
        ("4,096-char message (ms, max)", max(long_ms), "≤ 100", max(long_ms) <= 100),
        ("cold load (s)", cold["load_s"], "≤ 5", cold["load_s"] <= 5),
        ("RSS loaded interpreter (MB)", cold["rss_mb"], "≤ 400", cold["rss_mb"] <= 400),
        ("bad inputs raising", bad_failures, "= 0", bad_failures == 0),
    ]
    print(f"{'measure':<32}{'value':>10}  target")
    for name, value, target, _ok in rows:
        shown = f"{value:.3f}" if isinstance(value, float) and value < 10 else f"{value:.1f}"
        print(f"{name:<32}{shown:>10}  {target}")
    missed = [name for name, _, _, ok in rows if not ok]
    print(
        f"nlu_bench: {'OK' if not missed else 'MISSED ' + ', '.join(missed)} — accuracy "
        f"{result.intent_accuracy:.3f}, entity F1 {result.entity_f1:.3f}, p50 "
        f"{statistics.median(latencies):.1f} ms, p99 {pct(latencies, 0.99):.1f} ms, cold "
        f"{cold['load_s']:.1f} s, {cold['rss_mb']:.0f} MB"
    )
    return 0 if not missed else 1


if __name__ == "__main__":
    sys.exit(main())
