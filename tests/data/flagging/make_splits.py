"""How the flagging corpus was split (each round run once; the outputs are committed and frozen).

    python tests/data/flagging/make_splits.py STAGING_DIR BLIND_DIR       # round 1
    python tests/data/flagging/make_splits.py --add STAGING2_DIR           # round 2
    python tests/data/flagging/make_splits.py --add STAGING3_DIR --round 3 # round 3
    python tests/data/flagging/make_splits.py --add STAGING4_DIR --round 4 # round 4
    python tests/data/flagging/make_splits.py --add STAGING5_DIR --round 5 # round 5
    python tests/data/flagging/make_splits.py --add STAGING6_DIR --round 6 # round 6
    python tests/data/flagging/make_splits.py --frozen PRAISE_DIR praise   # round 7: a test split
    python tests/data/flagging/make_splits.py --add STAGING7_DIR --round 7 # round 7
    python tests/data/flagging/make_splits.py --add STAGING8_DIR --round 8 # round 8
    python tests/data/flagging/make_splits.py --frozen EVERYDAY_DIR everyday --unseen  # round 9
    python tests/data/flagging/make_splits.py --add STAGING10_DIR --round 10 # round 10 (zh, en)
    python tests/data/flagging/make_splits.py --frozen CHAT_DIR chat --unseen  # round 11
    python tests/data/flagging/make_splits.py --frozen BLUNT_DIR blunt --unseen  # before round 12
    python tests/data/flagging/make_splits.py --add STAGING13_DIR --round 13 # round 13 (zh, en)
    python tests/data/flagging/make_splits.py --frozen VEILED_DIR veiled --unseen  # before round 14
    python tests/data/flagging/make_splits.py --add STAGING14_DIR --round 14 # round 14 (zh, en)
    python tests/data/flagging/make_splits.py --add STAGING15_DIR --round 15 # round 15 (zh)
    python tests/data/flagging/make_splits.py --frozen AUTHORITY_DIR authority --unseen  # before round 16
    python tests/data/flagging/make_splits.py --frozen BREADTH_DIR breadth --unseen  # round 17

STAGING_DIR/<lang>/*.jsonl are the lines the corpus writers wrote (zh: writers A and B, en: A and
B, ko: K), following docs/labelling.md. Every language is split with a fixed seed, stratified by
label set, into train (70 %), validation (15 %, used only to choose thresholds) and test (15 %,
frozen: no training run or threshold choice ever reads it). A validation or test line that is a
near-duplicate of a training line (character trigram Jaccard >= 0.5) is moved to train, so the
held-out splits measure phrasing the model has not seen.
Since flagger@2026.12.16 training reads val as training lines too and chooses thresholds on
out-of-fold scores (cross-fitting, docs/speech.md); the frozen splits are still never read.

BLIND_DIR/<lang>.jsonl is the second test split, written by a different hand that never saw the
corpus or the lexicons; it is copied as it is.

Round 2 (`--add`) adds the lines of a third hand (writer C, who saw neither the corpus nor the
lexicons, and wrote to where the first model fell short: veiled threats, harassment, privacy
exposure): a line that is a near-duplicate of any test or blind line is dropped (so the frozen
splits stay unseen), the rest go 70 % to train and 30 % to val, stratified like round 1. The
test and blind splits are not touched.

Round 3 (`--add DIR --round 3`) adds the lines of eight more hands the same way, 75 % to train
and 25 % to val, with the round's own seed: zh writers D, G, I and N, en writers E, H, J and M,
ko writers F and L. Each worked from docs/labelling.md alone, saw neither the corpus, the
lexicons nor any test line, and was asked for the categories the model missed most on val
(veiled and blunt threats, harassment, false legal threats, privacy exposure) beside as many hard
negatives; the file name gives the writer (`STAGING3_DIR/<lang>/<writer>-*.jsonl`).

Round 4 (`--add DIR --round 4`, 75 % / 25 % the same way) adds three more hands (zh O, en P,
ko Q) with what the collection-call lines lacked: abuse in generic form (the insults, contempt
and menace of comments and chats, not tied to debt), the same written to dodge keyword filters
(letter codes, homophones, split characters, symbols, romanisation), and everyday small talk
(weather, health, sport, family) with harmless uses of violent or crude words.

Round 5 (`--add DIR --round 5`, 75 % / 25 %) adds four more hands (en R and S, zh T, ko U) on the
four categories val showed weakest — threat_violence, harassment, privacy_exposure,
false_legal_threat — with the harassment / threat boundary drawn as the labelling guide draws it
(pressure without implied harm is harassment; implied harm is a threat), and their lawful
look-alikes.

Round 6 (`--add DIR --round 6`, 75 % / 25 %) adds three more hands (zh V, en W, ko X) on sharp
words that are not abuse — blunt opinions about things (films, food, apps, traffic, an absent
referee), venting about one's own day, angry but impersonal complaints — beside fewer lines that
turn the same words on the listener.

Round 7 first freezes a third test split, `praise` (`--frozen DIR praise`: DIR/<lang>.jsonl copied
as they are, writer `praise`), by a hand that saw only the labelling guide: kind and neutral
remarks aimed at the listener (compliments, thanks, reassurance, the debtor thanking the agent)
beside insults and sarcastic praise in the same sentence frames — the model had flagged "you're
such a sweetheart" and 你真是个好人 as insults with near certainty. Then (`--add DIR --round 7`,
75 % / 25 %) three more hands (zh Y, en Z, ko AA), who saw neither that split nor the corpus, wrote
the same kind of lines for training; a line that is a near-duplicate of any test, blind or praise
line is dropped.

Round 8 (`--add DIR --round 8`, 75 % / 25 %) adds three more hands (zh AB, en AC, ko AD) with
short kind remarks both ways (compliments, thanks, reassurance in 2-10 words, as a recogniser cuts
utterances) beside a few short insults in the same frames: after round 7 the model still flagged
"你真是个好人" and "thank you, you're an angel" as insults. From this round on a line that is a
near-duplicate of a look-alike test case (tests/data/lookalikes/) is dropped too: the briefs quoted
some of those cases as examples of what went wrong.

Round 9 was written as training lines (three more hands, zh AE, en AF, ko AG: everyday negative
or edgy talk not aimed at the listener — self-deprecation, opinions about things, crime news,
neutral talk about groups of people, teasing, violent words in hobbies — beside identity-based
and comment-style abuse aimed at the listener) and not adopted (docs/flagger-log.md: it cost Korean
collection val 1.2 points). It became a fourth frozen test split instead, `everyday`
(`--frozen DIR everyday --unseen`: a line within trigram Jaccard 0.5 of any train or val line is
dropped first, so it measures phrasing training never read).

Round 10 (`--add DIR --round 10`, 75 % / 25 %) adds two more hands (zh AH, en AI) on the same
weakness as round 9, Mandarin and English only (round 9 had cost Korean its val): everyday
negativity not aimed at the listener beside near-twins aimed at the listener. A line that is a
near-duplicate of an everyday line is dropped like one near any other frozen line.

Round 11 was written by three more hands (zh AJ, en AK, ko AL) in the register of online
comments, tweets and casual chat, where samples of public offensive-language data showed the
model misfiring (read for diagnosis only; no writer saw them): fair or neutral talk about groups
and against discrimination, family and children with no menace, banter, harsh opinions about
things and public figures, long comments — about 60 % compliant — beside an agent's derogatory
generalisations about groups, slurs and casual profanity and abuse in the same registers. Tried
as a corpus round (75 % / 25 %) it was not adopted (docs/flagger-log.md); it became a fifth frozen
test split, `chat` (`--frozen DIR chat --unseen`).

The sixth frozen split, `blunt` (`--frozen DIR blunt --unseen`), is 290 lines by one more hand
that saw only the labelling guide and was told they would never be trained on: per language 60
direct threats of physical harm (the blunt kind the model scored low, as the corpus has such words
mostly negated or quoted) and 40 compliant lines with the same violent words (idioms, cooking,
sport, news, condemning threats), less the 10 near a train or val line.

The seventh frozen split, `veiled` (`--frozen DIR veiled --unseen`), is 305 lines by one more
hand that saw only the labelling guide and was told they would never be trained on: per language
about 62 indirect violations (harm implied without stock violent words, harassment by presence
and pressure, a few indirect privacy, legal and insult lines) and 38-40 compliant look-alikes
(safety advice, sympathy, lawful escalation, reported threats), less the 8 near a train or val
line.

Round 12 (Korean casual register, writer AM) was tried and not adopted, and is not in the corpus
(docs/flagger-log.md). Round 13 (`--add DIR --round 13`, 75 % / 25 %) adds one more hand's blunt
threats of physical harm beside their look-alikes (zh AN, en AO; the same hand's Korean lines, ko
AP, cost Korean collection recall and were left out, so the staging folder held zh and en only).
Round 14 (`--add DIR --round 14`, 75 % / 25 %) adds three more hands' indirect violations —
veiled threats without stock violent words, harassment by presence and pressure — beside their
look-alikes (zh AQ, en AR; ko AS cost Korean collection recall like AP and was left out, so the
staging folder held zh and en only).
Round 15 (`--add DIR --round 15`, 75 % / 25 %) adds one more hand's harassment, privacy exposure
and implied threats, with lines that carry two of them and their lawful look-alikes (zh AT). The
same brief's English lines (en AU) did not improve on their own val lines and were left out, so
the staging folder held zh only.
The eighth frozen split, `authority` (`--frozen DIR authority --unseen`), is 320 lines by one
more hand that saw only the labelling guide: police, courts, prosecutors, crime and fraud in
collection talk — anti-scam warnings, the right to report the agency, calm statements of civil
process and debtors' own police stories, beside false arrest and prosecution threats,
impersonation of authorities and "you are a fraudster" — frozen before round 16 was written.
Round 16 (the same theme by another hand, zh AV, en AW, ko AX) was tried and not adopted, and is
not in the corpus: its own val lines did not improve in any language (docs/flagger-log.md).
Round 17 (four more hands, zh AY and BA, en AZ and BB, 420 lines each, from the labelling guide
alone: the whole breadth of collection calls in every register, about 55 % violations spread over
the six agent categories) was tried as training lines and not adopted: on two sets of writers
held out of training it gained too little (docs/flagger-log.md). It became the ninth frozen split,
`breadth` (`--frozen DIR breadth --unseen`, zh and en only: DIR had no ko file).

Round 18 (English exposure and harassment) was tried and not adopted, and is not in the corpus
(docs/flagger-log.md). Round 19 (`--add DIR --round 19`, 75 % / 25 %, with `19: 0.25` in
VAL_SHARE) was the blind probe sets (tests/data/adversarial/, rounds 1 to 28, each writer
`P<round>`): tried and not adopted (docs/flagger-log.md, "The probe sets as training lines"), so
they are not in the corpus. `breadth` joined FROZEN then: a round's lines near a breadth line are
dropped like those near any other frozen split's.

Outputs: speech/semantic/corpus/<lang>/{train,val}.jsonl (shipped, for retraining),
tests/data/flagging/test/<lang>.jsonl and tests/data/flagging/blind/<lang>.jsonl (never shipped),
and tests/data/flagging/SPLITS.json (line counts and SHA-256 of every output).
"""

from __future__ import annotations

import collections
import hashlib
import json
import random
import sys
from collections.abc import Iterable
from pathlib import Path

SEED = 20261201
LANGS = ("zh", "en", "ko")
ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "speech" / "semantic" / "corpus"
TESTS = ROOT / "tests" / "data" / "flagging"
NEAR = 0.5

sys.path.insert(0, str(ROOT))
from speech.semantic.corpus import trigrams as grams  # noqa: E402  (the trainer counts them alike)


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _near(g: set[str], pool: Iterable[set[str]]) -> bool:
    """Whether a line's trigrams are a near-duplicate of any in `pool`."""
    return any(jaccard(g, other) >= NEAR for other in pool)


def _file_grams(paths: Iterable[Path]) -> list[set[str]]:
    """The trigrams of every line's text in the JSONL files among `paths` that exist."""
    return [
        grams(str(json.loads(line)["text"]))
        for path in paths
        if path.is_file()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def dump(path: Path, rows: list[dict[str, object]]) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows)
    path.write_text(text, encoding="utf-8")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def main(staging: Path, blind: Path) -> None:
    manifest: dict[str, dict[str, object]] = {}
    rng = random.Random(SEED)
    for lang in LANGS:
        rows = []
        for f in sorted((staging / lang).glob("*.jsonl")):
            writer = f.name.split("-", 1)[0]
            for line in f.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    row = json.loads(line)
                    row["writer"] = writer
                    rows.append(row)
        strata: dict[tuple[str, ...], list[dict[str, object]]] = collections.defaultdict(list)
        for r in rows:
            strata[tuple(sorted(r["labels"])) or ("none",)].append(r)  # type: ignore[arg-type]
        train, val, test = [], [], []
        for key in sorted(strata):
            group = strata[key]
            rng.shuffle(group)
            n_test = round(len(group) * 0.15)
            n_val = round(len(group) * 0.15)
            test += group[:n_test]
            val += group[n_test : n_test + n_val]
            train += group[n_test + n_val :]
        train_grams = [grams(str(r["text"])) for r in train]
        for held in (val, test):
            kept = []
            for r in held:
                g = grams(str(r["text"]))
                if _near(g, train_grams):
                    train.append(r)
                    train_grams.append(g)
                else:
                    kept.append(r)
            held[:] = kept
        for name, part in (("train", train), ("val", val)):
            part.sort(key=lambda r: str(r["text"]))
            manifest[f"speech/semantic/corpus/{lang}/{name}.jsonl"] = {
                "lines": len(part),
                "sha256": dump(CORPUS / lang / f"{name}.jsonl", part),
            }
        test.sort(key=lambda r: str(r["text"]))
        manifest[f"tests/data/flagging/test/{lang}.jsonl"] = {
            "lines": len(test),
            "sha256": dump(TESTS / "test" / f"{lang}.jsonl", test),
        }
        blind_rows = [
            {**json.loads(line), "writer": "blind"}
            for line in (blind / f"{lang}.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        manifest[f"tests/data/flagging/blind/{lang}.jsonl"] = {
            "lines": len(blind_rows),
            "sha256": dump(TESTS / "blind" / f"{lang}.jsonl", blind_rows),
        }
    manifest_text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    (TESTS / "SPLITS.json").write_text(manifest_text, encoding="utf-8")
    for path, info in sorted(manifest.items()):
        print(f"{info['lines']:>6}  {path}")


# Round -> the share of its lines that go to val.
VAL_SHARE = {
    2: 0.3,
    3: 0.25,
    4: 0.25,
    5: 0.25,
    6: 0.25,
    7: 0.25,
    8: 0.25,
    10: 0.25,
    11: 0.25,
    13: 0.25,
    14: 0.25,
    15: 0.25,
}
# The splits no training run reads.
FROZEN = ("test", "blind", "praise", "everyday", "chat", "blunt", "veiled", "authority", "breadth")


def add_round(staging: Path, round_no: int = 2) -> None:
    manifest = json.loads((TESTS / "SPLITS.json").read_text(encoding="utf-8"))
    rng = random.Random(SEED + round_no)
    for lang in LANGS:
        held = _file_grams(TESTS / split / f"{lang}.jsonl" for split in FROZEN)
        if round_no >= 8:
            held += [grams(text) for text in _lookalikes(lang)]
        rows, dropped = [], 0
        for f in sorted((staging / lang).glob("*.jsonl")):
            writer = f.name.split("-", 1)[0]
            for line in f.read_text(encoding="utf-8").splitlines():
                if not line.strip():
                    continue
                row = json.loads(line)
                row["writer"] = writer
                g = grams(str(row["text"]))
                if _near(g, held):
                    dropped += 1
                    continue
                rows.append(row)
        strata: dict[tuple[str, ...], list[dict[str, object]]] = collections.defaultdict(list)
        for r in rows:
            strata[tuple(sorted(r["labels"])) or ("none",)].append(r)  # type: ignore[arg-type]
        add = {"train": [], "val": []}
        for key in sorted(strata):
            group = strata[key]
            rng.shuffle(group)
            n_val = round(len(group) * VAL_SHARE[round_no])
            add["val"] += group[:n_val]
            add["train"] += group[n_val:]
        for name, new in add.items():
            path = CORPUS / lang / f"{name}.jsonl"
            old = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
            part = sorted(old + new, key=lambda r: str(r["text"]))
            manifest[f"speech/semantic/corpus/{lang}/{name}.jsonl"] = {
                "lines": len(part),
                "sha256": dump(path, part),
            }
        print(
            f"{lang}: +{len(add['train'])} train, +{len(add['val'])} val, {dropped} near-duplicates dropped"
        )
    manifest_text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    (TESTS / "SPLITS.json").write_text(manifest_text, encoding="utf-8")


def _lookalikes(lang: str) -> list[str]:
    """The look-alike cases in `lang` (tests/data/lookalikes/: <lang>.jsonl, and files whose rows
    name their `lang`): written for tests, kept out of training from round 8 on."""
    texts: list[str] = []
    for path in sorted((ROOT / "tests" / "data" / "lookalikes").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                if row.get("lang", path.stem) == lang:
                    texts.append(str(row["text"]))
    return texts


def add_frozen(source: Path, name: str, unseen: bool = False) -> None:
    """Copy SOURCE/<lang>.jsonl to tests/data/flagging/NAME/ as a frozen test split (`unseen`:
    without the lines that are near-duplicates of a train or val line); a language SOURCE has
    no file for is left out."""
    manifest = json.loads((TESTS / "SPLITS.json").read_text(encoding="utf-8"))
    for lang in LANGS:
        if not (source / f"{lang}.jsonl").is_file():
            continue
        rows = [
            {**json.loads(line), "writer": name}
            for line in (source / f"{lang}.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        if unseen:
            seen = _file_grams(CORPUS / lang / f"{part}.jsonl" for part in ("train", "val"))
            before = len(rows)
            rows = [r for r in rows if not _near(grams(str(r["text"])), seen)]
            print(f"{lang}: {before - len(rows)} near-duplicates of train or val lines dropped")
        path = TESTS / name / f"{lang}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        manifest[f"tests/data/flagging/{name}/{lang}.jsonl"] = {
            "lines": len(rows),
            "sha256": dump(path, rows),
        }
        print(f"{lang}: {len(rows)} lines frozen as {name}")
    manifest_text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    (TESTS / "SPLITS.json").write_text(manifest_text, encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1] == "--frozen":
        add_frozen(Path(sys.argv[2]), sys.argv[3], unseen="--unseen" in sys.argv[4:])
    elif sys.argv[1] == "--add":
        add_round(Path(sys.argv[2]), int(sys.argv[4]) if sys.argv[3:4] == ["--round"] else 2)
    else:
        main(Path(sys.argv[1]), Path(sys.argv[2]))
