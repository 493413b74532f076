"""The hand-labelled answer corpus (tests/data/scoring/answers.toml), joined to its decks.

Each answer was written from a card's question and key-point labels only, and labelled
with the key points a fair judge credits (``met``) and those it asserts the opposite of
(``contradicted``). ``evaluate`` scores every answer and reports, per deck and kind, the
mean coverage and key-point precision, recall and F1, so a change that helps one kind of
answer while hurting another shows up.
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.core.seed import builtin_deck_path
from app.formats.native import read_native
from app.model.deckdata import CardData, DeckData

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data" / "scoring"
KINDS = ("paraphrase", "partial", "wrong", "fillers", "offtopic")


@dataclass(frozen=True)
class LabelledAnswer:
    deck: str  # "builtin" or "user"
    card: CardData
    split: str
    kind: str
    text: str
    met: frozenset[int]
    contradicted: frozenset[int]


def decks() -> dict[str, DeckData]:
    return {
        "builtin": read_native(builtin_deck_path("rag-vs-fine-tuning")),
        "user": read_native(DATA / "user-deck.toml"),
    }


def load(split: str | None = None, path: Path = DATA / "answers.toml") -> list[LabelledAnswer]:
    by_deck = {name: {c.guid: c for c in d.cards} for name, d in decks().items()}
    raw = tomllib.loads(path.read_text(encoding="utf-8"))["answer"]
    answers = [
        LabelledAnswer(
            deck=a["deck"],
            card=by_deck[a["deck"]][a["card"]],
            split=a["split"],
            kind=a["kind"],
            text=a["text"].strip(),
            met=frozenset(a["met"]),
            contradicted=frozenset(a.get("contradicted", [])),
        )
        for a in raw
    ]
    return [a for a in answers if split is None or a.split == split]


@dataclass
class Tally:
    answers: int = 0
    coverage: float = 0.0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    contradicted_found: int = 0
    contradicted_labelled: int = 0

    @property
    def mean_coverage(self) -> float:
        return self.coverage / self.answers if self.answers else 0.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


# (coverage, per key point: the verdict's name) for one answer's text on its card
Scorer = Callable[[CardData, str], tuple[float, Sequence[str]]]


def evaluate(answers: Iterable[LabelledAnswer], scorer: Scorer) -> dict[tuple[str, str], Tally]:
    """Tallies per (deck, kind) and per (deck, "all"). A key point counts as credited
    when its verdict is "met" or "partly"; "contradicted" is what a wrong claim should get."""
    tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
    for answer in answers:
        coverage, verdicts = scorer(answer.card, answer.text)
        for key in ((answer.deck, answer.kind), (answer.deck, "all")):
            t = tallies[key]
            t.answers += 1
            t.coverage += coverage
            for i, verdict in enumerate(verdicts):
                credited = verdict in ("met", "partly")
                labelled = i in answer.met
                t.tp += credited and labelled
                t.fp += credited and not labelled
                t.fn += labelled and not credited
                if i in answer.contradicted:
                    t.contradicted_labelled += 1
                    t.contradicted_found += verdict == "contradicted"
    return dict(tallies)


def report(tallies: dict[tuple[str, str], Tally]) -> str:
    lines = [
        f"{'deck':<8} {'kind':<11} {'n':>4} {'coverage':>9} {'P':>6} {'R':>6} {'F1':>6}"
        f" {'contra':>7}"
    ]
    for deck in ("builtin", "user"):
        for kind in (*KINDS, "all"):
            t = tallies.get((deck, kind))
            if t is None:
                continue
            contra = (
                f"{t.contradicted_found}/{t.contradicted_labelled}"
                if t.contradicted_labelled
                else ""
            )
            lines.append(
                f"{deck:<8} {kind:<11} {t.answers:>4} {t.mean_coverage:>9.2f} {t.precision:>6.2f}"
                f" {t.recall:>6.2f} {t.f1:>6.2f} {contra:>7}"
            )
    return "\n".join(lines)
