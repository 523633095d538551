"""How a language's teach file was made from the blind probe sets beside this script.

    python tests/data/adversarial/make_teach.py ko 48   # speech/semantic/corpus/ko/teach.jsonl
    python tests/data/adversarial/make_teach.py zh 137 --speaker debtor   # the debtors' lines only

Reads `<lang>.jsonl` and `<lang>-N.jsonl` for N up to LAST (the rounds written before the file
was made; later rounds stay out of training, so they still measure phrasing no head has read),
drops every line that is a near-duplicate of a frozen split's line (character trigram Jaccard
>= 0.5, the rule `make_splits.py` keeps the frozen splits unseen by), and writes the rest with
the fields training reads and `writer` "probe". The trainer fits on these lines and never scores
them (`TrainOptions.teach`). Deterministic: the same inputs give the same bytes.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "data" / "flagging"))

# The near-duplicate rule the frozen splits were made with, and their manifest.
from make_splits import TESTS, _file_grams, _near, grams  # noqa: E402

from speech.semantic.corpus import CORPUS_DIR  # noqa: E402

FIELDS = ("text", "lang", "speaker", "audience", "facts", "labels")


def frozen_files(lang: str, manifest_dir: Path = TESTS) -> list[Path]:
    """Every frozen split's file of `lang`, as SPLITS.json lists them."""
    manifest = json.loads((manifest_dir / "SPLITS.json").read_text(encoding="utf-8"))
    return [
        REPO / rel
        for rel in sorted(manifest)
        if rel.startswith("tests/data/flagging/") and rel.endswith(f"/{lang}.jsonl")
    ]


def probe_rounds(lang: str, last: int, folder: Path = HERE) -> list[Path]:
    """The probe set files of `lang` up to round `last` (round 1 has no suffix), in file-name
    order, as the measured recipe read them."""
    found = []
    for path in folder.glob(f"{lang}*.jsonl"):
        m = re.fullmatch(rf"{lang}(?:-(\d+))?\.jsonl", path.name)
        if m and int(m.group(1) or 1) <= last:
            found.append(path)
    return sorted(found)


def teach_lines(
    lang: str, last: int, folder: Path = HERE, speaker: str | None = None
) -> tuple[list[str], int]:
    """The teach file's lines (JSON text) and how many probe lines were dropped as near-frozen;
    `speaker`: that speaker's lines only (a line without one is the agent's)."""
    frozen = _file_grams(frozen_files(lang))
    out: list[str] = []
    dropped = 0
    for path in probe_rounds(lang, last, folder):
        for raw in path.read_text(encoding="utf-8").splitlines():
            if not raw.strip():
                continue
            row = json.loads(raw)
            if speaker is not None and row.get("speaker", "agent") != speaker:
                continue
            if _near(grams(row["text"]), frozen):
                dropped += 1
                continue
            line = {k: row[k] for k in FIELDS}
            line["tags"] = row.get("tags", [])
            line["writer"] = "probe"
            out.append(json.dumps(line, ensure_ascii=False))
    return out, dropped


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("lang")
    ap.add_argument("last", type=int, help="the last probe round read")
    ap.add_argument("--out", type=Path, help="default: speech/semantic/corpus/<lang>/teach.jsonl")
    ap.add_argument("--speaker", choices=("agent", "debtor"), help="that speaker's lines only")
    args = ap.parse_args(argv)
    lines, dropped = teach_lines(args.lang, args.last, speaker=args.speaker)
    out = args.out or CORPUS_DIR / args.lang / "teach.jsonl"
    out.write_text("".join(x + "\n" for x in lines), encoding="utf-8")
    print(f"{out}: {len(lines)} lines ({dropped} dropped as near-duplicates of frozen lines)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
