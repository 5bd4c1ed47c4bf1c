"""The "rasa" NLU backend: client mapping and fallback on fake servers, then a real Rasa 3.6 server."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from nlu.rasa.backend import BadAnswer, RasaInterpreter, map_answer
from nlu.result import assemble_result

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("Europe/Paris"))
LOGGER = "nlu.rasa.backend"
SAMPLE = "vu Dupont SA hier, devis 12k€, relance jeudi"


# ---------------------------------------------------------------- a tiny fake Rasa server


@dataclass
class FakeRasa:
    """What the fake server answers: a mode and, for "ok", a function text -> payload."""

    mode: str = "ok"
    answer: Callable[[str], Any] = field(default=lambda text: rasa_answer(text))
    delay: float = 0.0
    requests: list[str] = field(default_factory=list)


def rasa_answer(
    text: str,
    ranking: list[tuple[str, float]] | None = None,
    spans: list[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """Build a Rasa-like /model/parse answer, locating each (entity, words) span in the text."""
    ranking = ranking or [("log_visit", 0.91), ("log_call", 0.05), ("plan_activity", 0.04)]
    entities = []
    for entity, words in spans if spans is not None else [("company", "Dupont SA")]:
        start = text.find(words)
        if start >= 0:
            entities.append(
                {
                    "entity": entity,
                    "start": start,
                    "end": start + len(words),
                    "value": words,
                    "confidence_entity": 0.99,
                    "extractor": "DIETClassifier",
                }
            )
    return {
        "text": text,
        "intent": {"name": ranking[0][0], "confidence": ranking[0][1]},
        "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
        "entities": entities,
    }


def _handler(fake: FakeRasa) -> type[BaseHTTPRequestHandler]:
    """Build a request handler class bound to a FakeRasa."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:
            """Keep the test output quiet."""

        def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
            """Send one response."""
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            """Answer GET /status (or junk)."""
            if fake.mode == "ok" and self.path == "/status":
                self._send(200, b'{"model_file": "nlu-fake.tar.gz", "model_id": "x"}')
            else:
                self._send(200, b"<html>junk</html>", "text/html")

        def do_POST(self) -> None:
            """Answer POST /model/parse according to the mode."""
            length = int(self.headers.get("Content-Length", 0))
            text = json.loads(self.rfile.read(length) or b"{}").get("text", "")
            fake.requests.append(text)
            if fake.delay:
                time.sleep(fake.delay)
            if fake.mode == "ok":
                self._send(200, json.dumps(fake.answer(text)).encode())
            elif fake.mode == "junk":
                self._send(200, b"\x00\xffnot json at all{{{", "text/plain")
            elif fake.mode == "wrong-shape":
                self._send(200, b'{"intent": "log_visit", "intent_ranking": "yes"}')
            else:
                self._send(500, b'{"status": "failure"}')

    return Handler


@pytest.fixture
def fake_rasa() -> Iterator[tuple[str, FakeRasa]]:
    """A fake Rasa HTTP server on a free loopback port."""
    fake = FakeRasa()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", fake
    httpd.shutdown()
    httpd.server_close()


class StubFallback:
    """A fallback backend that records its calls."""

    name = "stub"

    def __init__(self) -> None:
        self.calls: list[str] = []

    def parse(self, text: str, now: datetime, intent: str | None = None) -> dict[str, Any]:
        """Return a recognisable result."""
        self.calls.append(text)
        return assemble_result(text, text, [("help", 0.42)], [], now, forced_intent=intent)


def closed_port_url() -> str:
    """Return the URL of a loopback port where nothing listens."""
    from nlu.rasa.server import free_port

    return f"http://127.0.0.1:{free_port()}"


def assert_contract(result: dict[str, Any], text: str) -> None:
    """Check the contract's result shape."""
    assert result["text"] == text
    assert set(result["intent"]) >= {"name", "confidence"}
    assert 0.0 <= result["intent"]["confidence"] <= 1.0
    assert result["intent_ranking"][0]["name"] == result["intent"]["name"]
    for entity in result["entities"]:
        assert set(entity) >= {"entity", "start", "end", "value"}
        assert 0 <= entity["start"] < entity["end"] <= len(text)


def warnings_of(caplog: pytest.LogCaptureFixture, level: int) -> list[logging.LogRecord]:
    """Return the backend's records of one level."""
    return [r for r in caplog.records if r.name == LOGGER and r.levelno == level]


# ---------------------------------------------------------------- mapping (no Rasa needed)


def test_map_answer_keeps_known_intents_and_valid_name_spans() -> None:
    """Unknown intents and entities are dropped, spans outside the text too."""
    text = "rdv chez Bricoman à Lyon avec M. Martin"
    payload = rasa_answer(
        text,
        ranking=[("nlu_fallback", 0.5), ("plan_activity", 0.4), ("greet", 0.1)],
        spans=[("company", "Bricoman"), ("city", "Lyon"), ("person", "M. Martin")],
    )
    payload["entities"].append({"entity": "amount", "start": 0, "end": 3, "value": 3})
    payload["entities"].append({"entity": "company", "start": 30, "end": 999, "value": "x"})
    payload["entities"].append({"entity": "city", "start": "0", "end": 3, "value": "x"})
    ranking, names = map_answer(payload, text)
    assert ranking == [("plan_activity", 0.4), ("greet", 0.1)]
    assert names == [("company", 9, 17), ("city", 20, 24), ("person", 30, 39)]


@pytest.mark.parametrize(
    "payload",
    [
        [],
        "log_visit",
        {"intent_ranking": "log_visit"},
        {"intent_ranking": [{"name": "log_visit", "confidence": "high"}]},
        {"intent_ranking": [{"name": "log_visit", "confidence": float("nan")}]},
        {"intent_ranking": [{"name": "unknown_intent", "confidence": 0.9}]},
        {"intent": {"name": "greet", "confidence": 0.9}, "entities": "none"},
        {"text": "another text", "intent": {"name": "greet", "confidence": 0.9}},
    ],
)
def test_map_answer_rejects_garbage(payload: Any) -> None:
    """Anything that is not a usable /model/parse answer raises BadAnswer."""
    with pytest.raises(BadAnswer):
        map_answer(payload, "salut")


def test_parse_through_fake_server_equals_embedded_assembly(
    fake_rasa: tuple[str, FakeRasa],
) -> None:
    """The client posts the text and assembles the result exactly like the embedded backend."""
    url, fake = fake_rasa
    fallback = StubFallback()
    with RasaInterpreter(url, 1.0, fallback=fallback) as interp:
        assert interp.health()
        result = interp.parse(SAMPLE, NOW)
    assert fake.requests == [SAMPLE]
    assert not fallback.calls and interp.fallbacks == 0
    assert_contract(result, SAMPLE)
    expected = assemble_result(
        SAMPLE,
        SAMPLE,
        [("log_visit", 0.91), ("log_call", 0.05), ("plan_activity", 0.04)],
        [("company", 3, 12)],
        NOW,
    )
    strip = [{k: v for k, v in e.items() if k != "extractor"} for e in result["entities"]]
    assert strip == [
        {k: v for k, v in e.items() if k != "extractor"} for e in expected["entities"]
    ]
    values = {e["entity"]: e["value"] for e in result["entities"]}
    assert values == {
        "company": "Dupont SA",
        "when": "2026-03-09",
        "outcome": "devis",
        "amount": 12000,
        "followup": "2026-03-12",
    }
    extractors = {e["entity"]: e["extractor"] for e in result["entities"]}
    assert extractors["company"] == "DIETClassifier" and extractors["amount"] == "rules"
    assert result["intent"] == {"name": "log_visit", "confidence": 0.91}


def test_forced_intent_and_empty_text(fake_rasa: tuple[str, FakeRasa]) -> None:
    """A forced intent wins; an empty message never reaches the server."""
    url, fake = fake_rasa
    with RasaInterpreter(url, 1.0, fallback=StubFallback()) as interp:
        forced = interp.parse(SAMPLE, NOW, intent="log_call")
        empty = interp.parse("   ", NOW)
    assert forced["intent"] == {"name": "log_call", "confidence": 1.0}
    assert empty["intent"]["name"] == "out_of_scope" and empty["entities"] == []
    assert fake.requests == [SAMPLE]


@pytest.mark.parametrize(
    ("text", "sent", "span"),
    [
        ("/aide Leroy", "aide Leroy", (6, 11)),
        ("  vu Leroy \n", "vu Leroy", (5, 10)),
        ("/ /vu Leroy", "vu Leroy", (6, 11)),
    ],
)
def test_text_is_sent_as_rasa_parses_it(
    fake_rasa: tuple[str, FakeRasa], text: str, sent: str, span: tuple[int, int]
) -> None:
    """Rasa strips the text and reads "/x" as an intent: send it stripped, map offsets back."""
    url, fake = fake_rasa
    fake.answer = lambda body: rasa_answer(body, [("log_visit", 0.8)], [("company", "Leroy")])
    with RasaInterpreter(url, 1.0, fallback=StubFallback()) as interp:
        result = interp.parse(text, NOW)
        assert interp.parse(" / ", NOW)["intent"]["name"] == "out_of_scope"
    assert fake.requests == [sent]
    assert result["text"] == text and result["intent"]["name"] == "log_visit"
    companies = [(e["start"], e["end"]) for e in result["entities"] if e["entity"] == "company"]
    assert companies == [span] and text[span[0] : span[1]] == "Leroy"


@pytest.mark.parametrize("mode", ["junk", "wrong-shape", "error"])
def test_bad_answers_fall_back_and_warn_once(
    fake_rasa: tuple[str, FakeRasa], caplog: pytest.LogCaptureFixture, mode: str
) -> None:
    """Junk, a wrong JSON shape or an HTTP 500 fall back; one WARNING, then an INFO on recovery."""
    url, fake = fake_rasa
    fake.mode = mode
    fallback = StubFallback()
    caplog.set_level(logging.INFO, logger=LOGGER)
    with RasaInterpreter(url, 1.0, fallback=fallback, retry_after=0.0) as interp:
        for _ in range(3):
            result = interp.parse(SAMPLE, NOW)
            assert_contract(result, SAMPLE)
            assert result["intent"]["name"] == "help"
        assert len(fallback.calls) == 3 and not interp.available
        assert len(warnings_of(caplog, logging.WARNING)) == 1
        fake.mode = "ok"
        assert interp.parse(SAMPLE, NOW)["intent"]["name"] == "log_visit"
        assert interp.available
    assert len(warnings_of(caplog, logging.WARNING)) == 1
    assert len(warnings_of(caplog, logging.INFO)) == 1


def test_server_down_falls_back_at_once(caplog: pytest.LogCaptureFixture) -> None:
    """Nothing listening: the health check fails and every message is parsed by the fallback."""
    fallback = StubFallback()
    caplog.set_level(logging.INFO, logger=LOGGER)
    interp = RasaInterpreter(closed_port_url(), 1.0, fallback=fallback, retry_after=0.0)
    assert not interp.available
    started = time.perf_counter()
    for _ in range(5):
        assert_contract(interp.parse(SAMPLE, NOW), SAMPLE)
    assert time.perf_counter() - started < 1.0
    assert len(fallback.calls) == 5
    assert len(warnings_of(caplog, logging.WARNING)) == 1
    interp.close()


def test_hung_server_falls_back_within_the_timeout(fake_rasa: tuple[str, FakeRasa]) -> None:
    """A server slower than the timeout costs one timeout, then is skipped until the retry."""
    url, fake = fake_rasa
    fake.delay = 2.0
    fallback = StubFallback()
    with RasaInterpreter(url, 0.3, fallback=fallback, retry_after=60.0) as interp:
        started = time.perf_counter()
        first = interp.parse(SAMPLE, NOW)
        first_seconds = time.perf_counter() - started
        started = time.perf_counter()
        interp.parse(SAMPLE, NOW)
        second_seconds = time.perf_counter() - started
    assert first["intent"]["name"] == "help"
    assert first_seconds < 0.3 + 0.5
    assert second_seconds < 0.1
    assert len(fake.requests) == 1 and len(fallback.calls) == 2


def test_junk_server_falls_back_to_the_real_embedded_backend(
    fake_rasa: tuple[str, FakeRasa], nlu_interpreter: Any
) -> None:
    """With the real embedded backend as fallback, a junk answer gives the embedded result."""
    url, fake = fake_rasa
    fake.mode = "junk"
    with RasaInterpreter(url, 1.0, fallback=nlu_interpreter) as interp:
        result = interp.parse(SAMPLE, NOW)
    assert result == nlu_interpreter.parse(SAMPLE, NOW)
    assert result["intent"]["name"] == "log_visit"


def test_make_interpreter_builds_the_rasa_client() -> None:
    """NLU_BACKEND=rasa gives a RasaInterpreter with the embedded backend as fallback."""
    from core.settings import ROOT, load_settings
    from nlu.interpreter import make_interpreter

    settings = load_settings(
        environ={
            "NLU_BACKEND": "rasa",
            "RASA_URL": closed_port_url(),
            "NLU_MODEL_DIR": str(ROOT / "var" / "nlu"),
        }
    )
    interp = make_interpreter(settings)
    assert isinstance(interp, RasaInterpreter)
    assert interp.fallback is not None and interp.fallback.name == "spacy"
    assert interp.parse(SAMPLE, NOW)["intent"]["name"] == "log_visit"
    interp.close()


# ---------------------------------------------------------------- a real Rasa 3.6 server


@dataclass
class RealServer:
    """The session's Rasa server: its port and how to (re)start it."""

    port: int
    paths: Any

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def ensure_running(self) -> None:
        """Start the server again if a test stopped it."""
        from nlu.rasa import server

        if not server.ready(self.url):
            server.serve(self.port, self.paths, owned=True)

    def stop(self) -> None:
        """Stop the server."""
        from nlu.rasa import server

        server.stop(self.port, self.paths)


@pytest.fixture(scope="session")
def rasa_server() -> Iterator[RealServer]:
    """Install Rasa if needed, train (or reuse) the model, serve it on a free port."""
    from nlu.rasa import server

    paths = server.default_paths()
    server.install(paths)
    server.train(paths)
    handle = RealServer(server.free_port(), paths)
    server.serve(handle.port, paths, owned=True)
    yield handle
    handle.stop()


MESSAGES = [
    SAMPLE,
    "rdv chez Garage Moreau à Roanne ce matin, le gérant pas intéressé, trop cher",
    "appelé Mme Durand de SAS Techniplast, messagerie, rappeler vendredi",
    "demain 10h RDV chez Bricoman à Lyon avec M. Martin",
    "fait 80 km pour voir Transports Faure, commande de 3 500 €",
    "mes stats de la semaine",
    "salut",
]


@pytest.mark.rasa
@pytest.mark.timeout(2700)
class TestRealRasaServer:
    """Parse through a real ``rasa run --enable-api`` over HTTP."""

    def test_health_and_contract(self, rasa_server: RealServer, nlu_interpreter: Any) -> None:
        """The server is healthy and answers in the contract's shape, with DIET's intent."""
        rasa_server.ensure_running()
        with RasaInterpreter(rasa_server.url, 1.0, fallback=nlu_interpreter) as interp:
            assert interp.health()
            for text in MESSAGES:
                assert_contract(interp.parse(text, NOW), text)
            result = interp.parse(SAMPLE, NOW)
            assert interp.fallbacks == 0
        assert result["intent"]["name"] == "log_visit"
        values = {e["entity"]: e["value"] for e in result["entities"]}
        assert values["company"] == "Dupont SA"
        assert values["amount"] == 12000 and values["followup"] == "2026-03-12"
        assert {e["extractor"] for e in result["entities"] if e["entity"] == "company"} == {
            "DIETClassifier"
        }

    def test_intents_of_plain_messages(self, rasa_server: RealServer) -> None:
        """DIET recognises obvious messages of several intents."""
        rasa_server.ensure_running()
        expected = {
            MESSAGES[1]: "log_visit",
            MESSAGES[2]: "log_call",
            MESSAGES[3]: "plan_activity",
            MESSAGES[5]: "ask_stats",
            MESSAGES[6]: "greet",
        }
        with RasaInterpreter(rasa_server.url, 1.0, fallback=StubFallback()) as interp:
            got = {text: interp.parse(text, NOW)["intent"]["name"] for text in expected}
            assert interp.fallbacks == 0
        assert got == expected

    def test_same_values_as_embedded_for_the_same_spans(
        self, rasa_server: RealServer, nlu_interpreter: Any
    ) -> None:
        """Same text, same intent, same span: same normalised value as the embedded backend."""
        rasa_server.ensure_running()
        compared = 0
        with RasaInterpreter(rasa_server.url, 1.0, fallback=StubFallback()) as interp:
            for text in MESSAGES:
                ours = interp.parse(text, NOW)
                theirs = nlu_interpreter.parse(text, NOW)
                if ours["intent"]["name"] != theirs["intent"]["name"]:
                    continue
                spans = {
                    (e["entity"], e["start"], e["end"]): e["value"] for e in theirs["entities"]
                }
                for entity in ours["entities"]:
                    key = (entity["entity"], entity["start"], entity["end"])
                    if key in spans:
                        assert entity["value"] == spans[key], (text, key)
                        compared += 1
            assert interp.fallbacks == 0
        assert compared >= 12
        # the same forced intent gives identical rule entities for both backends
        with RasaInterpreter(rasa_server.url, 1.0) as interp:
            forced_ours = interp.parse(MESSAGES[4], NOW, intent="log_visit")
        forced_theirs = nlu_interpreter.parse(MESSAGES[4], NOW, intent="log_visit")
        rules = [e for e in forced_ours["entities"] if e["extractor"] == "rules"]
        assert rules and all(e in forced_theirs["entities"] for e in rules)

    def test_junk_server_falls_back(self, nlu_interpreter: Any) -> None:
        """A local server answering junk makes the client use the embedded backend."""
        fake = FakeRasa(mode="junk")
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        try:
            url = f"http://127.0.0.1:{httpd.server_address[1]}"
            with RasaInterpreter(url, 1.0, fallback=nlu_interpreter) as interp:
                assert not interp.health()
                result = interp.parse(SAMPLE, NOW)
        finally:
            httpd.shutdown()
            httpd.server_close()
        assert result == nlu_interpreter.parse(SAMPLE, NOW)

    def test_fallback_when_the_server_is_stopped(
        self, rasa_server: RealServer, nlu_interpreter: Any, caplog: pytest.LogCaptureFixture
    ) -> None:
        """Stopping the server: the next messages fall back within 1 s, one WARNING logged."""
        rasa_server.ensure_running()
        caplog.set_level(logging.INFO, logger=LOGGER)
        with RasaInterpreter(rasa_server.url, 1.0, fallback=nlu_interpreter) as interp:
            assert interp.parse(SAMPLE, NOW)["intent"]["name"] == "log_visit"
            rasa_server.stop()
            for text in MESSAGES:
                started = time.perf_counter()
                result = interp.parse(text, NOW)
                assert time.perf_counter() - started <= 1.0
                assert_contract(result, text)
                assert result == nlu_interpreter.parse(text, NOW)
            assert interp.fallbacks == len(MESSAGES)
        assert len(warnings_of(caplog, logging.WARNING)) == 1
