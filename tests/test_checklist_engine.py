"""Checklist data and engine: validation, full runs, errors, resume, summary, debrief fields."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from coaching import checklist as engine
from coaching import checklist_texts as T
from coaching.checklist import (
    CHECKLIST_DIR,
    CHECKLIST_KINDS,
    ChecklistDef,
    ChecklistError,
    ChecklistRun,
    ItemDef,
    Step,
    kind_from_text,
    load_checklists,
)

NOW = date(2026, 3, 10)  # a Tuesday
CONTEXT = {
    "company": "Dupont SA",
    "contacts": [
        {"name": "Claire Martin", "role": "achats"},
        {"name": "Paul Durand", "role": "direction"},
    ],
    "last_activities": ["visite du 3 mars : devis 12 000 €", "appel du 27 févr. : à rappeler"],
    "open_quotes": ["devis maintenance 12 000 € du 3 mars"],
    "overdue_followups": ["relance devis prévue le 6 mars"],
    "last_outcome": "devis",
    "last_amount": 12000,
}

VALID_TEXT = {
    "number": "5",
    "amount": "12k€",
    "date": "dans 15 jours",
    "text": "Réponse précise du commercial",
}
INVALID_TEXT = {
    "check": "peut-être bien",
    "number": "beaucoup",
    "amount": "assez cher",
    "date": "un jour peut-être",
    "text": "x" * 501,
    "choice": "qwerty azerty",
}


@pytest.fixture(scope="module")
def defs() -> dict[str, ChecklistDef]:
    """The shipped checklists."""
    return load_checklists()


def _valid_press(item: ItemDef) -> str | None:
    """A button code that answers the item, or None when it needs typing."""
    if item.type == "check":
        return "done"
    if item.type == "choice" and not item.multiple:
        return item.options[0].code
    return None


def _answer_valid(run: ChecklistRun, item: ItemDef, by_button: bool) -> Step:
    """Answer the current item correctly, with a button when possible and asked to."""
    code = _valid_press(item)
    if item.type == "choice" and item.multiple:
        if by_button:
            run.press(item.options[0].code)
            run.press(item.options[1].code)
            return run.press("validate")
        return run.answer("1, 2", NOW)
    if code is not None and by_button:
        return run.press(code)
    if item.type == "check":
        return run.answer("fait", NOW)
    if item.type == "choice":
        return run.answer("1", NOW)
    return run.answer(VALID_TEXT[item.type], NOW)


# --- data -------------------------------------------------------------------------------


def test_every_checklist_validates(defs: dict[str, ChecklistDef]) -> None:
    """The six files load, in order, with 6-12 phone-sized items each."""
    assert tuple(defs) == CHECKLIST_KINDS
    for kind, definition in defs.items():
        assert definition.kind == kind
        assert 6 <= len(definition.items) <= 12
        ids = [it.id for it in definition.items]
        assert len(ids) == len(set(ids))
        for item in definition.items:
            assert len(item.prompt) <= 120
            assert item.type in engine.ITEM_TYPES
            if item.type == "choice":
                assert len(item.options) >= 2


def test_checklists_cover_the_issue(defs: dict[str, ChecklistDef]) -> None:
    """Negotiation has counterparts and walk-away; debrief feeds all five journal fields."""
    negocier = defs["negocier"]
    assert negocier.with_role("counterparts") and negocier.with_role("walk_away")
    assert {"non_negociable", "negociable", "discutable"} <= {it.id for it in negocier.items}
    fields = {it.journal_field for it in defs["debrief"].items} - {None}
    assert fields == set(engine.JOURNAL_FIELDS)
    outcome = next(it for it in defs["debrief"].items if it.journal_field == "outcome")
    assert {o.code for o in outcome.options} == set(engine.JOURNAL_OUTCOMES)
    types = {it.type for d in defs.values() for it in d.items}
    assert types == set(engine.ITEM_TYPES)


def test_load_is_cached(defs: dict[str, ChecklistDef]) -> None:
    """A second load returns the same validated objects."""
    again = load_checklists(CHECKLIST_DIR)
    assert again["negocier"] is defs["negocier"]


def _broken_copy(tmp_path: Path, name: str, old: str, new: str) -> Path:
    """Copy the checklists and replace one snippet in one file."""
    folder = tmp_path / "checklists"
    shutil.copytree(CHECKLIST_DIR, folder)
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("name", "old", "new", "expected"),
    [
        (
            "negocier.yml",
            "    type: amount\n    role: walk_away",
            "    type: montant\n    role: walk_away",
            ["negocier.yml", "seuil_rupture", "type", "montant", "amount"],
        ),
        (
            "preparer.yml",
            '    prompt: "Quel est l\'objectif principal de la visite ?"\n',
            "",
            ["preparer.yml", "objectif_principal", "prompt", "ajoutez"],
        ),
        (
            "conclure.yml",
            "  - id: montant\n    label: Montant conclu\n",
            "  - id: montant\n    label: Montant conclu\n    journal_field: amount\n",
            ["conclure.yml", "montant", "journal_field", "debrief"],
        ),
        (
            "debrief.yml",
            "{code: refus, label:",
            "{code: perdu, label:",
            ["debrief.yml", "resultat", "outcome", "perdu", "refus"],
        ),
        (
            "decouvrir.yml",
            "  - id: freins\n",
            "  - id: besoin\n",
            ["decouvrir.yml", "besoin", "id unique"],
        ),
        (
            "argumenter.yml",
            '    prompt: "Quelle solution proposes-tu, et à quel besoin répond-elle ?"',
            '    prompt: "' + "Une question bien trop longue pour un téléphone " * 3 + '"',
            ["argumenter.yml", "solution", "prompt", "raccourcissez"],
        ),
        (
            "negocier.yml",
            "    type: number\n",
            "    type: number\n    options: []\n",
            ["negocier.yml", "remise_max", "options"],
        ),
        (
            "debrief.yml",
            "skip_if: {resultat: [refus, injoignable]}",
            "skip_if: {resultat: [annule]}",
            ["debrief.yml", "montant", "skip_if", "annule"],
        ),
        (
            "preparer.yml",
            "kind: preparer\n",
            "kind: preparer\n  broken: [\n",
            ["preparer.yml", "YAML", "ligne"],
        ),
    ],
)
def test_broken_file_names_file_item_and_fix(
    tmp_path: Path, name: str, old: str, new: str, expected: list[str]
) -> None:
    """A wrong file fails the load with a line naming the file, the item and the fix."""
    folder = _broken_copy(tmp_path, name, old, new)
    with pytest.raises(ChecklistError) as caught:
        load_checklists(folder)
    message = str(caught.value)
    for word in expected:
        assert word in message, message
    assert "Correction" in message
    assert all(name in line for line in caught.value.errors)


def test_missing_file_is_reported(tmp_path: Path) -> None:
    """Every kind needs its file."""
    folder = tmp_path / "checklists"
    shutil.copytree(CHECKLIST_DIR, folder)
    (folder / "conclure.yml").unlink()
    with pytest.raises(ChecklistError, match=r"conclure\.yml.*conclure"):
        load_checklists(folder)


# --- full runs --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", CHECKLIST_KINDS)
def test_play_checklist_to_the_end(defs: dict[str, ChecklistDef], kind: str) -> None:
    """Wrong answers explain and stay; why, skip and back work; buttons and text both finish."""
    definition = defs[kind]
    run = ChecklistRun()
    step = run.start(kind, CONTEXT)
    assert step.item_id == definition.items[0].id and not step.done and not step.error
    seen = 0
    while not step.done:
        item = run.current_item
        assert item is not None and step.item_id == item.id
        index = run.state["index"]
        wrong = run.answer(INVALID_TEXT[item.type], NOW)
        assert wrong.error and wrong.item_id == item.id and run.state["index"] == index
        assert wrong.text.split("\n")[0] not in (item.prompt, "")  # the explanation comes first
        assert item.prompt in wrong.text
        if item.why and seen == 0:
            why = run.press("why")
            assert item.why in why.text and why.item_id == item.id and not why.error
        if seen == 1:
            assert run.press("skip").item_id != item.id
            back = run.press("back")
            assert back.item_id == item.id
        step = _answer_valid(run, item, by_button=seen % 2 == 0)
        assert not step.error, step.text
        seen += 1
    assert seen == len(definition.items)
    assert run.done and step.done and step.buttons == []
    assert T.FINISHED_TITLE in step.text and definition.title in step.text
    summary = run.summary()
    assert f"✅ Prêt ({len(definition.items)}/{len(definition.items)})" in summary
    assert T.SUMMARY_NEXT in summary


def test_button_layout_for_each_type(defs: dict[str, ChecklistDef]) -> None:
    """Check items get three status buttons; every item gets skip; back from the 2nd item."""
    run = ChecklistRun()
    step = run.start("preparer", {})
    codes = [code for row in step.buttons for _, code in row]
    assert codes[:3] == ["done", "todo", "na"] and "skip" in codes and "back" not in codes
    assert "why" in codes
    step = run.press("done")
    codes = [code for row in step.buttons for _, code in row]
    assert "back" in codes
    run.press("skip")
    step = run.current()
    options = [o.code for o in defs["preparer"].item("interlocuteur").options]
    codes = [code for row in step.buttons for _, code in row]
    assert codes[: len(options)] == options
    assert all(len(row) <= 3 for row in step.buttons)


def test_check_answers_in_words_and_emoji() -> None:
    """Check items accept fait/ok/oui/✅, à faire/non, n/a/pas concerné."""
    for text, status in [
        ("Fait", "done"),
        ("ok", "done"),
        ("oui !", "done"),
        ("✅", "done"),
        ("oui, c'est fait", "done"),
        ("à faire", "todo"),
        ("non pas encore", "todo"),
        ("non", "todo"),
        ("n/a", "na"),
        ("Pas concerné", "na"),
    ]:
        run = ChecklistRun()
        run.start("preparer", {})
        run.answer(text, NOW)
        assert run.state["answers"]["historique"] == {"status": status}, text


def test_typed_values_are_normalised() -> None:
    """Amounts, numbers, dates and choices are stored as plain JSON values."""
    run = ChecklistRun()
    run.start("negocier", {"company": "Leroy"})
    for text in ("qualité", "délais", "garantie"):
        run.answer(text, NOW)
    run.answer("3 500 €", NOW)
    run.answer("12k€", NOW)
    run.answer("8 000", NOW)
    assert run.answer("120", NOW).error
    assert "entre 0 et 100" in run.answer("-3", NOW).text
    run.answer("7,5 %", NOW)
    answers = run.state["answers"]
    assert answers["prix_depart"] == {"value": 3500}
    assert answers["prix_vise"] == {"value": 12000}
    assert answers["seuil_rupture"] == {"value": 8000}
    assert answers["remise_max"] == {"value": 7.5}
    for _ in range(4):
        run.answer("ok", NOW)
    past = run.answer("hier", NOW)
    assert past.error and "passée" in past.text
    run.answer("jeudi", NOW)
    assert run.state["answers"]["prochaine_rencontre"] == {"value": "2026-03-12"}
    assert run.done


def test_choice_by_code_label_number_and_words() -> None:
    """A choice is matched by number, code, label, alias, or the NLU outcome words."""
    for text, code in [
        ("2", "devis"),
        ("commande", "commande"),
        ("Nouveau RDV", "rdv"),
        ("perdu", "refus"),
        ("à rappeler", "rappel"),
        ("il a signé", "commande"),
    ]:
        run = ChecklistRun()
        run.start("debrief", {})
        step = run.answer(text, NOW)
        assert not step.error, (text, step.text)
        assert run.state["answers"]["resultat"] == {"value": code}, text
    run = ChecklistRun()
    run.start("debrief", {})
    step = run.answer("9", NOW)
    assert step.error and "1. Commande signée" in step.text


def test_multiple_choice_toggles_and_validates() -> None:
    """Option buttons toggle a mark; Valider stores the selection in option order."""
    run = ChecklistRun()
    run.start("debrief", {})
    for text in ("devis", "oui", "5000", "envoyer le devis", "vendredi"):
        run.answer(text, NOW)
    assert run.current_item.id == "objections"
    step = run.press("timing")
    assert any(
        label == f"{T.SELECTED_MARK}Pas le moment" for row in step.buttons for label, _ in row
    )
    run.press("prix")
    run.press("concurrent")
    run.press("concurrent")  # untoggle
    assert run.state["pending"] == ["timing", "prix"]
    run.press("validate")
    assert run.state["answers"]["objections"] == {"value": ["prix", "timing"]}
    run.press("back")
    run.answer("trop cher, déjà un fournisseur", NOW)
    assert run.state["answers"]["objections"] == {"value": ["prix", "concurrent"]}
    run.press("back")
    run.answer("aucune", NOW)
    assert run.state["answers"]["objections"] == {"value": []}
    run.press("back")
    assert run.answer("1 4", NOW).item_id != "objections"
    assert run.state["answers"]["objections"] == {"value": ["prix", "besoin"]}


def test_back_at_first_item_and_after_the_end() -> None:
    """Back on the first item explains; back after the end reopens the last item."""
    run = ChecklistRun()
    step = run.start("conclure", {})
    first = run.press("back")
    assert first.error and T.ERR_FIRST_ITEM in first.text and first.item_id == step.item_id
    while not run.done:
        run.press("skip")
    again = run.answer("fait", NOW)
    assert again.done and T.ALREADY_FINISHED in again.text
    reopened = run.press("back")
    assert not run.done and reopened.item_id == "prise_conge"
    assert T.CURRENT_ANSWER.format(value="passé, sans réponse") in reopened.text
    assert run.press("done").done


def test_going_back_shows_the_current_answer_and_returns_forward() -> None:
    """After back + new answer, the run resumes at the first unanswered item."""
    run = ChecklistRun()
    run.start("decouvrir", {})
    run.answer("oui", NOW)
    run.answer("Logiciel maison, 3 sites", NOW)
    run.answer("fait", NOW)
    run.press("back")
    back = run.press("back")
    assert back.item_id == "situation" and "Logiciel maison" in back.text
    step = run.answer("Tableur partagé, 3 sites", NOW)
    assert step.item_id == "besoin"


def test_skip_rule_answers_not_applicable_items() -> None:
    """A refusal skips the amount (and it counts in no list)."""
    run = ChecklistRun()
    run.start("debrief", {})
    run.press("refus")
    step = run.press("non")
    assert step.item_id == "prochaine_etape"
    assert run.state["answers"]["montant"] == {"status": "na", "auto": True}
    assert run.press("back").item_id == "objectif_atteint"
    run.press("back")
    run.press("devis")
    assert run.current_item.id == "montant"  # the rule no longer holds: asked again


# --- resume -----------------------------------------------------------------------------


def test_state_round_trips_through_json_and_resumes(defs: dict[str, ChecklistDef]) -> None:
    """A run rebuilt from its JSON state mid-run continues exactly like the original."""
    script = ["délais", "remise 3 %", "garantie", "15k€", "13k€", "11 000 €", "6"]
    original = ChecklistRun()
    original.start("negocier", CONTEXT)
    for text in script[:4]:
        original.answer(text, NOW)
    stored = json.dumps(original.state)
    resumed = ChecklistRun(json.loads(stored))
    step = resumed.resume()
    assert T.RESUME in step.text and step.item_id == "prix_vise"
    assert resumed.kind == "negocier" and resumed.company == "Dupont SA"
    for run in (original, resumed):
        for text in script[4:]:
            run.answer(text, NOW)
        run.answer("volume annuel contre remise", NOW)
    assert resumed.state == original.state
    assert resumed.summary() == original.summary()


def test_resume_keeps_a_pending_selection_and_follows_item_ids(
    defs: dict[str, ChecklistDef],
) -> None:
    """The multiple-choice selection survives; a reordered file still resumes on the same item."""
    run = ChecklistRun()
    run.start("debrief", {})
    for text in ("devis", "oui", "5000", "envoyer le devis", "vendredi"):
        run.answer(text, NOW)
    run.press("prix")
    state = json.loads(json.dumps(run.state))
    resumed = ChecklistRun.from_state(state)
    assert resumed.press("validate").item_id == "reponse_objections"
    assert resumed.state["answers"]["objections"] == {"value": ["prix"]}
    debrief = defs["debrief"]
    shuffled = replace(debrief, items=tuple(reversed(debrief.items)))
    moved = ChecklistRun(state, checklists={**defs, "debrief": shuffled})
    assert moved.current().item_id == "objections"


def test_state_is_plain_json_and_never_shared() -> None:
    """The state is JSON-able and a copy: editing it does not change the run."""
    run = ChecklistRun()
    run.start("preparer", CONTEXT)
    state = run.state
    json.dumps(state)
    assert state["started"] and state["kind"] == "preparer" and state["company"] == "Dupont SA"
    assert state["index"] == 0 and state["answers"] == {}
    state["answers"]["historique"] = {"status": "done"}
    assert run.state["answers"] == {}


# --- journal context --------------------------------------------------------------------


def test_recap_shows_the_journal_context() -> None:
    """The first step recaps what the journal knows, and prefill offers to reuse it."""
    run = ChecklistRun()
    step = run.start("preparer", CONTEXT)
    assert step.text.startswith("Ce que je sais déjà de Dupont SA :")
    for fact in ("Claire Martin (achats)", "Paul Durand (direction)", "devis maintenance"):
        assert fact in step.text
    assert "12\u00a0000\u00a0€" in step.text and "relance devis prévue" in step.text
    assert "D'après ton journal : visite du 3 mars" in step.text  # prefill of the 1st item
    run.press("done")
    step = run.current()
    assert step.item_id == "decideurs" and "Claire Martin (achats)" in step.text
    assert ("📒 Reprendre : Claire Martin (achats)…", "prefill") in [
        b for row in step.buttons for b in row
    ]
    run.press("prefill")
    assert run.state["answers"]["decideurs"]["value"].startswith("Claire Martin (achats)")


def test_recap_renders_dict_entries_and_dates() -> None:
    """Follow-ups given as dicts are shown with French dates; long lists are cut."""
    context = {
        "company": "Leroy",
        "overdue_followups": [{"what": "relance devis", "day": "2026-03-05"}],
        "last_activities": [f"appel n°{i}" for i in range(5)],
    }
    step = ChecklistRun().start("debrief", context)
    assert "relance devis, " + T.format_day("2026-03-05") in step.text
    assert "appel n°2 (+2)" in step.text and "appel n°3" not in step.text


def test_prefill_amount_and_empty_context() -> None:
    """An amount item reuses the last amount; an unknown company says so."""
    run = ChecklistRun()
    step = run.start("negocier", {"company": "Nouveau Client", "last_amount": 9800})
    assert T.RECAP_EMPTY.format(company="Nouveau Client") not in step.text
    for _ in range(3):
        run.answer("rien", NOW)
    assert "9\u00a0800\u00a0€" in run.current().text
    run.press("prefill")
    assert run.state["answers"]["prix_depart"] == {"value": 9800}
    assert run.press("prefill").error  # the target price has no journal fact
    empty = ChecklistRun().start("negocier", {"company": "Inconnu SARL"})
    assert T.RECAP_EMPTY.format(company="Inconnu SARL") in empty.text
    anonymous = ChecklistRun().start("negocier", {})
    assert T.RECAP_NO_COMPANY in anonymous.text


# --- summary ----------------------------------------------------------------------------


def _negotiation(counterparts: str | None, walk_away: str | None) -> ChecklistRun:
    """A negotiation run with some items to do or skipped."""
    run = ChecklistRun()
    run.start("negocier", CONTEXT)
    run.answer("qualité des pièces", NOW)
    run.answer("remise et délai", NOW)
    run.press("skip")  # discutable
    run.answer("9 000 €", NOW)
    run.answer("11k€", NOW)
    run.answer(walk_away, NOW) if walk_away else run.press("skip")
    run.answer("5", NOW)
    run.answer(counterparts, NOW) if counterparts else run.press("skip")
    run.press("todo")  # faits
    run.answer("prix : ROI sur 18 mois", NOW)
    run.answer("bon signé contre planning de livraison", NOW)
    run.answer("dans 15 jours", NOW)
    return run


def test_summary_mentions_missing_counterparts_and_walk_away() -> None:
    """Ready, to do and missing items, counterparts, walk-away point and next steps."""
    run = _negotiation("remise de 3 % contre engagement de 2 ans", "10 000 €")
    assert run.done
    summary = run.summary()
    assert "✅ Prêt (10/12)" in summary
    assert "⏳ À faire (1) :\n• Faits chiffrés prêts" in summary
    assert "❓ Sans réponse (1) :\n• Discutable" in summary
    assert "🤝 Contreparties prévues : remise de 3 % contre engagement de 2 ans" in summary
    assert "🛑 Seuil de rupture : 10\u00a0000\u00a0€" in summary
    assert "⚠️ Ton prix de départ (9\u00a0000\u00a0€) est sous ton seuil" in summary
    assert "Engagements de chaque partie : bon signé contre planning" in summary
    assert T.SUMMARY_NEXT_TODO.format(labels="Faits chiffrés prêts, Discutable") in summary
    assert "Checklist suivante conseillée : conclusion" in summary
    assert summary.count("remise de 3 % contre engagement") == 1


def test_summary_warns_when_counterparts_and_walk_away_are_missing() -> None:
    """Skipping the counterparts or the walk-away point is flagged."""
    summary = _negotiation(None, None).summary()
    assert T.SUMMARY_COUNTERPARTS_MISSING in summary
    assert T.SUMMARY_WALK_AWAY_MISSING in summary
    assert "Contreparties prévues" in summary and "Seuil de rupture" in summary


def test_summary_mid_run() -> None:
    """A summary is available before the end and lists the items not yet seen."""
    run = ChecklistRun()
    run.start("argumenter", {"company": "Leroy"})
    run.press("done")
    summary = run.summary()
    assert T.SUMMARY_PROGRESS.format(answered=1, total=11) in summary
    assert "❓ Sans réponse (10)" in summary and "Checklist suivante" not in summary


# --- debrief ----------------------------------------------------------------------------


def test_debrief_updates_give_journal_fields() -> None:
    """Outcome, amount, follow-up, objections and note come back with journal codes."""
    run = ChecklistRun()
    run.start("debrief", {"company": "Dupont SA", "last_amount": 12000})
    run.press("devis")
    run.press("repli")
    run.answer("14 500 €", NOW)
    run.answer("Envoyer le devis révisé", NOW)
    run.answer("jeudi", NOW)
    run.answer("trop cher et pas le moment", NOW)
    run.answer("ROI chiffré, il a écouté", NOW)
    run.press("skip")
    run.answer("annoncer le prix après la démo", NOW)
    step = run.press("done")
    assert step.done
    assert run.debrief_updates() == {
        "outcome": "devis",
        "amount": 14500.0,
        "followup": "2026-03-12",
        "objections": ["prix", "timing"],
        "note": (
            "Prochaine étape : Envoyer le devis révisé\n"
            "Réponse aux objections : ROI chiffré, il a écouté\n"
            "À améliorer : annoncer le prix après la démo"
        ),
    }
    assert "📒 Le journal sera mis à jour : résultat, montant, relance, objections, note" in (
        step.text
    )


def test_debrief_updates_after_a_refusal() -> None:
    """A refusal carries no amount; "aucune" objection is an empty list."""
    run = ChecklistRun()
    run.start("debrief", {})
    run.answer("refus", NOW)
    run.answer("non", NOW)
    run.press("skip")
    run.answer("dans 6 semaines", NOW)
    run.answer("aucune", NOW)
    while not run.done:
        run.press("skip")
    assert run.debrief_updates() == {
        "outcome": "refus",
        "followup": "2026-04-21",
        "objections": [],
    }


def test_debrief_updates_only_for_debrief() -> None:
    """Other checklists do not touch the journal."""
    run = ChecklistRun()
    run.start("conclure", CONTEXT)
    assert run.debrief_updates() == {}
    assert ChecklistRun().debrief_updates() == {}


# --- robustness -------------------------------------------------------------------------


def test_never_raises_on_odd_input() -> None:
    """Odd input gives an error Step, before a start and during a run."""
    idle = ChecklistRun()
    for step in (idle.answer("fait", NOW), idle.press("done"), idle.current()):
        assert step.error and step.text == T.NOTHING_RUNNING
    assert idle.summary() == T.NOTHING_RUNNING
    unknown = idle.start("pâtisserie", {})
    assert unknown.error and "négociation (negocier)" in unknown.text
    run = ChecklistRun()
    run.start("preparer", {})
    for odd in ("", "   ", None, "🤷", "\n\n", "x" * 5000):
        assert run.answer(odd, NOW).error  # type: ignore[arg-type]
    for code in ("", "nope", "commande", None):
        assert run.press(code).error  # type: ignore[arg-type]
    assert run.state["answers"] == {}
    garbage = ChecklistRun({"kind": "inconnu", "started": True, "answers": "x", "index": "y"})
    assert garbage.answer("fait", NOW).error and not garbage.started


def test_why_typed_and_skip_typed() -> None:
    """« pourquoi ? » and « passer » typed work like the buttons."""
    run = ChecklistRun()
    run.start("conclure", {})
    why = run.answer("pourquoi ?", NOW)
    assert why.text.startswith("💡 ") and why.item_id == "signal"
    assert run.answer("passer", NOW).item_id == "objections_levees"
    assert run.state["answers"]["signal"] == {"status": "skipped"}
    run.answer("retour", NOW)
    assert run.current_item.id == "signal"


def test_start_accepts_french_kind_words() -> None:
    """start() also takes a French word for the kind."""
    step = ChecklistRun().start("prépa négo", CONTEXT)
    assert not step.error and step.item_id == "non_negociable"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("aide-moi à préparer ma visite chez Dupont", "preparer"),
        ("prépa rdv Sopral", "preparer"),
        ("check-list avant ma visite", "preparer"),
        ("qu'est-ce que je dois avoir en tête avant d'aller chez Mercier ?", "preparer"),
        ("liste des points à vérifier avant de voir M. Chabert", "preparer"),
        ("checklist découverte client", "decouvrir"),
        ("qu'est-ce que je dois demander à l'acheteuse ?", "decouvrir"),
        ("quelles questions poser au DSI de Nordis ?", "decouvrir"),
        ("mon argumentaire pour Leroy", "argumenter"),
        ("présenter l'offre à la Clinique", "argumenter"),
        ("checklist négo pour Leroy demain", "negocier"),
        ("prépa négo annuelle Techni-Froid", "negocier"),
        ("je dois négocier avec Couverture Lopez", "negocier"),
        ("négociation annuelle", "negocier"),
        ("aide pour conclure avec Laiterie Pontet", "conclure"),
        ("checklist de closing", "conclure"),
        ("débrief de mon rdv chez Garnier", "debrief"),
        ("debriefing visite", "debrief"),
        ("bilan de la visite", "debrief"),
        ("compte rendu du rdv Faure", "debrief"),
        ("compte-rendu Faure", "debrief"),
        ("checklist", None),
        ("quel temps fera-t-il ?", None),
        ("", None),
    ],
)
def test_kind_from_text(text: str, kind: str | None) -> None:
    """French words map to checklist kinds."""
    assert kind_from_text(text) == kind


def test_parsers_without_the_nlu_layer(monkeypatch: pytest.MonkeyPatch) -> None:
    """The engine's own fallbacks read amounts and dates when nlu.normalize is missing."""
    monkeypatch.setattr(engine, "_nlu", None)
    assert engine._parse_amount("12k€") == 12000
    assert engine._parse_amount("3 500 €") == 3500
    assert engine._parse_amount("cher") is None
    assert engine._parse_date("jeudi", NOW, "future") == date(2026, 3, 12)
    assert engine._parse_date("12/03", NOW, "future") == date(2026, 3, 12)
    assert engine._parse_date("dans 15 jours", NOW, "future") == date(2026, 3, 25)
    assert engine._parse_date("2026-04-01", NOW, "future") == date(2026, 4, 1)
    assert engine._parse_date("un jour", NOW, "future") is None
