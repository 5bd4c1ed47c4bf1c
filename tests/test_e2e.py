"""End to end over HTTP: the real bot process, the fake Telegram Bot API, simulated users."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from db.models import Activity
from tests.e2e import data_of, running_bot

pytestmark = pytest.mark.e2e


async def test_onboarding_log_and_agenda_over_http(db_url: str, tmp_path: Path) -> None:
    async with running_bot(db_url, tmp_path) as (_fake, users, _bot):
        [welcome] = await users.ask(42, "/start", timeout=30)
        assert "comment dois-je vous appeler" in welcome["text"]
        assert "agenda" in str(await users.commands())
        [ask_role] = await users.click(
            42,
            welcome["message_id"],
            data_of(welcome, "Utiliser"),
            timeout=30,
            methods="sendMessage",
        )
        [ready] = await users.click(
            42,
            ask_role["message_id"],
            data_of(ask_role, "Commercial"),
            timeout=30,
            methods="sendMessage",
        )
        assert "prêt" in ready["text"]
        [card] = await users.ask(42, "vu Dupont SA hier, devis 12k€, relance jeudi", timeout=30)
        assert "Dupont SA" in card["text"] and "12" in card["text"]
        saved, debrief = await users.click(
            42,
            card["message_id"],
            data_of(card, "Valider"),
            count=2,
            timeout=30,
            methods="sendMessage",
        )
        assert "enregistré" in saved["text"] and "débrief" in debrief["text"].lower()
        # Files go up as multipart form data: the journal export arrives byte for byte.
        csv_doc, xlsx_doc = await users.ask(42, "/export", count=2, timeout=30)
        assert csv_doc["method"] == xlsx_doc["method"] == "sendDocument"
        assert csv_doc["document"]["filename"].endswith(".csv")
        csv_text = (await users.file_bytes(csv_doc["document"]["file_id"])).decode("utf-8-sig")
        assert "Dupont SA" in csv_text and "1 " in csv_doc["text"]
        xlsx = await users.file_bytes(xlsx_doc["document"]["file_id"])
        assert xlsx[:2] == b"PK" and xlsx_doc["document"]["filename"].endswith(".xlsx")
        sent = await users.send_content(42, "photo")
        [photo_reply] = await users.wait(42, 1, sent["seq"], timeout=30)
        assert "photos" in photo_reply["text"]
        [stranger] = await users.ask(4343, "bonjour", timeout=30)
        assert "/start" in stranger["text"]
    engine = create_engine(db_url)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Activity)) == 1
    engine.dispose()
