"""Accuracy of the User-Agent classifier on a labelled set built from public test suites.

The set is built, not shipped: Matomo's device-detector fixtures are LGPL-3.0, so this
script reads them from a local copy of that repository and writes the labelled file
outside the tree. Sources and labels:

- matomo-org/device-detector `Tests/fixtures/*.yml` (LGPL-3.0): `device.type` gives the
  class (smartphone, phablet, feature phone: mobile; tablet; desktop; tv, console, car
  browser, smart display, smart speaker, camera, portable media player, wearable,
  peripheral: other); `bots.yml` and `feed_reader.yml` are bots, and the bot categories
  "AI Agent", "AI Assistant", "AI Data Scraper", "AI Search Crawler" are AI agents.
  Client-hint fixtures (their answer depends on headers we do not see) are left out.
- monperrus/crawler-user-agents `crawler-user-agents.json` (MIT): every instance is a bot;
  patterns tagged `ai-crawler` are AI agents.
- the AI agents' own documented User-Agent strings in `stream_processors.agents.catalog`
  (`examples`), labelled ai_agent.

    .venv/bin/python bench/eval_classify.py --matomo PATH --crawlers PATH [--classifier new]

PATH is a repository work tree or a bare git directory (read at HEAD).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

OUT = Path("/tmp/scan-analytics-eval/labelled.jsonl")

OTHER_TYPES = {
    "tv",
    "console",
    "car browser",
    "smart display",
    "smart speaker",
    "camera",
    "portable media player",
    "wearable",
    "peripheral",
}
MOBILE_TYPES = {"smartphone", "phablet", "feature phone"}
AI_CATEGORIES = {"AI Agent", "AI Assistant", "AI Data Scraper", "AI Search Crawler"}


def _read(root: Path, path: str) -> str:
    if (root / path).exists():
        return (root / path).read_text()
    return subprocess.run(
        ["git", f"--git-dir={root}", "show", f"HEAD:{path}"], check=True, capture_output=True, text=True
    ).stdout


def _ls(root: Path, folder: str) -> list[str]:
    if (root / folder).is_dir():
        return sorted(str(p.relative_to(root)) for p in (root / folder).glob("*.yml"))
    out = subprocess.run(
        ["git", f"--git-dir={root}", "ls-tree", "--name-only", "HEAD", folder + "/"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return sorted(line for line in out.splitlines() if line.endswith(".yml"))


def _git_dir(root: Path) -> Path:
    return root / ".git" if (root / ".git").is_dir() else root


def matomo(root: Path) -> Iterator[dict[str, Any]]:
    for path in _ls(root, "Tests/fixtures"):
        name = Path(path).name
        if name.startswith("clienthints"):
            continue
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        for case in yaml.load(_read(root, path), Loader=loader) or []:
            ua = case.get("user_agent")
            if not isinstance(ua, str) or not ua.strip():
                continue
            if name == "bots.yml":
                category = (case.get("bot") or {}).get("category") or ""
                label = "ai_agent" if category in AI_CATEGORIES else "bot"
                yield {"ua": ua, "label": label, "source": "matomo:bots", "detail": category}
                continue
            if name == "feed_reader.yml":
                yield {"ua": ua, "label": "bot", "source": "matomo:feed_reader", "detail": "feed reader"}
                continue
            kind = ((case.get("device") or {}).get("type") or "").strip()
            if kind in MOBILE_TYPES:
                label = "mobile"
            elif kind == "tablet":
                label = "tablet"
            elif kind == "desktop":
                label = "desktop"
            elif kind in OTHER_TYPES:
                label = "other"
            else:
                continue
            yield {
                "ua": ua,
                "label": label,
                "source": f"matomo:{name.split('.')[0].split('-')[0]}",
                "detail": kind,
            }


def crawlers(root: Path) -> Iterator[dict[str, Any]]:
    for entry in json.loads(_read(root, "crawler-user-agents.json")):
        ai = "ai-crawler" in entry.get("tags", [])
        for ua in entry.get("instances", []):
            yield {
                "ua": ua,
                "label": "ai_agent" if ai else "bot",
                "source": "crawler-user-agents",
                "detail": ",".join(entry.get("tags", [])),
            }


def operators() -> Iterator[dict[str, Any]]:
    from stream_processors.agents.catalog import AGENTS

    for agent in AGENTS:
        if agent.traffic_class != "ai_agent":
            continue
        for ua in agent.examples:
            yield {"ua": ua, "label": "ai_agent", "source": "operators' docs", "detail": agent.name}


def build(matomo_root: Path | None, crawlers_root: Path | None) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    streams: list[Iterator[dict[str, Any]]] = [operators()]
    if crawlers_root:
        streams.insert(0, crawlers(_git_dir(crawlers_root)))
    if matomo_root:
        streams.insert(0, matomo(_git_dir(matomo_root)))
    for stream in streams:
        for row in stream:
            # One label per string: the first source that lists it keeps it.
            rows.setdefault(row["ua"], row)
    return list(rows.values())


def five(label: str) -> str:
    return "bot" if label in {"bot", "ai_agent"} else label


def classifier(name: str) -> Callable[[str], tuple[str, str]]:
    """Return ua -> (5-class answer, traffic class)."""
    if name == "new":
        from stream_processors.enrich import classify_user_agent

        def new(ua: str) -> tuple[str, str]:
            c = classify_user_agent(ua)
            return c.device_class, c.traffic_class

        return new
    if name == "user-agents":
        import user_agents

        def ua_lib(ua: str) -> tuple[str, str]:
            p = user_agents.parse(ua)
            if p.is_bot:
                return "bot", "bot"
            if p.is_tablet:
                return "tablet", "human"
            if p.is_mobile:
                return "mobile", "human"
            return ("desktop" if p.is_pc else "other"), "human"

        return ua_lib
    if name == "device-detector":
        from device_detector import DeviceDetector

        def dd(ua: str) -> tuple[str, str]:
            d = DeviceDetector(ua).parse()
            if d.is_bot():
                return "bot", "bot"
            kind = d.device_type()
            if kind in MOBILE_TYPES:
                return "mobile", "human"
            if kind in {"tablet", "desktop"}:
                return kind, "human"
            return "other", "human"

        return dd
    raise SystemExit(f"unknown classifier {name}")


def report(rows: list[dict[str, Any]], answer: Callable[[str], tuple[str, str]], show: int) -> None:
    started = time.perf_counter()
    answers = [answer(r["ua"]) for r in rows]
    seconds = time.perf_counter() - started
    by_source: dict[str, list[tuple[dict[str, Any], tuple[str, str]]]] = defaultdict(list)
    for row, ans in zip(rows, answers, strict=True):
        by_source[row["source"].split(":")[0]].append((row, ans))
    by_source["all"] = list(zip(rows, answers, strict=True))
    print(f"{len(rows)} labelled User-Agents, {len(rows) / seconds:,.0f}/s cold (one pass)")
    header = ("source", "n", "5-class", "bot P", "bot R", "AI R", "AI as ai_agent")
    print("| " + " | ".join(header) + " |")
    print("|---|" + "---:|" * (len(header) - 1))
    for source in sorted(by_source, key=lambda s: (s == "all", s)):
        pairs = by_source[source]
        correct = sum(five(r["label"]) == a[0] for r, a in pairs)
        tp = sum(r["label"] in {"bot", "ai_agent"} and a[0] == "bot" for r, a in pairs)
        fp = sum(r["label"] not in {"bot", "ai_agent"} and a[0] == "bot" for r, a in pairs)
        fn = sum(r["label"] in {"bot", "ai_agent"} and a[0] != "bot" for r, a in pairs)
        ai = [(r, a) for r, a in pairs if r["label"] == "ai_agent"]
        ai_caught = sum(a[0] == "bot" for _, a in ai)
        ai_filed = sum(a[1] == "ai_agent" for _, a in ai)

        def pct(n: int, d: int) -> str:
            return f"{100 * n / d:.1f} %" if d else "-"

        print(
            f"| {source} | {len(pairs)} | {pct(correct, len(pairs))} | {pct(tp, tp + fp)} | "
            f"{pct(tp, tp + fn)} | {pct(ai_caught, len(ai))} | {pct(ai_filed, len(ai))} |"
        )
    print()
    labels = ("mobile", "tablet", "desktop", "other", "bot")
    confusion = Counter((five(r["label"]), a[0]) for r, a in zip(rows, answers, strict=True))
    print("| label \\ answer | " + " | ".join(labels) + " | recall |")
    print("|---|" + "---:|" * (len(labels) + 1))
    for label in labels:
        n = sum(confusion[(label, x)] for x in labels)
        cells = " | ".join(str(confusion[(label, x)]) for x in labels)
        print(f"| {label} | {cells} | {100 * confusion[(label, label)] / max(n, 1):.1f} % |")
    if show:
        wrong = [
            (r, a)
            for r, a in zip(rows, answers, strict=True)
            if five(r["label"]) != a[0] or (r["label"] == "ai_agent" and a[1] != "ai_agent")
        ]
        by_kind = Counter((r["label"], a[0]) for r, a in wrong)
        print("\nerrors:", dict(by_kind.most_common()))
        for r, a in wrong[:show]:
            print(f"  {r['label']:>8} -> {a[0]:<7} {a[1]:<8} [{r['source']} {r['detail']}] {r['ua'][:160]}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--matomo", type=Path, help="matomo-org/device-detector work tree or git dir")
    parser.add_argument("--crawlers", type=Path, help="monperrus/crawler-user-agents work tree or git dir")
    parser.add_argument("--out", type=Path, default=OUT, help="where the labelled set is written")
    parser.add_argument("--classifier", default="new", help="new, user-agents or device-detector")
    parser.add_argument("--limit", type=int, default=0, help="evaluate every n-th row only (quick runs)")
    parser.add_argument("--show", type=int, default=0, help="print this many errors")
    args = parser.parse_args()
    if args.matomo or args.crawlers:
        rows = build(args.matomo, args.crawlers)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("".join(json.dumps(r) + "\n" for r in rows))
    elif args.out.exists():
        rows = [json.loads(line) for line in args.out.read_text().splitlines()]
    else:
        print("no labelled set: pass --matomo and --crawlers once", file=sys.stderr)
        return 2
    if args.limit:
        rows = rows[:: args.limit]
    counts = Counter(r["label"] for r in rows)
    print("labels:", dict(counts), "| sources:", dict(Counter(r["source"].split(":")[0] for r in rows)))
    report(rows, classifier(args.classifier), args.show)
    return 0


if __name__ == "__main__":
    sys.exit(main())
