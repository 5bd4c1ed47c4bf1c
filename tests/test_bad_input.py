"""Abuse and bad input through the real Application: a French reply, nothing stored by accident."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.driver import Driver
from db.models import Activity, Company, DrillAttempt, FollowUp
from tests.conftest import onboard

U = 801
FRENCH = (
    "je",
    "vous",
    "votre",
    "pas",
    "le",
    "la",
    "les",
    "un",
    "une",
    "de",
    "à",
    "ne",
    "pour",
    "ou",
    "et",
    "est",
    "du",
    "des",
    "en",
    "sur",
    "avec",
    "essayez",
    "tapez",
)

TEXTS = [
    "",
    " ",
    "😀😀😀",
    "🤝💼📈🔥",
    "\x00\x01\x02\x03",
    "\u200b\u200c\u200d",
    "\u202eesrever\u202c",
    "\u200fمرحبا\u200f",
    "a" * 4096,
    ("vu Dupont SA hier, devis 12k€ " * 200)[:4096],
    "é" * 4096,
    "'; DROP TABLE activities; --",
    "1; DELETE FROM users WHERE 1=1",
    "<script>alert(1)</script>",
    "<b>gras</b> <i>italique</i> &amp;",
    "*gras* _italique_ `code` [lien](http://exemple.fr)",
    "__init__ ${HOME} {{7*7}} %s %n",
    "Hello, I would like to book a meeting with your sales team",
    "Was ist das?",
    "???",
    "...",
    "12345678901234567890",
    "0000",
    "http://exemple.fr/phishing",
    "@salescoach_bot",
    "#hashtag",
    "/",
    "//",
    "/start@autre_bot",
    "/inconnue",
    "/stats siecle",
    "/fiche",
    "/agenda 99/99/9999",
    "/export extra args",
    "\n\n\n",
    "\t\t",
    "ok",
    "non",
    "lol",
    "asdfghjkl qwerty",
    "vu",
    "appelé",
    "devis",
    "💶 12k€",
    "relance jeudi",
]


def snapshot(bot: Driver) -> tuple[int, ...]:
    """Counts of the tables a stray message must not touch."""
    with bot.app.bot_data["services"].session() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Activity, Company, FollowUp, DrillAttempt)
        )


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
async def test_bad_text_gets_french_reply_and_changes_nothing(bot: Driver, text: str) -> None:
    await onboard(bot, U)
    before = snapshot(bot)
    replies = await bot.send(U, text)
    assert replies, f"no reply to {text[:30]!r}"
    reply = replies[-1].text.lower()
    assert any(f" {w} " in f" {reply} " for w in FRENCH) or "?" in reply, reply
    assert len(replies[-1].text) <= 4096
    assert snapshot(bot) == before


@pytest.mark.parametrize("kind", ["photo", "sticker", "voice", "video", "document", "location"])
async def test_content_in_the_middle_of_a_card_loses_nothing(bot: Driver, kind: str) -> None:
    await onboard(bot, U)
    await bot.send(U, "vu Dupont SA hier, devis 12k€")
    replies = await bot.content(U, kind)
    assert "conservée" in replies[-1].text
    replies = await bot.press(U, "Valider")
    assert any("enregistré" in r.text for r in replies)


@pytest.mark.parametrize(
    "data",
    ["j:ok:deadbeef", "j:ok", "ag:done:f:999999", "ag:done:x", "h:y:999999", "h:y:abc", "fu:done:1",
     "eq:ok:1", "pv:yes", "st:f:siecle", "zz:unknown", "", "x" * 64, "nlu:log_visit", "onb:role:admin"],
)  # fmt: skip
async def test_forged_callback_data_changes_nothing(bot: Driver, data: str) -> None:
    await onboard(bot, U)
    await onboard(bot, U + 1, name="Victime")
    await bot.send(U + 1, "vu Dupont SA hier, devis 12k€")
    await bot.press(U + 1, "Valider")
    before = snapshot(bot)
    await bot.press_data(U, 1, data)
    assert snapshot(bot) == before
    with bot.app.bot_data["services"].session() as session:
        from db.models import User

        assert session.scalar(select(func.count()).select_from(User)) == 2


async def test_random_callback_data_never_breaks_anything(bot: Driver) -> None:
    import random
    import string

    await onboard(bot, U)
    await bot.send(U, "vu Dupont SA hier, devis 12k€")
    bot.app.bot_data["rate_limiter"].limit = 10_000  # this test floods on purpose
    before = snapshot(bot)
    rng = random.Random(11)
    prefixes = [
        "j:",
        "ag:",
        "h:",
        "fu:",
        "pl:",
        "ev:",
        "rg:",
        "eq:",
        "pv:",
        "st:",
        "cl:",
        "dr:",
        "nlu:",
        "onb:",
        "",
    ]
    alphabet = string.ascii_letters + string.digits + ":-_é€ "
    for _ in range(150):
        data = rng.choice(prefixes) + "".join(
            rng.choice(alphabet) for _ in range(rng.randint(0, 40))
        )
        await bot.press_data(U, rng.randint(1, 200), data[:64] or "x")
    assert snapshot(bot) == before
    replies = await bot.send(U, "/aide")
    assert "vu Dupont SA hier" in replies[-1].text


async def test_database_unavailable_gets_a_clear_message_and_stores_nothing(bot: Driver) -> None:
    from sqlalchemy.exc import OperationalError

    from bot import texts

    await onboard(bot, U)
    await bot.send(U, "vu Dupont SA hier, devis 12k€")
    services = bot.app.bot_data["services"]
    real = services.sessionmaker

    def broken():  # type: ignore[no-untyped-def]
        raise OperationalError("connect", {}, Exception("database is locked"))

    services.sessionmaker = broken
    try:
        replies = await bot.press(U, "Valider")
    finally:
        services.sessionmaker = real
    assert replies[-1].text == texts.UNAVAILABLE
    assert snapshot(bot)[0] == 0
    replies = await bot.press(U, "Valider")  # the card is still there once the database is back
    assert any("enregistré" in r.text for r in replies)


async def test_database_connections_dropped_by_the_server_recover(bot: Driver) -> None:
    """PostgreSQL restarted under the bot: one update may be refused, the next one works."""
    from sqlalchemy import create_engine, text

    from bot import texts

    services = bot.app.bot_data["services"]
    if services.engine.dialect.name != "postgresql":
        pytest.skip("server-side disconnects are a PostgreSQL matter")
    await onboard(bot, U)
    admin = create_engine(services.engine.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    admin.dispose()
    first = await bot.send(U, "j'ai quoi demain ?")
    assert first and first[-1].text  # an agenda, or the French "try again" for a dead connection
    if first[-1].text != texts.UNAVAILABLE:
        assert "demain" in first[-1].text.lower()
    second = await bot.send(U, "j'ai quoi demain ?")
    assert "demain" in second[-1].text.lower()


def test_corrupt_nlu_model_is_retrained(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    from nlu.embedded import EmbeddedInterpreter

    data = tmp_path / "nlu.yml"
    lines = ['version: "3.1"', "nlu:"]
    for intent, words in (
        ("greet", ["bonjour", "salut", "coucou"]),
        ("goodbye", ["au revoir", "bye", "ciao"]),
    ):
        lines += [f"- intent: {intent}", "  examples: |"] + [f"    - {w}" for w in words]
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    EmbeddedInterpreter.load_or_train(tmp_path / "models", data)
    [artefact] = list(Path(tmp_path / "models").iterdir())
    (artefact / "intent.pkl").write_bytes(b"not a pickle")
    interp = EmbeddedInterpreter.load_or_train(tmp_path / "models", data)
    assert interp.rank("bonjour")[0][0] == "greet"
