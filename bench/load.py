"""Load test: the real bot process, simulated users over HTTP through the fake Telegram Bot API.

Targets (issue 11, item 7) on 2 cores with the embedded NLU: ≥ 100 updates/s sustained,
reply latency p99 ≤ 250 ms, zero lost or duplicated replies, every validated card stored
exactly once, on SQLite and on PostgreSQL (--pg [URL] or SALESCOACH_TEST_PG).

Each of --users users (200) onboards (/start, name button, role button), then types
--messages messages (20): logs from nlu/data/test_nlu.yml (cards validated with « Valider »,
cancelled or left), agenda and stats questions, drills (/entrainement, a graded answer,
/annuler). Buttons the bot offers on the way (company choice, outcome, « Passer »…) are
pressed like a person would. A user waits until its update is fully handled (the bot
confirmed it through its getUpdates offset), « reads » for --think MIN MAX seconds (uniform,
default 0.5–1.5 s) and then sends in the next free slot of a fixed-rate schedule shared by
all users (--rate, default 120 updates/s: the target plus 20 %; latency is measured at that
rate, not past saturation; --rate 0 removes the schedule, and 200 users then offer up to
~200 updates/s, which shows the bot's peak throughput). The fake API runs in its own
process; the bot is started as in tests/e2e.py. Latency: from injecting an update to the
bot's first sendMessage in that chat; throughput: updates answered per second between the
10th and the 90th percentile of answer times. The bot's cold start (models loaded on first
use) is measured unless --warmup.

    .venv/bin/python bench/load.py [--users 200] [--messages 20] [--pg [URL]] [--no-sqlite]
        [--rate 120] [--think 0.5 1.5] [--timeout 10] [--warmup] [--dump FILE] [--py-spy DIR]

Diagnostics that change the bot process without editing it (never for the verdict):
--max-sends N (the bot's TELEGRAM_MAX_SENDS_PER_SECOND cap, production default 0 = none),
--bot-hook FILE (Python run at start-up through a sitecustomize), --bot-path DIR (extra
PYTHONPATH entry, e.g. a package).
--py-spy DIR needs py-spy on PATH (pip install py-spy) and writes folded stacks.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import yaml  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from db.models import Activity, User  # noqa: E402
from nlu.training_data import load_training_data  # noqa: E402
from tests.e2e import BotProcess, start_bot, wait_ready  # noqa: E402

DEFAULT_PG = "postgresql+psycopg://root:salescoach@127.0.0.1:5432/postgres"
TARGET_RATE = 100.0  # updates/s sustained
TARGET_P99_MS = 250.0
FIRST_USER = 7_000_000
REPLY_METHODS = "sendMessage,sendDocument,sendPhoto"
SAVED_MARK = "C'est enregistré"
ALREADY_DONE_MARK = "déjà pris en compte"
ERROR_MARKS = {
    "Oups": "internal error",
    "momentanément indisponible": "unavailable",
    "Doucement": "rate-limited",
}
ASK_COMPANY_MARK = "Avec quelle entreprise"
COMPANIES = ["Dupont SA", "Menuiserie Vauclair", "Garage Lebreton", "Ets Morel", "Socomag"]
CATEGORIES = ["prix", "concurrent", "timing", "besoin", "confiance", "decision"]
ACTIONS = {"log": 50, "agenda": 15, "stats": 15, "drill": 20}  # weights of the mix
MAX_FOLLOW_UPS = 5
CHAT_METHODS = (
    "sendMessage",
    "editMessageText",
    "editMessageReplyMarkup",
    "sendDocument",
    "sendPhoto",
    "sendChatAction",
    "deleteMessage",
)


def pct(values: list[float], q: float) -> float:
    """Return a quantile (nearest rank); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def process_tree(pid: int) -> list[int]:
    """The process and its live descendants (the bot's scoring workers), from /proc."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children[ppid].append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of a process and of its live descendants."""
    return sum(cpu_seconds(p) for p in process_tree(pid))


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------- texts


@dataclass
class Corpus:
    """What the simulated users type."""

    logs: list[str]
    agenda: list[str]
    stats: list[str]
    answers: list[str]

    @classmethod
    def load(cls) -> Corpus:
        """Read the NLU test file and the graded drill answers."""
        examples = load_training_data(ROOT / "nlu" / "data" / "test_nlu.yml").examples
        by_intent: dict[str, list[str]] = defaultdict(list)
        for example in examples:
            by_intent[example.intent].append(example.text)
        graded = yaml.safe_load(
            (ROOT / "coaching" / "data" / "graded_answers.yml").read_text(encoding="utf-8")
        )
        return cls(
            logs=by_intent["log_visit"] + by_intent["log_call"] + by_intent["plan_activity"],
            agenda=["j'ai quoi demain ?", *by_intent["show_agenda"]],
            stats=["mes stats", *by_intent["ask_stats"]],
            answers=[str(a["answer"]) for a in graded["answers"]],
        )


# ---------------------------------------------------------------------------- control API


class ControlError(RuntimeError):
    """The fake API refused a control call."""


class Control:
    """Minimal aiohttp client of the fake's /control API (lighter than httpx under load)."""

    def __init__(self, base: str) -> None:
        """`base` is the fake's root URL."""
        self.base = base
        self._http: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Control:
        """Open the connection pool."""
        self._http = aiohttp.ClientSession(
            self.base, connector=aiohttp.TCPConnector(limit=0), trust_env=False
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Close the pool."""
        assert self._http is not None
        await self._http.close()

    async def _call(
        self,
        verb: str,
        path: str,
        *,
        json: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        timeout: float = 60.0,
    ) -> tuple[int, Any]:
        """Call one endpoint; return (status, decoded JSON)."""
        assert self._http is not None
        query = {k: str(v) for k, v in (params or {}).items() if v is not None}
        async with self._http.request(
            verb,
            f"/control/{path}",
            json=json,
            params=query,
            timeout=aiohttp.ClientTimeout(total=timeout),
        ) as response:
            return response.status, await response.json()

    async def message(self, user_id: int, text: str) -> dict[str, Any]:
        """Inject a user text (or /command); returns update_id, chat_id, seq."""
        status, body = await self._call(
            "POST", "message", json={"user_id": user_id, "text": text, "first_name": "Camille"}
        )
        if status != 200:
            raise ControlError(f"message: {status} {body}")
        return cast(dict[str, Any], body)

    async def press(self, user_id: int, message_id: int, data: str) -> dict[str, Any]:
        """Press an inline button; returns update_id, seq."""
        status, body = await self._call(
            "POST",
            "callback",
            json={"user_id": user_id, "message_id": message_id, "data": data},
        )
        if status != 200:
            raise ControlError(f"press: {status} {body}")
        return cast(dict[str, Any], body)

    async def confirmed(self, update_id: int, timeout: float) -> bool:
        """Wait until the bot confirmed the update through its getUpdates offset."""
        status, _ = await self._call(
            "GET",
            "wait_confirmed",
            params={"update_id": update_id, "timeout": timeout},
            timeout=timeout + 30,
        )
        return status == 200

    async def sent(
        self, chat_id: int | None = None, since: int = 0, methods: str = REPLY_METHODS
    ) -> list[dict[str, Any]]:
        """Records of what the bot sent (one chat or all) after `since`."""
        status, body = await self._call(
            "GET",
            "sent",
            params={"chat_id": chat_id, "since": since, "methods": methods},
            timeout=300,
        )
        if status != 200:
            raise ControlError(f"sent: {status} {body}")
        return cast(list[dict[str, Any]], body["records"])

    async def stats(self) -> dict[str, Any]:
        """The fake's call counters."""
        return cast(dict[str, Any], (await self._call("GET", "stats"))[1])


# ---------------------------------------------------------------------------- simulated users


@dataclass
class Step:
    """One update injected by a simulated user."""

    user: int
    kind: str
    update_id: int
    seq: int
    t0: float  # wall clock just before the injection call
    inject_ms: float  # duration of the injection call (harness overhead)
    confirmed: bool = False
    replies: list[dict[str, Any]] = field(default_factory=list)  # assigned after the run


@dataclass
class Run:
    """Shared state of one load run."""

    control: Control
    corpus: Corpus
    think: tuple[float, float]
    timeout: float
    rate: float = 0.0
    steps: list[Step] = field(default_factory=list)
    harness_errors: Counter[str] = field(default_factory=Counter)
    _next_slot: float = 0.0

    async def paced(self) -> None:
        """Wait for the next send slot of the whole run (--rate per second; 0: no pacing)."""
        if self.rate <= 0:
            return
        now = time.monotonic()
        slot = max(now, self._next_slot)
        self._next_slot = slot + 1.0 / self.rate
        if slot > now:
            await asyncio.sleep(slot - now)


def buttons(record: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, callback_data) of a record's inline keyboard."""
    markup = record.get("reply_markup") or {}
    return [
        (b["text"], b.get("callback_data", ""))
        for row in markup.get("inline_keyboard", [])
        for b in row
        if b.get("callback_data")
    ]


class SimUser:
    """A sales rep typing to the bot, one update at a time, reading each answer."""

    def __init__(self, run: Run, user_id: int, rng: random.Random) -> None:
        """Bind the user to the run."""
        self.run = run
        self.user_id = user_id
        self.rng = rng

    async def _step(
        self, kind: str, text: str | None = None, press: tuple[int, str] | None = None
    ) -> list[dict[str, Any]]:
        """Think, inject one update, wait until it is handled; return the replies seen."""
        low, high = self.run.think
        if high > 0:
            await asyncio.sleep(self.rng.uniform(low, high))
        await self.run.paced()
        control = self.run.control
        t0 = time.time()
        try:
            if press is not None:
                injected = await control.press(self.user_id, *press)
            else:
                assert text is not None
                injected = await control.message(self.user_id, text)
        except ControlError as exc:
            self.run.harness_errors[f"{kind}: {str(exc)[:60]}"] += 1
            return []
        step = Step(
            self.user_id,
            kind,
            injected["update_id"],
            injected["seq"],
            t0,
            (time.time() - t0) * 1000,
        )
        self.run.steps.append(step)
        # a person waits for the answer (lost = none within --timeout, counted afterwards);
        # only a bot that never answers makes the user give up and go on
        step.confirmed = await control.confirmed(step.update_id, max(60.0, 6 * self.run.timeout))
        return await control.sent(self.user_id, step.seq)

    async def _press(self, kind: str, record: dict[str, Any], data: str) -> list[dict[str, Any]]:
        """Press a button of a bot message."""
        return await self._step(kind, press=(record["message_id"], data))

    async def onboard(self) -> bool:
        """/start, the « Utiliser … » name button, the role button."""
        replies = await self._step("start", "/start")
        for kind, label in (("name", "Utiliser"), ("role", "Commercial")):
            target = next(
                (
                    (r, d)
                    for r in reversed(replies)
                    for lab, d in buttons(r)
                    if label.lower() in lab.lower()
                ),
                None,
            )
            if target is None:
                self.run.harness_errors[f"onboarding: no « {label} » button"] += 1
                return False
            replies = await self._press(kind, *target)
        return True

    async def follow_up(self, replies: list[dict[str, Any]]) -> None:
        """Answer what the bot asks with its buttons, like a person finishing an entry."""
        for _ in range(MAX_FOLLOW_UPS):
            if not replies:
                return
            last = replies[-1]
            datas = [d for _, d in buttons(last)]

            def first(prefix: str, datas: list[str] = datas) -> str | None:
                """The first button data with this prefix."""
                return next((d for d in datas if d.startswith(prefix)), None)

            if ok := first("j:ok:"):
                roll = self.rng.random()
                if roll < 0.7:
                    await self._press("validate", last, ok)
                elif roll < 0.85:
                    await self._press("cancel-card", last, cast(str, first("j:no:")))
                return  # or leaves the card as it is
            if data := first("j:co:"):
                replies = await self._press("company", last, data)
            elif outcomes := [d for d in datas if d.startswith("j:out:")]:
                replies = await self._press("outcome", last, self.rng.choice(outcomes))
            elif data := first("j:skip:"):
                replies = await self._press("skip", last, data)
            elif ASK_COMPANY_MARK in (last.get("text") or ""):
                replies = await self._step("company-name", self.rng.choice(COMPANIES))
            elif data := first("j:no:"):
                replies = await self._press("abandon", last, data)
            elif data := next(
                (d for d in datas if d.startswith("nlu:") and d != "nlu:other"), None
            ):
                replies = await self._press("reading", last, data)
            elif data := first("dr:n:"):
                replies = await self._press("drill-new", last, data)
            elif data := first("dr:c:"):
                replies = await self._press("drill-category", last, data)
            else:
                return

    async def warm_up(self) -> None:
        """Use every feature once (first uses load models lazily)."""
        if not await self.onboard():
            return
        corpus = self.run.corpus
        for _ in range(3):
            await self.follow_up(await self._step("log", self.rng.choice(corpus.logs)))
        await self._step("agenda", corpus.agenda[0])
        await self._step("stats", corpus.stats[0])
        await self.follow_up(await self._step("drill", "/entrainement prix"))
        await self._step("drill-answer", corpus.answers[0])
        await self._step("drill-stop", "/annuler")

    async def live(self, messages: int) -> None:
        """Onboard, then type `messages` messages of the realistic mix."""
        high = self.run.think[1]
        await asyncio.sleep(self.rng.uniform(0, max(high, 1.0)))  # users do not all arrive at once
        if not await self.onboard():
            return
        corpus = self.run.corpus
        typed = 0
        while typed < messages:
            action = self.rng.choices(list(ACTIONS), weights=list(ACTIONS.values()))[0]
            if action == "drill" and messages - typed < 3:
                action = "log"
            if action == "log":
                await self.follow_up(await self._step("log", self.rng.choice(corpus.logs)))
                typed += 1
            elif action in ("agenda", "stats"):
                pool = corpus.agenda if action == "agenda" else corpus.stats
                await self.follow_up(await self._step(action, self.rng.choice(pool)))
                typed += 1
            else:
                replies = await self._step("drill", f"/entrainement {self.rng.choice(CATEGORIES)}")
                await self.follow_up(replies)
                await self._step("drill-answer", self.rng.choice(corpus.answers))
                await self._step("drill-stop", "/annuler")
                typed += 3


# ---------------------------------------------------------------------------- processes


@dataclass
class Endpoint:
    """What start_bot reads from a FakeTelegram: its Bot API URLs."""

    base_url: str
    base_file_url: str


@asynccontextmanager
async def fake_server(workdir: Path) -> AsyncIterator[tuple[str, subprocess.Popen[bytes]]]:
    """Run `python -m fakegram` in its own process; yield its root URL."""
    port_file = workdir / "fake.port"
    log = (workdir / "fake.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "fakegram", "--port", "0", "--port-file", str(port_file)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(300):
            if port_file.exists() and port_file.read_text().strip():
                break
            if proc.poll() is not None:
                raise RuntimeError("fakegram exited early")
            await asyncio.sleep(0.05)
        else:
            raise TimeoutError("fakegram did not write its port")
        yield f"http://127.0.0.1:{port_file.read_text().strip()}", proc
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.to_thread(proc.wait, 30)
        log.close()


def push_times(storm: bool, now: datetime | None = None) -> dict[str, str]:
    """Pin the simulated users' push schedule, so that a run does not depend on the hour.

    By default the evening prompt and the morning digest fall hours away from the run (a
    run at 17:40 would otherwise send 200 evening prompts in the middle of it, one at 08:00
    none). With --push-storm the evening prompt is one minute past: every user onboarded by
    the next minute tick gets it then, while the users keep typing (pushes are paced at
    27/s, so about 7 s of sends).
    """
    local = (now or datetime.now(UTC)).astimezone(ZoneInfo("Europe/Paris"))
    evening = local - timedelta(minutes=1) if storm else local + timedelta(hours=6)
    morning = local + timedelta(hours=7)
    return {
        "DEFAULT_TIMEZONE": "Europe/Paris",
        "WORKING_DAYS": "1,2,3,4,5,6,7",
        "EVENING_PROMPT_TIME": evening.strftime("%H:%M"),
        "MORNING_DIGEST_TIME": morning.strftime("%H:%M"),
    }


def bot_env(workdir: Path, args: argparse.Namespace) -> dict[str, str]:
    """The pinned push schedule; diagnostics: --max-sends, --bot-hook and --bot-path."""
    env: dict[str, str] = push_times(args.push_storm)
    if args.max_sends is not None:
        env["TELEGRAM_MAX_SENDS_PER_SECOND"] = str(args.max_sends)
    code = []
    if args.bot_hook is not None:
        code.append(args.bot_hook.read_text(encoding="utf-8"))
    paths = [str(p) for p in args.bot_path]
    if code:
        hook = workdir / "pyhook"
        hook.mkdir(exist_ok=True)
        (hook / "sitecustomize.py").write_text("\n\n".join(code), encoding="utf-8")
        paths.insert(0, str(hook))
    if paths:
        env["PYTHONPATH"] = os.pathsep.join([*paths, os.environ.get("PYTHONPATH", "")]).strip(":")
    return env


def start_profiler(pid: int, out_dir: Path | None, label: str) -> subprocess.Popen[bytes] | None:
    """Attach py-spy to the bot when --py-spy is given and py-spy is on PATH."""
    if out_dir is None:
        return None
    exe = shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))
    if exe is None:
        print("py-spy not found: no profile", file=sys.stderr)
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(
        [
            exe,
            "record",
            "--pid",
            str(pid),
            "--rate",
            "200",
            "--format",
            "raw",
            "--output",
            str(out_dir / f"{label}.folded"),
            "--nonblocking",
            # --gil: only the thread holding the GIL (where the bot's single core goes);
            # otherwise off-CPU time too: blocking database calls, waits in select()
            "--gil" if os.environ.get("LOAD_PY_SPY_GIL") else "--idle",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


# ---------------------------------------------------------------------------- one run


async def drive(
    database_url: str, workdir: Path, args: argparse.Namespace, label: str
) -> dict[str, Any]:
    """Start the fake API and the bot, run the users, and analyse what happened."""
    corpus = Corpus.load()
    async with fake_server(workdir) as (base, fake_proc):
        endpoint = Endpoint(f"{base}/bot", f"{base}/file/bot")
        bot: BotProcess = start_bot(
            cast(Any, endpoint), database_url, workdir, **bot_env(workdir, args)
        )
        profiler = None
        try:
            await wait_ready(bot, timeout=120)
            async with Control(base) as control:
                if args.warmup:  # its steps and its chat are left out of every figure
                    warm = Run(control, corpus, (0.0, 0.0), args.timeout)
                    await SimUser(warm, FIRST_USER - 1, random.Random(0)).warm_up()
                run = Run(control, corpus, (args.think[0], args.think[1]), args.timeout, args.rate)
                rng = random.Random(args.seed)
                users = [
                    SimUser(run, FIRST_USER + n, random.Random(rng.random()))
                    for n in range(args.users)
                ]
                profiler = start_profiler(bot.proc.pid, args.py_spy, label)
                load_before = os.getloadavg()
                cpu_bot = tree_cpu_seconds(bot.proc.pid)
                cpu_fake = cpu_seconds(fake_proc.pid)
                cpu_self = time.process_time()
                started = time.time()
                await asyncio.gather(*(u.live(args.messages) for u in users))
                wall = time.time() - started
                cpu = {
                    "bot": tree_cpu_seconds(bot.proc.pid) - cpu_bot,
                    "fake": cpu_seconds(fake_proc.pid) - cpu_fake,
                    "harness": time.process_time() - cpu_self,
                }
                load_after = os.getloadavg()
                if profiler is not None:
                    profiler.send_signal(signal.SIGINT)
                    await asyncio.to_thread(profiler.wait, 60)
                await asyncio.sleep(1.0)  # late replies, if any, still count
                records = await control.sent(None, 0)
                api_stats = await control.stats()
        finally:
            if profiler is not None and profiler.poll() is None:
                profiler.kill()
            if bot.proc.poll() is None:
                await bot.stop(signal.SIGTERM)
    log_text = bot.log()
    figures = analyse(run, records, args.timeout)
    if args.dump is not None:
        dump_steps(run, args.dump.with_name(f"{args.dump.stem}-{label}{args.dump.suffix}"))
        args.dump.with_name(f"{args.dump.stem}-{label}.bot.log").write_text(log_text)
    figures.update(
        check_database(database_url, saved_cards(run)),
        wall_s=wall,
        cpu=cpu,
        load_before=load_before,
        load_after=load_after,
        api_errors=sum(api_stats.get("errors", {}).values()),
        api_calls=api_stats.get("calls", {}),
        bot_log_errors=sum(1 for line in log_text.splitlines() if " ERROR " in line),
        pushes_sent=sum(
            int(m[1]) for m in re.finditer(r"scheduler tick: .*?, (\d+) sent", log_text)
        ),
        bot_log_tail=[line for line in log_text.splitlines() if " ERROR " in line][:3],
        harness_errors=dict(run.harness_errors),
    )
    return figures


def analyse(run: Run, records: list[dict[str, Any]], timeout: float) -> dict[str, Any]:
    """Assign each reply to the update before it in its chat; latency, rate, losses, duplicates."""
    by_chat: dict[int, list[Step]] = defaultdict(list)
    for step in sorted(run.steps, key=lambda s: s.seq):
        by_chat[step.user].append(step)
    seqs = {chat: [s.seq for s in steps] for chat, steps in by_chat.items()}
    for record in records:
        chat = record.get("chat_id")
        if chat not in by_chat:
            continue
        index = bisect.bisect_left(seqs[chat], record["seq"]) - 1
        if index >= 0:
            by_chat[chat][index].replies.append(record)
    latencies: list[float] = []
    done_at: list[float] = []
    lost: list[str] = []
    never = 0
    duplicated: list[str] = []
    errors: Counter[str] = Counter()
    unconfirmed = 0
    for step in run.steps:
        unconfirmed += not step.confirmed
        sends = [r for r in step.replies if r["method"] == "sendMessage"]
        never += not sends
        if not sends or sends[0]["time"] - step.t0 > timeout:
            lost.append(f"{step.kind}@{step.user}")
        if sends:
            latencies.append((sends[0]["time"] - step.t0) * 1000)
            done_at.append(max(r["time"] for r in step.replies))
        texts = [r.get("text") or "" for r in step.replies]
        if any(ALREADY_DONE_MARK in t for t in texts) or len(set(texts)) < len(texts):
            duplicated.append(f"{step.kind}@{step.user}")
        for t in texts:
            for mark, name in ERROR_MARKS.items():
                if mark in t:
                    errors[name] += 1
    done_at.sort()
    count = len(done_at)
    sustained = overall = 0.0
    if count >= 10:
        lo, hi = done_at[count // 10], done_at[(count * 9) // 10]
        sustained = ((count * 9) // 10 - count // 10) / max(hi - lo, 1e-9)
        overall = count / max(done_at[-1] - min(s.t0 for s in run.steps), 1e-9)
    kinds = Counter(s.kind for s in run.steps)
    by_kind: dict[str, list[float]] = defaultdict(list)
    for step in run.steps:
        sends = [r for r in step.replies if r["method"] == "sendMessage"]
        if sends:
            by_kind[step.kind].append((sends[0]["time"] - step.t0) * 1000)
    return {
        "updates": len(run.steps),
        "kinds": dict(kinds),
        "rate_sustained": sustained,
        "rate_overall": overall,
        "p50_ms": pct(latencies, 0.5),
        "p90_ms": pct(latencies, 0.9),
        "p99_ms": pct(latencies, 0.99),
        "max_ms": max(latencies, default=0.0),
        "p99_by_kind": {k: pct(v, 0.99) for k, v in sorted(by_kind.items())},
        "inject_p99_ms": pct([s.inject_ms for s in run.steps], 0.99),
        "lost": len(lost),
        "never_answered": never,
        "lost_examples": lost[:5],
        "unconfirmed": unconfirmed,
        "duplicated": len(duplicated),
        "duplicated_examples": duplicated[:5],
        "error_replies": dict(errors),
    }


def dump_steps(run: Run, path: Path) -> None:
    """Write one JSON line per update: kind, user, injection time, latency, reply texts."""
    with path.open("w", encoding="utf-8") as fh:
        for step in sorted(run.steps, key=lambda s: s.t0):
            sends = [r for r in step.replies if r["method"] == "sendMessage"]
            latency = (sends[0]["time"] - step.t0) * 1000 if sends else None
            row = {
                "t0": round(step.t0, 4),
                "user": step.user,
                "kind": step.kind,
                "update_id": step.update_id,
                "latency_ms": None if latency is None else round(latency, 1),
                "replies": [(r.get("text") or "")[:60] for r in sends],
            }
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def saved_cards(run: Run) -> Counter[int]:
    """Valider presses per user whose replies (assigned after the run) say « C'est enregistré »."""
    saves: Counter[int] = Counter()
    for step in run.steps:
        if step.kind == "validate" and any(
            SAVED_MARK in (r.get("text") or "") for r in step.replies
        ):
            saves[step.user] += 1
    return saves


def check_database(url: str, saves: Counter[int]) -> dict[str, Any]:
    """Compare activities stored per user with the Valider presses answered « enregistré »."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(User.telegram_id, func.count(Activity.id))
                .join(Activity, Activity.user_id == User.id)
                .where(User.telegram_id >= FIRST_USER)
                .group_by(User.telegram_id)
            ).all()
    finally:
        engine.dispose()
    stored = {int(t): int(n) for t, n in rows}
    users = set(stored) | set(saves)
    missing = sum(max(0, saves[u] - stored.get(u, 0)) for u in users)
    extra = sum(max(0, stored.get(u, 0) - saves[u]) for u in users)
    return {
        "validated": sum(saves.values()),
        "stored": sum(stored.values()),
        "rows_missing": missing,
        "rows_extra": extra,
    }


def on_postgres(admin_url: str, workdir: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Run on a fresh PostgreSQL database, dropped afterwards."""
    name = f"salescoach_load_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        return asyncio.run(drive(url, workdir, args, "postgresql"))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# ---------------------------------------------------------------------------- report


def report(results: dict[str, dict[str, Any]], args: argparse.Namespace) -> int:
    """Print the figures beside the targets and a one-line summary; return the exit code."""
    missed: list[str] = []
    for name, f in results.items():
        checks = [
            (
                "sustained updates/s (10–90 %)",
                f["rate_sustained"],
                "≥ 100",
                f["rate_sustained"] >= TARGET_RATE,
            ),
            ("overall updates/s", f["rate_overall"], "(info)", True),
            ("reply latency p50 (ms)", f["p50_ms"], "(info)", True),
            ("reply latency p90 (ms)", f["p90_ms"], "(info)", True),
            ("reply latency p99 (ms)", f["p99_ms"], "≤ 250", f["p99_ms"] <= TARGET_P99_MS),
            ("reply latency max (ms)", f["max_ms"], "(info)", True),
            (f"no reply within {args.timeout:g} s", f["lost"], "= 0", f["lost"] == 0),
            ("  of which never answered", f["never_answered"], "= 0", f["never_answered"] == 0),
            ("updates never confirmed", f["unconfirmed"], "= 0", f["unconfirmed"] == 0),
            ("duplicated reply groups", f["duplicated"], "= 0", f["duplicated"] == 0),
            (
                "error replies (Oups…)",
                sum(f["error_replies"].values()),
                "= 0",
                not f["error_replies"],
            ),
            ("validated cards (« enregistré »)", f["validated"], "(info)", True),
            ("activities stored", f["stored"], f"= {f['validated']}", True),
            (
                "rows missing / extra",
                f"{f['rows_missing']} / {f['rows_extra']}",
                "= 0 / 0",
                f["rows_missing"] == 0 and f["rows_extra"] == 0,
            ),
            ("harness errors", sum(f["harness_errors"].values()), "= 0", not f["harness_errors"]),
            ("bot log ERROR lines", f["bot_log_errors"], "(info)", True),
            ("scheduled pushes sent meanwhile", f["pushes_sent"], "(info)", True),
            ("fake API error answers", f["api_errors"], "(info)", True),
        ]
        print(
            f"\n== {name}: {args.users} users × {args.messages} messages, {f['updates']} updates"
        )
        print(f"{'measure':<34}{'value':>12}  target")
        for label, value, target, ok in checks:
            shown = f"{value:.1f}" if isinstance(value, float) else str(value)
            print(f"{label:<34}{shown:>12}  {target}{'' if ok else '  ✗'}")
            if not ok:
                missed.append(f"{name} {label}")
        cpu = f["cpu"]
        per_update = cpu["bot"] / max(f["updates"], 1) * 1000
        print(
            f"CPU over {f['wall_s']:.1f} s: bot and its scoring workers {cpu['bot']:.1f} s ({per_update:.1f} ms/update), "
            f"fake API {cpu['fake']:.1f} s, harness {cpu['harness']:.1f} s; "
            f"load average {f['load_before'][0]:.2f} → {f['load_after'][0]:.2f} on "
            f"{os.cpu_count()} CPUs"
        )
        print(
            "p99 by kind (ms): " + ", ".join(f"{k} {v:.0f}" for k, v in f["p99_by_kind"].items())
        )
        print(f"updates by kind: {f['kinds']}; injection call p99 {f['inject_p99_ms']:.1f} ms")
        calls = f["api_calls"]
        chat_calls = sum(calls.get(m, 0) for m in CHAT_METHODS)
        per = chat_calls / max(f["updates"], 1)
        rate = args.max_sends or 0
        cap = f" ⇒ at most {rate / per:.0f} updates/s" if rate and per else ""
        print(
            "Bot API calls: "
            + ", ".join(f"{m} {n}" for m, n in sorted(calls.items(), key=lambda i: -i[1]))
            + f"; {per:.2f} calls with a chat_id per update, send cap "
            + (f"{rate:g}/s{cap}" if rate else "none")
            + f"; {f['updates'] / max(calls.get('getUpdates', 1), 1):.1f} updates per getUpdates"
        )
        if f["lost_examples"] or f["duplicated_examples"] or f["error_replies"]:
            print(
                f"lost e.g. {f['lost_examples']}; duplicated e.g. {f['duplicated_examples']}; "
                f"errors {f['error_replies']}"
            )
        if f["harness_errors"]:
            print(f"harness errors: {f['harness_errors']}")
        for line in f["bot_log_tail"]:
            print(f"bot log: {line[:200]}")
    parts = "; ".join(
        f"{n}: {f['rate_sustained']:.0f} upd/s, p99 {f['p99_ms']:.0f} ms, "
        f"no reply ≤ {args.timeout:g} s {f['lost']} (never {f['never_answered']}), "
        f"dup {f['duplicated']}, rows {f['stored']}/{f['validated']}"
        for n, f in results.items()
    )
    think = f"think {args.think[0]:g}–{args.think[1]:g} s"
    think += f", offered {args.rate:g} updates/s" if args.rate > 0 else ", unpaced"
    if args.warmup:
        think += ", after a warm-up"
    if args.max_sends is not None:
        think += f", send cap {args.max_sends:g}/s (diagnostic)"
    if args.bot_hook or args.bot_path:
        think += ", bot patched by --bot-hook/--bot-path (diagnostic)"
    status = "OK" if not missed else "MISSED " + ", ".join(missed)
    print(f"\nload: {status} — {args.users} users, {think}; {parts}")
    return 1 if missed else 0


def main(argv: list[str] | None = None) -> int:
    """Run on SQLite, then on PostgreSQL when available; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--messages", type=int, default=20, help="typed messages per user")
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=(0.5, 1.5),
        metavar=("MIN", "MAX"),
        help="seconds a user reads before its next update (uniform)",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=120.0,
        help="updates/s offered by all users together (fixed-rate schedule); 0: unpaced",
    )
    parser.add_argument("--timeout", type=float, default=10.0, help="reply timeout (s)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--pg", nargs="?", const=DEFAULT_PG, default=None, metavar="URL")
    parser.add_argument(
        "--warmup",
        action="store_true",
        help="one user uses every feature before the clock starts (steady state only)",
    )
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument(
        "--max-sends",
        type=float,
        default=None,
        metavar="N",
        help="diagnostic: the bot's overall send cap (TELEGRAM_MAX_SENDS_PER_SECOND)",
    )
    parser.add_argument(
        "--push-storm",
        action="store_true",
        help="every user gets the evening prompt at the first minute tick of the run",
    )
    parser.add_argument(
        "--bot-hook",
        type=Path,
        default=None,
        metavar="FILE",
        help="diagnostic: Python run in the bot process at start-up (via sitecustomize)",
    )
    parser.add_argument(
        "--bot-path",
        type=Path,
        action="append",
        default=[],
        metavar="DIR",
        help="diagnostic: prepend DIR to the bot's PYTHONPATH (e.g. a package to try)",
    )
    parser.add_argument(
        "--dump", type=Path, default=None, help="write per-update JSON lines (FILE-<db>.jsonl)"
    )
    parser.add_argument(
        "--py-spy", type=Path, default=None, metavar="DIR", help="profile the bot with py-spy"
    )
    args = parser.parse_args(argv)
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="salescoach-load-") as tmp:
        if not args.no_sqlite:
            work = Path(tmp) / "sqlite"
            work.mkdir()
            url = f"sqlite:///{work}/load.sqlite3"
            results["sqlite"] = asyncio.run(drive(url, work, args, "sqlite"))
        pg_url = args.pg or os.environ.get("SALESCOACH_TEST_PG")
        if pg_url:
            work = Path(tmp) / "postgresql"
            work.mkdir()
            results["postgresql"] = on_postgres(pg_url, work, args)
    return report(results, args)


if __name__ == "__main__":
    sys.exit(main())
