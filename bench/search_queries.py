#!/usr/bin/env python3
"""Search ranking measured the way a reader searches: queries typed into Material's box in Chromium.

Usage: bench/search_queries.py [--show]

Builds the small study vault below (notes written for this benchmark: overlapping
topics, aliases, front-matter and inline tags, Korean particles) with ``kbgen
build``, serves it on 127.0.0.1, types each query of QUERIES into the search box
and records where the intended note lands. Prints: first-place hits, top-5 hits,
and for --show every query's top titles.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

S = "기울기 소실은 깊은 신경망에서 역전파 중 기울기가 작아지는 현상이다. "
NOTES = {
    "ml/기울기 소실.md": "---\naliases: [Vanishing Gradient, 그래디언트 소실]\ntags: [딥러닝/문제]\n---\n# 기울기 소실\n\n" + S * 3,
    "ml/기울기 폭발.md": "---\naliases: [Exploding Gradient]\ntags: [딥러닝/문제]\n---\n# 기울기 폭발\n\n기울기가 커져서 발산한다. " + S,
    "ml/ReLU.md": "---\ntitle: ReLU 활성화 함수\naliases: [렐루, Rectified Linear Unit]\ntags: [활성화]\n---\n# ReLU\n\n양수에서 기울기가 1이다. 기울기 소실을 줄인다.\n",
    "ml/시그모이드.md": "---\naliases: [Sigmoid, 로지스틱 함수]\ntags: [활성화]\n---\n# 시그모이드 함수\n\n도함수의 최댓값은 0.25이다. 기울기 소실의 원인. ReLU보다 느리다.\n",
    "ml/하이퍼볼릭 탄젠트.md": "---\naliases: [tanh]\ntags: [활성화]\n---\n# 하이퍼볼릭 탄젠트\n\n시그모이드와 비슷하지만 출력이 -1에서 1 사이다.\n",
    "ml/배치 정규화.md": "---\naliases: [Batch Normalization, BN]\ntags: [딥러닝/기법]\n---\n# 배치 정규화\n\n층의 입력 분포를 정규화한다. 기울기 소실 완화에 도움.\n",
    "ml/드롭아웃.md": "---\naliases: [Dropout]\ntags: [딥러닝/규제]\n---\n# 드롭아웃\n\n학습 중 뉴런을 무작위로 끈다. 과적합을 막는다.\n",
    "ml/과적합.md": "---\naliases: [Overfitting]\n---\n# 과적합\n\n훈련 데이터에만 맞는 현상. 드롭아웃과 정규화로 줄인다. #딥러닝/문제\n",
    "ml/잔차 연결.md": "---\naliases: [Skip Connection, Residual Connection]\ntags: [딥러닝/구조]\n---\n# 잔차 연결\n\nResNet의 핵심. 기울기가 최소 1의 경로로 흐른다.\n",
    "ml/LSTM.md": "---\ntitle: LSTM\naliases: [장단기 메모리]\ntags: [딥러닝/구조, 순환신경망]\n---\n# LSTM\n\n망각 게이트로 장기 의존성을 유지한다. 기울기 소실 문제를 완화.\n",
    "ml/어텐션.md": "---\naliases: [Attention]\ntags: [딥러닝/구조]\n---\n# 어텐션 메커니즘\n\n쿼리와 키의 유사도로 값을 가중합한다. LSTM 대신 쓰인다.\n",
    "ml/역전파.md": "---\naliases: [Backpropagation]\ntags: [딥러닝/기초]\n---\n# 역전파\n\n연쇄 법칙으로 기울기를 계산한다. " + S,
    "ml/경사 하강법.md": "---\naliases: [Gradient Descent, SGD]\ntags: [최적화]\n---\n# 경사 하강법\n\n기울기의 반대 방향으로 가중치를 갱신한다. 학습률이 중요하다.\n",
    "ml/Adam.md": "---\ntitle: Adam 옵티마이저\ntags: [최적화]\n---\n# Adam\n\n모멘텀과 RMSProp을 합친 방법. 경사 하강법의 변형.\n",
    "ml/학습률.md": "---\naliases: [Learning Rate]\ntags: [최적화]\n---\n# 학습률\n\n한 번에 가중치를 얼마나 바꿀지 정한다. Adam은 학습률을 조절한다.\n",
    "ml/가중치 초기화.md": "---\naliases: [Weight Initialization]\ntags: [딥러닝/기법]\n---\n# 가중치 초기화\n\nXavier 초기화와 He 초기화가 있다. 기울기 소실과 관계가 깊다.\n",
    "ml/합성곱 신경망.md": "---\naliases: [CNN, Convolutional Neural Network]\ntags: [딥러닝/구조]\n---\n# 합성곱 신경망\n\n필터로 특징을 뽑는다. 이미지 분류에 쓰인다.\n",
    "ml/소프트맥스.md": "---\naliases: [Softmax]\ntags: [활성화]\n---\n# 소프트맥스\n\n출력을 확률로 바꾼다. 교차 엔트로피와 함께 쓴다.\n",
    "ml/교차 엔트로피.md": "---\naliases: [Cross Entropy]\ntags: [손실함수]\n---\n# 교차 엔트로피\n\n분류 문제의 손실 함수. 소프트맥스 출력과 정답의 차이.\n",
    "math/행렬 곱셈.md": "---\naliases: [Matrix Multiplication]\ntags: [수학/선형대수]\n---\n# 행렬 곱셈\n\n신경망의 순전파는 행렬 곱셈이다.\n",
    "math/연쇄 법칙.md": "---\naliases: [Chain Rule]\ntags: [수학/미적분]\n---\n# 연쇄 법칙\n\n합성 함수의 도함수. 역전파의 바탕이다.\n",
    "math/편미분.md": "---\naliases: [Partial Derivative]\ntags: [수학/미적분]\n---\n# 편미분\n\n한 변수에 대한 도함수. 기울기 벡터를 이룬다.\n",
    "math/베이즈 정리.md": "---\naliases: [Bayes Theorem]\ntags: [수학/확률]\n---\n# 베이즈 정리\n\n사전 확률과 가능도로 사후 확률을 구한다.\n",
    "misc/공부 계획.md": "# 공부 계획\n\n이번 주: 기울기 소실, ReLU, 배치 정규화, 드롭아웃, LSTM, 어텐션 복습. #계획\n",
}
# (query as typed, the title Material's result list shows for the note a reader wants: its H1)
QUERIES = [
    ("기울기 소실", "기울기 소실"),
    ("기울기 소실이란", "기울기 소실"),
    ("vanishing gradient", "기울기 소실"),
    ("그래디언트 소실", "기울기 소실"),
    ("기울기 폭발", "기울기 폭발"),
    ("렐루", "ReLU"),
    ("relu", "ReLU"),
    ("sigmoid", "시그모이드 함수"),
    ("tanh", "하이퍼볼릭 탄젠트"),
    ("배치 정규화", "배치 정규화"),
    ("batch normalization", "배치 정규화"),
    ("dropout", "드롭아웃"),
    ("과적합을", "과적합"),
    ("skip connection", "잔차 연결"),
    ("장단기 메모리", "LSTM"),
    ("어텐션", "어텐션 메커니즘"),
    ("역전파", "역전파"),
    ("경사 하강법", "경사 하강법"),
    ("adam", "Adam"),
    ("학습률을", "학습률"),
    ("he 초기화", "가중치 초기화"),
    ("cnn", "합성곱 신경망"),
    ("chain rule", "연쇄 법칙"),
    ("편미분", "편미분"),
    ("#계획", "공부 계획"),
    ("#선형대수", "행렬 곱셈"),
]


def build_site(work: Path) -> Path:
    from link_vaults import write_vault

    from kbgen.cli import main

    notes = write_vault(work / "notes", NOTES)
    config = work / "mkdocs.yml"
    config.write_text("site_name: 검색 시험\ndocs_dir: notes\ntheme: {name: material, language: ko}\n"
                      f"plugins: [{{search: {{lang: [ko, en]}}}}, {{kbgen: {{cache_dir: {work / 'cache'}}}}}]\n",
                      encoding="utf-8")
    site = work / "site"
    assert main(["build", "--config", str(config), "--notes", str(notes), "--site", str(site), "-q"]) == 0
    return site


def run_queries(site: Path) -> list[tuple[str, str, list[str]]]:
    from browser_support import block_external_requests, launch_chromium, serve_directory
    from playwright.sync_api import expect, sync_playwright

    results = []
    with serve_directory(site) as base, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        block_external_requests(context)
        page = context.new_page()
        for query, wanted in QUERIES:
            page.goto(base)  # a fresh page per query: no result list of the previous query to misread
            box = page.locator("input.md-search__input")
            box.click()
            page.keyboard.insert_text(query)
            page.keyboard.press("End")
            expect(page.locator(".md-search-result__meta")).to_have_text(re.compile(r"\d+개의 일치하는 문서|없음"))
            titles = page.locator(".md-search-result__item > .md-search-result__link h1").all_inner_texts()
            results.append((query, wanted, [t.strip() for t in titles]))
        browser.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    with tempfile.TemporaryDirectory(prefix="kbgen-search-") as tmp:
        results = run_queries(build_site(Path(tmp)))
    first = sum(1 for _, wanted, titles in results if titles[:1] == [wanted])
    top5 = sum(1 for _, wanted, titles in results if wanted in titles[:5])
    for query, wanted, titles in results:
        mark = "1" if titles[:1] == [wanted] else ("5" if wanted in titles[:5] else "-")
        if args.show or mark != "1":
            print(f"[{mark}] {query!r} → want {wanted!r}; got {titles[:5]}")
    print(f"{len(results)} queries, {len(NOTES)} notes: first {first}/{len(results)}, top-5 {top5}/{len(results)}")


if __name__ == "__main__":
    main()
