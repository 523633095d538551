"""The nearest-lines vote (policies.semantic.neighbours): who votes, how, and the stored form."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest

from policies.semantic.heads import HeadFileError, parse_heads
from policies.semantic.neighbours import CLIP, Neighbours, role_code

DIM = 384
HEAD_FILE = Path(__file__).resolve().parents[2] / "speech" / "semantic" / "flagger.json"


def _unit(rng: np.random.Generator, n: int) -> np.ndarray:
    v = rng.normal(size=(n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _near(base: np.ndarray, rng: np.random.Generator, scale: float = 0.05) -> np.ndarray:
    v = base + scale * rng.normal(size=base.shape).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.fixture
def world() -> tuple[Neighbours, np.ndarray, np.ndarray]:
    """Two clusters of agent lines: around `threat` 10 threats, around `calm` 10 lawful lines."""
    rng = np.random.default_rng(7)
    threat, calm = _unit(rng, 1), _unit(rng, 1)
    vectors = np.vstack([_near(np.repeat(threat, 10, 0), rng), _near(np.repeat(calm, 10, 0), rng)])
    labels = [frozenset({"threat_violence"})] * 10 + [frozenset()] * 10
    nb = Neighbours.build(
        vectors,
        labels,
        [role_code("agent", "debtor")] * 20,
        ["en"] * 20,
        k=5,
        temperature=20.0,
        weight=1.0,
    )
    return nb, threat, calm


def _p(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def test_a_line_near_the_threats_gets_their_vote(world: tuple[Neighbours, np.ndarray, np.ndarray]) -> None:
    nb, threat, calm = world
    sims = nb.similarities(np.vstack([threat, calm]))
    p = _p(nb.logit(sims, "threat_violence", "en", other_language_weight=0.3))
    assert p[0] == pytest.approx(1.0 - CLIP)
    assert p[1] == pytest.approx(CLIP)


def test_only_lines_that_can_carry_the_category_vote(
    world: tuple[Neighbours, np.ndarray, np.ndarray],
) -> None:
    nb, threat, _ = world
    sims = nb.similarities(threat)
    # No debtor line is stored: nobody votes on debtor abuse, the vote is neutral (logit 0).
    assert nb.logit(sims, "abuse_by_debtor", "en", other_language_weight=0.3).tolist() == [0.0]
    assert nb.logit(sims, "third_party_disclosure", "en", other_language_weight=0.3).tolist() == [0.0]


def test_other_languages_count_less() -> None:
    rng = np.random.default_rng(3)
    base = _unit(rng, 1)
    vectors = _near(np.repeat(base, 6, 0), rng, 0.01)
    # Three Korean threats and three English lawful lines, all equally near the query.
    nb = Neighbours.build(
        vectors,
        [frozenset({"threat_violence"})] * 3 + [frozenset()] * 3,
        [role_code("agent", "debtor")] * 6,
        ["ko"] * 3 + ["en"] * 3,
        k=6,
        temperature=20.0,
        weight=1.0,
    )
    sims = nb.similarities(base)
    p_en = _p(nb.logit(sims, "threat_violence", "en", other_language_weight=0.3))[0]
    p_ko = _p(nb.logit(sims, "threat_violence", "ko", other_language_weight=0.3))[0]
    assert p_en == pytest.approx(0.3 / 1.3, abs=0.02)
    assert p_ko == pytest.approx(1.0 / 1.3, abs=0.02)


def test_the_projection_is_fitted_on_the_lines_it_is_told_to() -> None:
    rng = np.random.default_rng(3)
    vectors = _unit(rng, 40)
    args = ([frozenset()] * 40, [role_code("debtor", "debtor")] * 40, ["en"] * 40)
    kw = {"k": 5, "temperature": 20.0, "weight": 1.0, "dims": 8}
    fit = np.arange(40) < 30
    told = Neighbours.build(vectors, *args, fit=fit, **kw)
    alone = Neighbours.build(vectors[:30], *(a[:30] for a in args), **kw)
    every = Neighbours.build(vectors, *args, **kw)
    assert told.mean is not None
    assert alone.mean is not None
    assert every.mean is not None
    np.testing.assert_array_equal(told.mean, alone.mean)
    np.testing.assert_array_equal(told.projection, alone.projection)
    assert not np.array_equal(told.mean, every.mean)
    assert len(told.labels) == 40  # every line still votes


def test_lines_added_to_a_store_are_the_lines_a_build_fitted_without_them_stores() -> None:
    rng = np.random.default_rng(5)
    vectors = _unit(rng, 40)
    labels = [frozenset()] * 30 + [frozenset({"abuse_by_debtor"})] * 10
    args = (labels, [role_code("debtor", "debtor")] * 40, ["en"] * 30 + ["zh"] * 10)
    kw = {"k": 5, "temperature": 20.0, "weight": 1.0, "dims": 8}
    whole = Neighbours.build(vectors, *args, fit=np.arange(40) < 30, **kw)
    first = Neighbours.build(vectors[:30], *(a[:30] for a in args), **kw)
    # Another language's names are the stored ones: a build of the first lines knows only "en".
    stored = Neighbours.parse({**first.as_json(), "languages": ["en", "zh"]}, DIM)
    added = stored.extended(vectors[30:], *(a[30:] for a in args))
    assert added.as_json() == whole.as_json()
    q = vectors[35:37]
    for a, b in ((added, whole), (first, stored)):
        got = a.logit(a.similarities(q), "abuse_by_debtor", "zh", other_language_weight=0.3)
        np.testing.assert_allclose(
            got, b.logit(b.similarities(q), "abuse_by_debtor", "zh", other_language_weight=0.3)
        )
    assert len(stored.labels) == 30  # the store itself is left as it was
    with pytest.raises(ValueError, match="no language ko"):
        stored.extended(vectors[:1], [frozenset()], [role_code("debtor", "debtor")], ["ko"])


def test_stored_form_round_trips(world: tuple[Neighbours, np.ndarray, np.ndarray]) -> None:
    nb, threat, calm = world
    again = Neighbours.parse(json.loads(json.dumps(nb.as_json())), DIM)
    assert (again.k, again.temperature, again.weight, again.language_names) == (5, 20.0, 1.0, ("en",))
    q = np.vstack([threat, calm])
    for cat in ("threat_violence", "insult_profanity"):
        a = nb.logit(nb.similarities(q), cat, "en", other_language_weight=0.3)
        b = again.logit(again.similarities(q), cat, "en", other_language_weight=0.3)
        assert np.allclose(a, b)


def test_role_codes_follow_the_labelling_guide() -> None:
    codes = {role_code(s, a) for s in ("agent", "debtor") for a in ("debtor", "third_party")}
    assert len(codes) == 4


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("vectors", "AAAA"),  # not n × 384 bytes
        ("labels", "not base64!"),
        ("k", 0),
        ("temperature", "hot"),
        ("line_languages", None),
    ],
)
def test_a_damaged_neighbours_block_is_a_head_file_error(key: str, value: object) -> None:
    doc = json.loads(HEAD_FILE.read_text(encoding="utf-8"))
    assert "neighbours" in doc, "the bundled head file carries the vote's lines"
    bad = copy.deepcopy(doc)
    bad["neighbours"][key] = value
    with pytest.raises(HeadFileError) as err:
        parse_heads(bad, "bad.json")
    assert err.value.key == "neighbours"
    assert "retrain" in str(err.value)
