"""Objection drill as a pure, serialisable dialogue: objection, answer, buyer reaction, debrief.

State (a plain JSON-able dict, see `Drill.state`):

    {"version": 1, "status": "idle" | "awaiting_answer" | "finished", "seed": str,
     "max_exchanges": 3, "category": str | None, "objection_id": str | None,
     "prompt": str | None, "prompt_kind": "objection" | "insist" | "follow_up" | "next_objection",
     "asked_ids": [str], "won": bool,
     "exchanges": [{"objection_id", "category", "difficulty", "prompt", "prompt_kind", "answer",
                    "score", "techniques", "faults", "motives", "outcome", "reaction"}]}
"""

from __future__ import annotations

import copy
import random
import secrets
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from coaching import texts
from coaching.bank import Objection, ObjectionBank, load_bank
from coaching.constants import CATEGORIES, STRONG_ANSWER, TECHNIQUES
from coaching.scoring import is_scorable, score_answer

STATE_VERSION = 1
MAX_EXCHANGES = 3
WEAK_WEIGHT = 3.0
SECTOR_WEIGHT = 2.0
RECENT_WEIGHT = 0.2
WORST_PRIORITY: tuple[str, ...] = (
    "question",
    "preuve",
    "conclusion",
    "reformulation",
    "ecoute",
    "boomerang",
    "compensation",
    "fractionnement",
    "contrepartie",
    "report",
)

Scorer = Callable[[str, str, str | None], dict[str, Any]]


class DrillError(RuntimeError):
    """The drill is not in a state that allows this action."""


def _fmt(value: float) -> str:
    """Format a score the French way."""
    return f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")


def _new_state(seed: str, max_exchanges: int) -> dict[str, Any]:
    """Return an empty drill state."""
    return {
        "version": STATE_VERSION,
        "status": "idle",
        "seed": seed,
        "max_exchanges": max_exchanges,
        "category": None,
        "objection_id": None,
        "prompt": None,
        "prompt_kind": None,
        "asked_ids": [],
        "won": False,
        "exchanges": [],
    }


class Drill:
    """A role-play drill on one objection, up to three exchanges, then a debrief."""

    def __init__(
        self,
        state: dict[str, Any] | None = None,
        *,
        bank: ObjectionBank | None = None,
        scorer: Scorer | None = None,
    ) -> None:
        self._bank = bank or load_bank()
        self._scorer: Scorer = scorer or score_answer
        self._state = copy.deepcopy(state) if state is not None else _new_state("", MAX_EXCHANGES)
        if self._state.get("version") != STATE_VERSION:
            raise DrillError(f"unsupported drill state version: {self._state.get('version')!r}")

    @classmethod
    def from_state(cls, state: dict[str, Any], *, bank: ObjectionBank | None = None) -> Drill:
        """Rebuild a drill from a stored state."""
        return cls(state, bank=bank)

    @property
    def state(self) -> dict[str, Any]:
        """Return a copy of the JSON-able state."""
        return copy.deepcopy(self._state)

    @property
    def status(self) -> str:
        """Return 'idle', 'awaiting_answer' or 'finished'."""
        return str(self._state["status"])

    @property
    def finished(self) -> bool:
        """Tell whether the drill is over."""
        return self.status == "finished"

    @property
    def current(self) -> Objection | None:
        """Return the bank objection being discussed."""
        objection_id = self._state.get("objection_id")
        return self._bank.get(objection_id) if objection_id else None

    @property
    def question(self) -> tuple[str, str | None] | None:
        """(buyer's prompt, objection category) the next answer is scored against, if any."""
        objection = self.current
        if self.status != "awaiting_answer" or objection is None:
            return None
        return str(self._state["prompt"]), objection.category

    # ------------------------------------------------------------------ start

    def start(
        self,
        category: str | None = None,
        *,
        weak_categories: Sequence[str] = (),
        due_objection_ids: Sequence[str] = (),
        recent_objection_ids: Sequence[str] = (),
        preferred_sectors: Sequence[str] = (),
        difficulty: int | None = None,
        seed: int | str | None = None,
        max_exchanges: int = MAX_EXCHANGES,
        objection_id: str | None = None,
    ) -> dict[str, Any]:
        """Pick an objection (favouring due repeats and weak categories) and open the drill."""
        chosen_seed = str(seed) if seed is not None else secrets.token_hex(4)
        self._state = _new_state(chosen_seed, max(1, int(max_exchanges)))
        category = category if category in CATEGORIES else None
        requested = self._bank.get(objection_id) if objection_id else None
        objection = requested or self._pick(
            category,
            weak_categories,
            due_objection_ids,
            recent_objection_ids,
            preferred_sectors,
            difficulty,
        )
        self._ask(objection, "objection", objection.text)
        return self.opening()

    def _pick(
        self,
        category: str | None,
        weak: Sequence[str],
        due: Sequence[str],
        recent: Sequence[str],
        sectors: Sequence[str],
        difficulty: int | None,
    ) -> Objection:
        """Choose the opening objection: the most overdue repeat, else a weighted seeded draw."""
        candidates = list(self._bank.in_category(category)) or list(self._bank.objections)
        if difficulty is not None:
            candidates = [o for o in candidates if o.difficulty == difficulty] or candidates
        by_id = {objection.id: objection for objection in candidates}
        due_here = [by_id[objection_id] for objection_id in due if objection_id in by_id]
        if due_here:
            return due_here[0]
        weights = []
        for objection in candidates:
            weight = 1.0
            if objection.category in weak:
                weight *= WEAK_WEIGHT
            if objection.sector in sectors:
                weight *= SECTOR_WEIGHT
            if objection.id in recent:
                weight *= RECENT_WEIGHT
            weights.append(weight)
        return self._rng("start").choices(candidates, weights=weights, k=1)[0]

    def _rng(self, salt: str) -> random.Random:
        """Return a random generator derived from the seed and the drill's progress."""
        step = len(self._state["exchanges"])
        return random.Random(f"{self._state['seed']}:{salt}:{step}")

    def _ask(self, objection: Objection, kind: str, prompt: str) -> None:
        """Make the buyer say a line and wait for the answer."""
        self._state.update(
            status="awaiting_answer",
            category=objection.category,
            objection_id=objection.id,
            prompt=prompt,
            prompt_kind=kind,
        )
        if objection.id not in self._state["asked_ids"]:
            self._state["asked_ids"].append(objection.id)

    def opening(self) -> dict[str, Any]:
        """Return the scene and the objection of the current drill, with a ready French message."""
        objection = self.current
        if objection is None:
            raise DrillError(texts.DRILL_NOT_STARTED)
        message = "\n\n".join(
            [
                texts.DRILL_INTRO.format(
                    category=texts.CATEGORY_LABELS[objection.category],
                    difficulty=objection.difficulty,
                ),
                texts.DRILL_SCENE.format(
                    sector=texts.SECTOR_LABELS[objection.sector],
                    role=texts.ROLE_LABELS[objection.buyer_role],
                    buyer=objection.buyer,
                    offer=objection.offer,
                ),
                texts.DRILL_BUYER_SAYS.format(text=self._state["prompt"]),
                texts.DRILL_YOUR_TURN,
            ]
        )
        return {
            "objection_id": objection.id,
            "category": objection.category,
            "difficulty": objection.difficulty,
            "sector": objection.sector,
            "buyer_role": objection.buyer_role,
            "scene": {"buyer": objection.buyer, "offer": objection.offer},
            "objection": self._state["prompt"],
            "message": message,
        }

    # ----------------------------------------------------------------- answer

    def answer(self, text: str) -> dict[str, Any]:
        """Score the trainee's answer and return the buyer's reaction (and the debrief at the end)."""
        if self.status != "awaiting_answer":
            reason = texts.DRILL_ALREADY_FINISHED if self.finished else texts.DRILL_NOT_STARTED
            raise DrillError(reason)
        scorable = is_scorable(text)
        if not scorable:
            return {
                "scored": False,
                "reason": scorable.code,
                "message": texts.DRILL_NOT_SCORED.format(reason=scorable.reason),
                "finished": False,
            }
        objection = self.current
        assert objection is not None
        prompt = str(self._state["prompt"])
        kind = str(self._state["prompt_kind"])
        result = self._scorer(prompt, text, objection.category)
        exchange = {
            "objection_id": objection.id,
            "category": objection.category,
            "difficulty": objection.difficulty,
            "prompt": prompt,
            "prompt_kind": kind,
            "answer": text,
            "score": float(result["score"]),
            "techniques": list(result["techniques"]),
            "faults": list(result["faults"]),
            "motives": list(result["motives"]),
        }
        self._state["exchanges"].append(exchange)
        outcome, reaction = self._react(objection, kind, float(result["score"]))
        exchange["outcome"] = outcome
        exchange["reaction"] = reaction
        debrief = self.debrief() if self.finished else None
        return {
            "scored": True,
            "result": result,
            "outcome": outcome,
            "reaction": reaction,
            "next_prompt": None if self.finished else self._state["prompt"],
            "finished": self.finished,
            "debrief": debrief,
            "message": self._message(result, reaction, debrief),
        }

    def _react(self, objection: Objection, kind: str, score: float) -> tuple[str, str]:
        """Move the dialogue on and return (outcome, buyer's line)."""
        room = len(self._state["exchanges"]) < self._state["max_exchanges"]
        if score < STRONG_ANSWER:
            line = (
                objection.insist
                if kind in {"objection", "insist", "next_objection"}
                else (texts.DRILL_INSIST_FOLLOW_UP.format(text=self._state["prompt"]))
            )
            if not room:
                self._finish(won=False)
                return "end", line
            self._ask(objection, "insist", line)
            return "insist", line
        if kind != "follow_up" and objection.follow_up and room:
            self._ask(objection, "follow_up", objection.follow_up)
            return "follow_up", objection.follow_up
        moves_on = objection.moves_on or texts.DRILL_CONVINCED
        harder = self._harder(objection) if room else None
        if harder is None:
            self._finish(won=True)
            return "moves_on", moves_on
        line = f"{moves_on} {texts.DRILL_NEXT_OBJECTION.format(text=harder.text)}"
        self._ask(harder, "next_objection", harder.text)
        return "next_objection", line

    def _harder(self, objection: Objection) -> Objection | None:
        """Pick a not-yet-asked, harder objection (same category first)."""
        asked = set(self._state["asked_ids"])
        pools = (
            [
                o
                for o in self._bank.in_category(objection.category)
                if o.difficulty > objection.difficulty
            ],
            [o for o in self._bank.objections if o.difficulty > objection.difficulty],
            [
                o
                for o in self._bank.in_category(objection.category)
                if o.difficulty == objection.difficulty
            ],
        )
        for pool in pools:
            fresh = [o for o in pool if o.id not in asked]
            if fresh:
                return self._rng("harder").choice(fresh)
        return None

    def _finish(self, won: bool) -> None:
        """Close the drill."""
        self._state.update(status="finished", won=won, prompt=None, prompt_kind=None)

    def _message(
        self, result: dict[str, Any], reaction: str, debrief: dict[str, Any] | None
    ) -> str:
        """Compose the French message sent after an answer."""
        parts = [
            texts.DRILL_SCORE_LINE.format(score=_fmt(float(result["score"]))),
            result["feedback"],
        ]
        parts.append(texts.DRILL_BUYER_SAYS.format(text=reaction))
        if debrief is not None:
            parts.append(debrief["message"])
        else:
            parts.append(texts.DRILL_YOUR_TURN)
        return "\n\n".join(parts)

    def abandon(self) -> dict[str, Any]:
        """Stop the drill now and return the debrief of the exchanges so far."""
        if not self.finished:
            self._finish(won=False)
        return self.debrief()

    # ---------------------------------------------------------------- debrief

    def debrief(self) -> dict[str, Any]:
        """Summarise the drill: average, best and worst technique, faults, one tip."""
        exchanges = self._state["exchanges"]
        scores = [float(exchange["score"]) for exchange in exchanges]
        average = round(sum(scores) / len(scores), 1) if scores else 0.0
        used = Counter(code for exchange in exchanges for code in exchange["techniques"])
        best = max(TECHNIQUES, key=lambda code: (used[code], -TECHNIQUES.index(code)))
        best_technique = best if used[best] else None
        unused = [code for code in WORST_PRIORITY if used[code] == 0]
        worst_technique = (
            unused[0]
            if unused
            else min(WORST_PRIORITY, key=lambda code: (used[code], WORST_PRIORITY.index(code)))
        )
        faults = sorted({fault for exchange in exchanges for fault in exchange["faults"]})
        tip = texts.FAULT_TIPS[faults[0]] if faults else texts.TECHNIQUE_TIPS[worst_technique]
        first = self._bank.get(exchanges[0]["objection_id"]) if exchanges else self.current
        model = first.model_answer if first is not None else ""
        won = bool(self._state.get("won"))
        lines = [
            texts.DEBRIEF_TITLE,
            texts.DEBRIEF_AVERAGE.format(average=_fmt(average), count=len(exchanges)),
            texts.DEBRIEF_BEST.format(
                technique=texts.TECHNIQUE_LABELS[best_technique]
                if best_technique
                else texts.DEBRIEF_NO_TECHNIQUE
            ),
            texts.DEBRIEF_WORST.format(technique=texts.TECHNIQUE_LABELS[worst_technique]),
        ]
        if faults:
            labels = ", ".join(texts.FAULT_LABELS[fault] for fault in faults)
            lines.append(texts.DEBRIEF_FAULTS.format(faults=labels))
        if first is not None:
            lines.append(
                texts.DEBRIEF_MOTIVE.format(
                    motive=texts.MOTIVE_LABELS[first.motive], tip=texts.MOTIVE_TIPS[first.motive]
                )
            )
        lines.append(texts.DEBRIEF_OUTCOME_WON if won else texts.DEBRIEF_OUTCOME_OPEN)
        lines.append(texts.DEBRIEF_TIP.format(tip=tip))
        if model:
            lines.append(texts.DEBRIEF_MODEL.format(answer=model))
        return {
            "average": average,
            "count": len(exchanges),
            "best_technique": best_technique,
            "worst_technique": worst_technique,
            "faults": faults,
            "tip": tip,
            "won": won,
            "objection_ids": list(dict.fromkeys(e["objection_id"] for e in exchanges)),
            "model_answer": model,
            "message": "\n".join(lines),
        }

    def attempts(self, date: str) -> list[dict[str, Any]]:
        """Return one progress attempt per exchange, dated by the caller (ISO date)."""
        return [
            {
                "date": date,
                "category": exchange["category"],
                "objection_id": exchange["objection_id"],
                "score": exchange["score"],
                "techniques": list(exchange["techniques"]),
            }
            for exchange in self._state["exchanges"]
        ]
