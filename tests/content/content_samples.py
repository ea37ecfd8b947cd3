"""Small content files for validation tests: a valid demo tree each test breaks in one way."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

DEMO_DOCUMENT = """\
id: demo
title: デモ文書
publisher: 出版社
date: "2025-05"
language: ja
source_url: https://example.org
sections:
  - id: "1"
    label: 第１部
    title: 第一の部
    parent: null
  - id: "1.1"
    label: 第１部 １
    title: 抑止と同盟
    parent: "1"
    paragraphs:
      - 抑止とは、反撃の確からしさである。同盟は目的ではなく、国益達成の手段である。
      - 日本が防衛費をＧＤＰの３％にしても、満足することはない。
  - id: "1.2"
    label: 第１部 ２
    title: 地位協定改定のチャンス
    parent: "1"
    paragraphs:
      - 石破首相は日米地位協定の改定を持論としてきた。経費負担は１９７８年に始まった。
"""

DEMO_QUIZ = """\
document: demo
questions:
  - id: q1
    sections: ["1.1"]
    type: choice
    prompt: 同盟は何だと述べているか。
    choices: [目的, 手段, 負担, 理念]
    answer: 手段
    explanation: 国益達成の手段だから。
    evidence: 同盟は目的ではなく、国益達成の手段である。
    difficulty: 2
  - id: q2
    sections: ["1.2"]
    type: cloze
    prompt: 石破首相は日米＿＿＿の改定を持論としてきた。
    answer: 地位協定
    alternatives: [日米地位協定]
    explanation: 持論である。
    evidence: 石破首相は日米地位協定の改定を持論としてきた。
    difficulty: 1
  - id: q3
    sections: ["1.1"]
    type: truefalse
    prompt: 抑止とは反撃の確からしさである。
    answer: true
    explanation: そう定義している。
    evidence: 抑止とは、反撃の確からしさである。
    difficulty: 1
"""

DEMO_GLOSSARY = """\
document: demo
terms:
  - term: 地位協定
    reading: ちいきょうてい
    english: Status of Forces Agreement
    aliases: [日米地位協定]
    definition: 在日米軍の地位を定める協定。
    sections: ["1.2"]
  - term: 抑止
    reading: よくし
    definition: 反撃の確からしさ。
    sections: ["1.1"]
"""

DEMO_PROMPTS = """\
document: demo
prompts:
  - section: "1.1"
    text: 抑止と安心供与のどちらを重く見るべきか、理由とともに話し合おう。
  - section: "1.2"
    text: 地位協定の改定は今がチャンスだろうか。
"""

WriteTree = Callable[..., Path]
