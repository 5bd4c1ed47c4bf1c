"""Objection bank: the packaged file validates, a broken one gives a clear error, lookups work."""

from __future__ import annotations

import copy
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from coaching.bank import BankError, load_bank, parse_bank
from coaching.constants import (
    BANK_PATH,
    BANK_SCHEMA_PATH,
    BUYER_ROLES,
    CATEGORIES,
    MOTIVES,
    SECTORS,
    TECHNIQUES,
)


@pytest.fixture(scope="module")
def raw_bank() -> dict[str, Any]:
    """Return the packaged bank as loaded YAML."""
    return yaml.safe_load(BANK_PATH.read_text(encoding="utf-8"))


def test_packaged_bank_validates_and_covers_the_brief() -> None:
    """At least 60 objections over the six categories, several sectors and roles."""
    bank = load_bank()
    assert len(bank) >= 60
    per_category = Counter(objection.category for objection in bank)
    assert set(per_category) == set(CATEGORIES)
    assert min(per_category.values()) >= 8
    assert len({objection.sector for objection in bank}) >= 8
    roles = {objection.buyer_role for objection in bank}
    assert {
        "gerant",
        "acheteur",
        "dsi",
        "daf",
        "directeur_technique",
        "responsable_achats",
        "elu",
    } <= roles
    assert {objection.difficulty for objection in bank} == {1, 2, 3}


def test_every_entry_is_complete() -> None:
    """Each entry has a scene, a motive, model answers with techniques and buyer reactions."""
    for objection in load_bank():
        assert objection.buyer and objection.offer and objection.text
        assert objection.motive in MOTIVES
        assert 1 <= len(objection.model_answers) <= 2
        for answer in objection.model_answers:
            assert set(answer.techniques) <= set(TECHNIQUES)
        assert objection.insist
        assert (objection.follow_up is None) != (objection.moves_on is None)
        assert objection.id.startswith(f"{objection.category}-")


def test_ids_are_unique(raw_bank: dict[str, Any]) -> None:
    """No two objections share an id."""
    ids = [entry["id"] for entry in raw_bank["objections"]]
    assert len(ids) == len(set(ids))


def _broken(raw_bank: dict[str, Any], index: int, **changes: Any) -> dict[str, Any]:
    """Return a copy of the bank with one entry changed (None deletes a field)."""
    data = copy.deepcopy(raw_bank)
    entry = data["objections"][index]
    for key, value in changes.items():
        if value is None:
            entry.pop(key, None)
        else:
            entry[key] = value
    return data


def test_bad_motive_names_file_entry_and_fix(raw_bank: dict[str, Any]) -> None:
    """An unknown SONCAS motive is reported with the file, the id and the allowed values."""
    data = _broken(raw_bank, 2, motive="argnt")
    with pytest.raises(BankError) as caught:
        parse_bank(data, source="objections.yml")
    message = str(caught.value)
    assert "objections.yml" in message
    assert "prix-03" in message
    assert "argnt" in message
    assert "Correction" in message and "argent" in message


def test_missing_field_and_both_reactions(raw_bank: dict[str, Any]) -> None:
    """A missing field and an entry with both reactions are each explained."""
    data = _broken(raw_bank, 0, insist=None, moves_on="D'accord, je vous écoute.")
    with pytest.raises(BankError) as caught:
        parse_bank(data)
    problems = caught.value.problems
    assert any("insist" in problem and "ajoutez" in problem for problem in problems)
    assert any("follow_up" in problem and "moves_on" in problem for problem in problems)
    assert all("prix-01" in problem for problem in problems)


def test_duplicate_id_and_wrong_prefix(raw_bank: dict[str, Any]) -> None:
    """Duplicated ids and ids not matching their category are rejected."""
    data = _broken(raw_bank, 1, id="prix-01")
    data = _broken(data, 3, category="timing")
    with pytest.raises(BankError) as caught:
        parse_bank(data)
    message = str(caught.value)
    assert "déjà utilisé" in message
    assert "ne commence pas par sa catégorie" in message


def test_unknown_technique_in_model_answer(raw_bank: dict[str, Any]) -> None:
    """A model answer citing an unknown technique is rejected."""
    data = copy.deepcopy(raw_bank)
    data["objections"][5]["model_answers"][0]["techniques"].append("hypnose")
    with pytest.raises(BankError, match="hypnose"):
        parse_bank(data)


def test_broken_file_on_disk(tmp_path: Path) -> None:
    """Invalid YAML and a missing file give a BankError naming the path."""
    broken = tmp_path / "objections.yml"
    broken.write_text("version: 1\nobjections: [\n", encoding="utf-8")
    with pytest.raises(BankError, match="YAML invalide"):
        load_bank(broken)
    with pytest.raises(BankError, match="introuvable"):
        load_bank(tmp_path / "absent.yml")


def test_lookup_by_id_category_and_text() -> None:
    """Entries are found by id, by category and by (approximate) text."""
    bank = load_bank()
    entry = bank.get("timing-07")
    assert entry is not None
    assert all(objection.category == "timing" for objection in bank.in_category("timing"))
    match = bank.match("je dois y reflechir")
    assert match is not None and match.objection.id == "timing-07"
    insist = bank.match(entry.insist)
    assert insist is not None and insist.kind == "insist"
    assert bank.match("Quel temps fera-t-il demain à Paris ?") is None
    assert entry.to_dict()["scene"] == {"buyer": entry.buyer, "offer": entry.offer}


def test_schema_enums_match_the_codes() -> None:
    """The JSON schema and the Python code agree on every code list."""
    schema = json.loads(BANK_SCHEMA_PATH.read_text(encoding="utf-8"))
    fields = schema["$defs"]["objection"]["properties"]
    assert fields["category"]["enum"] == list(CATEGORIES)
    assert fields["motive"]["enum"] == list(MOTIVES)
    assert fields["sector"]["enum"] == list(SECTORS)
    assert fields["buyer_role"]["enum"] == list(BUYER_ROLES)
    techniques = fields["model_answers"]["items"]["properties"]["techniques"]["items"]["enum"]
    assert techniques == list(TECHNIQUES)
