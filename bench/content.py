"""Reference resolution and search timings on the paper and on a generated 10 MB library.

    python -m bench.content [--papers 1000] [--chars 3500]

Prints p50/p95 per operation. The library is generated deterministically in memory from
the paper's own characters (so n-gram statistics look like Japanese prose); nothing is
written to disk.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.content.loader import load_library
from bot.content.models import Document, Section
from bot.content.refs import complete_refs, resolve_ref
from bot.content.search import SearchIndex

CONTENT = Path(__file__).resolve().parents[1] / "content"

REFS = [
    "1.3.2.2",
    "1-3-2-2",
    "1 3 2 2",
    "第1部3(2)②",
    "第１部３（２）②",
    "第一部三（二）",
    "2部3(1)",
    "part 2 section 3 (1)",
    "地位協定",
    "胆力",
    "核兵器",
    "9.9",
]
QUERIES = ["抑止", "同盟", "関税", "ＮＡＴＯ", "NATO", "GDP比3%", "米", "地位協定 チャンス", "核"]


def _times(fn: Callable[[str], object], inputs: Sequence[str], rounds: int) -> list[float]:
    for text in inputs:  # warm caches the bot would have warm too
        fn(text)
    out: list[float] = []
    for _ in range(rounds):
        for text in inputs:
            start = time.perf_counter()
            fn(text)
            out.append((time.perf_counter() - start) * 1000)
    return out


def _report(name: str, samples: list[float]) -> None:
    samples = sorted(samples)
    p50 = statistics.median(samples)
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    print(f"  {name:<34} p50 {p50:8.3f} ms   p95 {p95:8.3f} ms   (n={len(samples)})")


def generate_library(paper: Document, papers: int, chars: int, seed: int = 2025) -> list[Document]:
    """Japanese-like papers: words cut from the paper's own text, reshuffled."""
    rng = random.Random(seed)
    text = "".join(p for s in paper.sections for p in s.paragraphs).replace("。", "")
    words = [text[i : i + rng.randint(1, 4)] for i in range(0, len(text) - 4, 3)]
    documents: list[Document] = []
    for n in range(papers):
        sections: list[Section] = []
        budget = chars
        for part in (1, 2):
            sections.append(Section(str(part), f"第{part}部", rng.choice(words) * 2, None, 0, ()))
            for sub in range(1, 7):
                size = budget // (14 - len(sections))
                paragraph = "".join(rng.choices(words, k=size // 3))
                sentences = [paragraph[i : i + 60] + "。" for i in range(0, len(paragraph), 60)]
                sid = f"{part}.{sub}"
                sections.append(
                    Section(
                        sid,
                        f"第{part}部 {sub}",
                        "".join(rng.choices(words, k=4)),
                        str(part),
                        len(sections),
                        ("".join(sentences),),
                    )
                )
                budget -= len(paragraph)
        sections = [
            Section(s.id, s.label, s.title, s.parent, i, s.paragraphs)
            for i, s in enumerate(sections)
        ]
        documents.append(
            Document(
                f"gen-{n:04d}", f"生成文書{n}", "生成", "gen", "2025-05", "", "ja", tuple(sections)
            )
        )
    return documents


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--papers", type=int, default=1000)
    parser.add_argument("--chars", type=int, default=3500, help="characters per generated paper")
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()

    library = load_library(CONTENT)
    paper = library.default_document
    size = sum(len(p.encode()) for s in paper.sections for p in s.paragraphs)
    print(f"paper {paper.id}: {len(paper.sections)} sections, {size / 1024:.1f} KiB of text")

    builds = []
    for _ in range(20):
        start = time.perf_counter()
        index = SearchIndex.build(paper)
        builds.append((time.perf_counter() - start) * 1000)
    _report("index build (paper)", builds)
    _report("resolve_ref (paper)", _times(lambda t: resolve_ref(paper, t), REFS, args.rounds))
    _report("complete_refs (paper)", _times(lambda t: complete_refs(paper, t), REFS, args.rounds))
    _report("search (paper)", _times(index.search, QUERIES, args.rounds))

    start = time.perf_counter()
    documents = generate_library(paper, args.papers, args.chars)
    generated = time.perf_counter() - start
    total = sum(len(p.encode()) for d in documents for s in d.sections for p in s.paragraphs)
    sections = sum(len(d.sections) for d in documents)
    print(
        f"library: {len(documents)} papers, {sections} sections, {total / 2**20:.1f} MiB of text "
        f"(generated in {generated:.1f} s)"
    )
    start = time.perf_counter()
    big = SearchIndex.build_library(documents)
    print(f"  index build (library)              {(time.perf_counter() - start):8.2f} s")
    rng = random.Random(7)
    picks = [rng.choice(documents) for _ in range(len(REFS))]
    pairs = dict(zip(REFS, picks, strict=True))
    for text, doc in pairs.items():
        resolve_ref(doc, text)
    _report(
        "resolve_ref (a library paper)",
        _times(lambda t: resolve_ref(pairs[t], t), REFS, max(1, args.rounds // 5)),
    )
    _report("search (whole library)", _times(big.search, QUERIES, max(1, args.rounds // 5)))


if __name__ == "__main__":
    main()
