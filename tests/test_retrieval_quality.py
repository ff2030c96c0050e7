"""recall@3 on labelled user situations, against real Chroma (embedded and server) and the real embedder."""

import json
from pathlib import Path

import pytest

from coach.app import build
from coach.config import Settings

DATA = Path(__file__).parent / "data"
# Old topics (what the first notes covered) and new topics (the notes added for issue 18), each with a
# development set (weights were chosen on these only) and a held-out set (written by someone who had
# seen neither the notes nor their asked-as lines; the new held-out queries were written before the notes).
NAMES = ("retrieval_cases", "retrieval_heldout", "retrieval_cases_new", "retrieval_heldout_new")
# A third development set, written on 2026-11-25 by someone who had seen neither the asked-as lines nor
# any other set, from the notes alone: harder, colloquial situations, old and new topics ("topic").
DEV2 = "retrieval_cases_dev2"
SETS = {
    name: [json.loads(line) for line in (DATA / f"{name}.jsonl").read_text().splitlines() if line.strip()]
    for name in (*NAMES, DEV2)
}
ALL_CASES = [case for name in NAMES for case in SETS[name]]


def recall_at_3(coach, cases):
    hits = 0
    misses = []
    for case in cases:
        passages = coach.retriever.search(case["query"], k=3)
        if any(p.source == e["source"] and e["contains"] in p.text for p in passages for e in case["expected"]):
            hits += 1
        else:
            misses.append(case["id"])
    return hits / len(cases), misses


def test_the_labelled_sets_are_large_enough():
    for name in NAMES:
        assert len(SETS[name]) >= 30, name
    assert len({c["query"] for c in ALL_CASES + SETS[DEV2]}) == len(ALL_CASES) + len(SETS[DEV2])
    assert len({c["id"] for c in ALL_CASES + SETS[DEV2]}) == len(ALL_CASES) + len(SETS[DEV2]), "misses are by id"


@pytest.fixture(scope="module")
def server_coach(chroma_server, tmp_path_factory, embedder):
    home = tmp_path_factory.mktemp("server-client") / "home"
    coach = build(
        Settings.load({"home": home, "chroma_url": chroma_server}, env={}).with_(collection="recall"), embedder=embedder
    )
    coach.index()
    return coach


@pytest.fixture(scope="module")
def embedded_coach(indexed_home, embedder):
    return build(Settings.load({"home": indexed_home}, env={}), embedder=embedder)


@pytest.mark.parametrize("backend", ["embedded", "server"])
def test_recall_at_3_is_at_least_0_9(backend, request):
    coach = request.getfixturevalue(f"{backend}_coach")
    _, missed = recall_at_3(coach, ALL_CASES + SETS[DEV2])  # each situation searched once
    missed = set(missed)

    def share(cases):
        return sum(c["id"] not in missed for c in cases) / len(cases)

    rate, misses = share(ALL_CASES), [c["id"] for c in ALL_CASES if c["id"] in missed]
    figures = {name: share(SETS[name]) for name in NAMES}
    print(f"recall@3 ({backend}): all {rate:.3f}; " + ", ".join(f"{n} {r:.3f}" for n, r in figures.items()))
    print(f"misses: {misses}")
    assert rate >= 0.9, misses
    # Old topics keep what they had before the new notes (issue 18): development 0.944 and held-out 0.881
    # were measured with 109 passages. With the keyword index searching the asked-as lines too they are
    # 0.978 and 0.893 (see README, 'Retrieval quality').
    assert figures["retrieval_cases"] >= 0.944
    assert figures["retrieval_heldout"] >= 0.881
    assert figures["retrieval_cases_new"] >= 0.9 and figures["retrieval_heldout_new"] >= 0.9
    dev2 = {topic: share([c for c in SETS[DEV2] if c["topic"] == topic]) for topic in ("old", "new")}
    dev2_rate, dev2_misses = share(SETS[DEV2]), [c["id"] for c in SETS[DEV2] if c["id"] in missed]
    print(f"recall@3 ({backend}) {DEV2}: {dev2_rate:.3f} (old {dev2['old']:.3f}, new {dev2['new']:.3f})")
    # measured 0.800 (0.767 before the keyword index searched the asked-as lines); 0.789 in a full run, where
    # earlier tests have added their own documents to the shared indexed store
    assert dev2_rate >= 0.77, dev2_misses


def test_scores_are_cosines_in_range_and_best_first(embedded_coach):
    for case in ALL_CASES[:10]:
        passages = embedded_coach.retriever.search(case["query"], k=4)
        assert len(passages) == 4
        assert all(0 <= p.score <= 1 for p in passages)
        assert len({p.chunk_id for p in passages}) == 4, "aliases must not return a passage twice"


def test_advice_only_excludes_reader_comments(embedded_coach):
    passages = embedded_coach.retriever.search("practise with a friend before the interview", k=6, advice_only=True)
    assert passages and all(p.kind == "advice" for p in passages)
