"""Embedded NLU backend: spaCy tokenizer, a linear intent model and a CRF for names."""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
import re
import shutil
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pycrfsuite
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from spacy.tokenizer import Tokenizer
from spacy.vocab import Vocab

from nlu import features
from nlu.result import assemble_result  # compiles the normalisers' patterns (~0.5 s) now
from nlu.spacy_model import NLU_MODEL, get_nlp
from nlu.training_data import TrainingData, load_training_data

log = logging.getLogger(__name__)

ARTEFACT_VERSION = "embedded-2"
DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_DATA = DATA_DIR / "nlu.yml"
NAME_ENTITIES = ("company", "person", "city")

CONFIG: dict[str, Any] = {
    "char_ngrams": [2, 5],
    "word_ngrams": [1, 2],
    "C": 12.0,
    "crf": {"c1": 0.05, "c2": 0.05, "max_iterations": 150},
}
MAX_CHARS = 4096


_CUES: list[tuple[str, re.Pattern[str]]] = [
    (
        "zzfuture",
        re.compile(
            r"\b(demain|apres[- ]?demain|dans \d+|dans (une|un|deux|trois|quinze)|prochain|prochaine|la semaine pro|a venir|prevoir|penser a|a faire)\b"
        ),
    ),
    (
        "zzpast",
        re.compile(r"\b(hier|avant[- ]?hier|ce matin|tout a l'heure|dernier|derniere|deja)\b"),
    ),
    (
        "zzparticiple",
        re.compile(
            r"\b(vu|eu|fait|passe|sorti|sors|rencontre|appele|joint|tombe|laisse|signe|envoye|recu|visite)\b"
        ),
    ),
    (
        "zzphone",
        re.compile(
            r"\b(tel|tele|telephone|appel|appele|appeler|coup de fil|repondeur|messagerie|standard|visio|joignable|injoignable|rappele|sonne)\b"
        ),
    ),
    ("zzquestion", re.compile(r"\?|\b(quoi|quel|quelle|combien|est-ce|ou j'en)\b")),
    ("zzinfinitive", re.compile(r"^\s*\w+er\b")),
]


def normalise_for_intent(text: str) -> str:
    """Lower-case, strip accents, map digits to 0 and add cue words, for the intent features."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    cues = [name for name, pattern in _CUES if pattern.search(text)]
    return re.sub(r"\d", "0", text) + (" " + " ".join(cues) if cues else "")


@dataclass
class IntentModel:
    """TF-IDF over characters and words, then a multinomial logistic regression."""

    chars: TfidfVectorizer
    words: TfidfVectorizer
    classifier: LogisticRegression

    @classmethod
    def train(cls, texts: list[str], labels: list[str], config: dict[str, Any]) -> IntentModel:
        """Fit the model on normalised texts."""
        norm = [normalise_for_intent(t) for t in texts]
        chars = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=tuple(config["char_ngrams"]),
            sublinear_tf=True,
            min_df=1,
        )
        words = TfidfVectorizer(
            analyzer="word",
            ngram_range=tuple(config["word_ngrams"]),
            token_pattern=r"(?u)\b\w+\b",
            sublinear_tf=True,
        )
        matrix = hstack([chars.fit_transform(norm), words.fit_transform(norm)]).tocsr()
        classifier = LogisticRegression(C=config["C"], max_iter=3000)
        classifier.fit(matrix, labels)
        return cls(chars, words, classifier)

    def rank(self, text: str) -> list[tuple[str, float]]:
        """Return (intent, probability) pairs, best first."""
        probs = self._scorer().probabilities(normalise_for_intent(text))
        order = np.argsort(-probs)
        classes = self.classifier.classes_
        return [(str(classes[i]), float(probs[i])) for i in order]

    def rank_reference(self, text: str) -> list[tuple[str, float]]:
        """The same ranking through scikit-learn's own transform and predict_proba."""
        norm = [normalise_for_intent(text)]
        matrix = hstack([self.chars.transform(norm), self.words.transform(norm)]).tocsr()
        probs = self.classifier.predict_proba(matrix)[0]
        order = np.argsort(-probs)
        return [(str(self.classifier.classes_[i]), float(probs[i])) for i in order]

    def _scorer(self) -> _LinearScorer:
        """The fitted model as plain arrays (built once, not pickled)."""
        scorer: _LinearScorer | None = self.__dict__.get("_fast")
        if scorer is None:
            scorer = _LinearScorer.from_fitted([self.chars, self.words], self.classifier)
            self.__dict__["_fast"] = scorer
        return scorer

    def __getstate__(self) -> dict[str, Any]:
        """Pickle the fitted scikit-learn objects only."""
        return {k: v for k, v in self.__dict__.items() if k != "_fast"}


@dataclass
class _LinearScorer:
    """Inference of the fitted TF-IDF blocks and multinomial logistic regression, per message.

    scikit-learn trains and stores the model; at inference its input validation and sparse
    matrix assembly cost ten times the arithmetic for a single short message, so the same
    arithmetic is done here on the fitted arrays (checked equal to ``predict_proba`` by the
    tests): per block, sublinear TF × IDF, L2-normalised; then the class scores and softmax.
    """

    blocks: list[tuple[Callable[[str], list[str]], dict[str, int], np.ndarray, int, bool]]
    weights: np.ndarray  # (n_features, n_classes)
    intercept: np.ndarray

    @classmethod
    def from_fitted(cls, vectorizers: list[TfidfVectorizer], classifier: Any) -> _LinearScorer:
        """Read the arrays out of fitted vectorizers and classifier."""
        blocks = []
        offset = 0
        for vec in vectorizers:
            if vec.norm != "l2" or not vec.use_idf:
                raise ValueError("only l2-normalised TF-IDF blocks are supported")
            vocab = {str(k): int(v) for k, v in vec.vocabulary_.items()}
            blocks.append((vec.build_analyzer(), vocab, vec.idf_, offset, bool(vec.sublinear_tf)))
            offset += len(vocab)
        coef = np.asarray(classifier.coef_, dtype=np.float64)
        intercept = np.asarray(classifier.intercept_, dtype=np.float64)
        if coef.shape[0] == 1:  # binary: the positive class' scores against zero
            coef = np.vstack([np.zeros_like(coef), coef])
            intercept = np.concatenate([[0.0], intercept])
        return cls(blocks, np.ascontiguousarray(coef.T), intercept)

    def probabilities(self, norm_text: str) -> np.ndarray:
        """Class probabilities of one normalised text, in ``classes_`` order."""
        columns: list[int] = []
        values: list[float] = []
        for analyzer, vocab, idf, offset, sublinear in self.blocks:
            counts: dict[int, int] = {}
            for term in analyzer(norm_text):
                index = vocab.get(term)
                if index is not None:
                    counts[index] = counts.get(index, 0) + 1
            if not counts:
                continue
            index_array = np.fromiter(counts, dtype=np.intp, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            if sublinear:
                tf = np.log(tf) + 1.0
            weighted = tf * idf[index_array]
            weighted /= np.sqrt(weighted @ weighted)
            columns.extend((index_array + offset).tolist())
            values.extend(weighted.tolist())
        scores = self.intercept.copy()
        if columns:
            scores += np.asarray(values) @ self.weights[columns]
        scores -= scores.max()
        exp = np.exp(scores)
        return exp / exp.sum()


_FUTURE_WHEN = re.compile(
    r"\b(demain|apr[eè]s[- ]?demain|dans (\d+|une?|deux|trois|quinze) (jours?|semaines?|mois)|"
    r"(lundi|mardi|mercredi|jeudi|vendredi|samedi) prochain|la semaine pro(chaine)?)\b",
    re.IGNORECASE,
)
_PAST_WHEN = re.compile(
    r"\b(hier|avant[- ]?hier|(lundi|mardi|mercredi|jeudi|vendredi|samedi) dernier|"
    r"la semaine derni[eè]re)\b",
    re.IGNORECASE,
)
_NEXT_STEP = re.compile(
    r"\b(relanc\w*|rappel\w*|recontact\w*|revoir|prochain rdv|rdv (pris|cal[ée]|fix[ée])\w*|"
    r"on se (revoit|rappelle)|repasse\w*)\b[^,.;]*$",
    re.IGNORECASE,
)
LOG_INTENTS = ("log_visit", "log_call")


def _when_tense(text: str) -> tuple[bool, bool]:
    """Say whether the activity date (not a next-step date) is in the future, the past."""
    future = past = False
    for match in _FUTURE_WHEN.finditer(text):
        if not _NEXT_STEP.search(text[: match.start()]):
            future = True
    for match in _PAST_WHEN.finditer(text):
        if not _NEXT_STEP.search(text[: match.start()]):
            past = True
    return future, past


def arbitrate_tense(text: str, ranking: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """A report took place, a plan is ahead: an explicit date tense settles log vs plan."""
    top = ranking[0][0]
    if top not in (*LOG_INTENTS, "plan_activity"):
        return ranking
    future, past = _when_tense(text)
    probs = dict(ranking)
    if future and not past and top in LOG_INTENTS and probs.get("plan_activity", 0) >= 0.05:
        winner = "plan_activity"
    elif past and not future and top == "plan_activity":
        winner = max(LOG_INTENTS, key=lambda i: probs.get(i, 0))
        if probs.get(winner, 0) < 0.05:
            return ranking
    else:
        return ranking
    probs[winner], probs[top] = probs[top], probs[winner]
    return sorted(probs.items(), key=lambda item: -item[1])


def light_tokenizer() -> Tokenizer:
    """The French model's tokenizer rules without its huge hyphenation regex (fast to load).

    The full regex takes seconds to compile at every start; without it hyphenated
    words are split, which the CRF learns to handle.
    """
    full = get_nlp(NLU_MODEL, tokenizer_only=True).tokenizer
    return Tokenizer(
        Vocab(),
        rules=full.rules,
        prefix_search=full.prefix_search,
        suffix_search=full.suffix_search,
        infix_finditer=full.infix_finditer,
        url_match=full.url_match,
    )


def data_hash(data_path: Path, config: dict[str, Any]) -> str:
    """Hash the training data, the configuration and the code version."""
    digest = hashlib.sha256()
    digest.update(data_path.read_bytes())
    digest.update(json.dumps(config, sort_keys=True).encode())
    digest.update(ARTEFACT_VERSION.encode())
    digest.update(Path(features.__file__).read_bytes())
    return digest.hexdigest()[:16]


class EmbeddedInterpreter:
    """The default NLU backend, trained from nlu.yml and cached on disk."""

    name = "spacy"

    def __init__(
        self,
        intent_model: IntentModel,
        crf_path: Path,
        gazetteers: dict[str, set[str]],
        tokenizer: Tokenizer,
    ) -> None:
        self.intent_model = intent_model
        self.tagger = pycrfsuite.Tagger()
        self.tagger.open(str(crf_path))
        self.gazetteers = gazetteers
        self.tokenizer = tokenizer

    @classmethod
    def load_or_train(
        cls,
        model_dir: str | Path = "var/nlu",
        data_path: str | Path = DEFAULT_DATA,
        force: bool = False,
    ) -> EmbeddedInterpreter:
        """Load the cached artefact for this data and config, training it when missing."""
        data_path = Path(data_path)
        root = Path(model_dir)
        target = root / f"embedded-{data_hash(data_path, CONFIG)}"
        if force or not (target / "done").exists():
            train(data_path, target)
        try:
            return cls.load(target)
        except (OSError, pickle.UnpicklingError, EOFError, KeyError, ValueError):
            log.warning("cached NLU model at %s is unreadable; retraining", target)
            train(data_path, target)
            return cls.load(target)

    @classmethod
    def load(cls, target: Path) -> EmbeddedInterpreter:
        """Load a trained artefact directory."""
        with (target / "intent.pkl").open("rb") as fh:
            intent_model = pickle.load(fh)
        gazetteers = {
            k: set(v) for k, v in json.loads((target / "gazetteers.json").read_text()).items()
        }
        tokenizer = Tokenizer(Vocab()).from_bytes((target / "tokenizer.bin").read_bytes())
        return cls(intent_model, target / "names.crfsuite", gazetteers, tokenizer)

    def rank(self, text: str) -> list[tuple[str, float]]:
        """Rank intents for a text, then let the tense of the activity date arbitrate log vs plan."""
        return arbitrate_tense(text, self.intent_model.rank(text))

    def name_spans(self, text: str) -> list[tuple[str, int, int]]:
        """Tag company, person and city spans with the CRF."""
        tokens = features.tokenize(self.tokenizer, text)
        if not tokens:
            return []
        labels = self.tagger.tag(features.sentence_features(tokens, self.gazetteers))
        return features.bio_to_spans(tokens, labels)

    def parse(self, text: str, now: datetime, intent: str | None = None) -> dict[str, Any]:
        """Parse a message into the contract's result."""
        text = text if isinstance(text, str) else str(text)
        clipped = text[:MAX_CHARS]
        ranking = self.rank(clipped) if clipped.strip() else [("out_of_scope", 1.0)]
        names = self.name_spans(clipped) if clipped.strip() else []
        return assemble_result(text, clipped, ranking, names, now, forced_intent=intent)


def train(data_path: Path, target: Path) -> dict[str, float]:
    """Train the intent model and the CRF, then write the artefact atomically."""
    started = time.perf_counter()
    data: TrainingData = load_training_data(data_path)
    tokenizer = light_tokenizer()
    intent_model = IntentModel.train(
        [e.text for e in data.examples], [e.intent for e in data.examples], CONFIG
    )
    gazetteers = features.build_gazetteers(data)
    tmp = target.with_name(target.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    trainer = pycrfsuite.Trainer(verbose=False)
    for example in data.examples:
        tokens = features.tokenize(tokenizer, example.text)
        if not tokens:
            continue
        spans = [
            (e["entity"], e["start"], e["end"])
            for e in example.entities
            if e["entity"] in NAME_ENTITIES
        ]
        trainer.append(
            features.sentence_features(tokens, gazetteers), features.spans_to_bio(tokens, spans)
        )
    trainer.set_params({**CONFIG["crf"], "feature.possible_transitions": True})
    trainer.train(str(tmp / "names.crfsuite"))
    (tmp / "tokenizer.bin").write_bytes(tokenizer.to_bytes())
    with (tmp / "intent.pkl").open("wb") as fh:
        pickle.dump(intent_model, fh)
    (tmp / "gazetteers.json").write_text(
        json.dumps({k: sorted(v) for k, v in gazetteers.items()}, ensure_ascii=False)
    )
    seconds = time.perf_counter() - started
    (tmp / "done").write_text(json.dumps({"seconds": seconds, "examples": len(data.examples)}))
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    log.info("trained embedded NLU in %.1f s (%d examples)", seconds, len(data.examples))
    return {"seconds": seconds}
