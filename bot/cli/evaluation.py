"""`wikibot eval QA.jsonl`: retrieval and answer metrics over labelled questions, the gates
(exit 3 below them), and `--fit`, which re-fits the answer decisions on them."""

from __future__ import annotations

import argparse
import json
import sys

from bot.app import App


def eval_command(app: App, args: argparse.Namespace) -> int:
    from bot.learning.evaluation import evaluate, load_qa

    if args.fit:
        return _fit(app, args)
    report = evaluate(app.answer_engine, load_qa(args.qa))
    metrics = report.metrics()
    if args.json:
        print(json.dumps({"metrics": metrics, "rows": report.rows}, ensure_ascii=False))
    else:
        for row in report.rows:
            mark = (
                "ok "
                if (row["cited_gold"] if row["answerable"] else not row["answered"])
                else "MISS"
            )
            print(f"{mark} {row['id']}: {row['question']}  cited={row['cited']}")
        print(json.dumps(metrics, indent=2))
    failed = [
        f"{name} {metrics[name]} < {minimum}"
        for name, minimum in (
            ("retrieved_gold", args.min_hit),
            ("declined_unanswerable", args.min_decline),
        )
        if minimum is not None and metrics[name] < minimum
    ]
    if failed:  # CI or a CronJob blocks a bad index or configuration on this
        print(f"wikibot: below the gate: {'; '.join(failed)}", file=sys.stderr)
        return 3
    return 0


def _fit(app: App, args: argparse.Namespace) -> int:
    """Re-fit the answer decisions on the admin's own labelled questions."""
    from bot.answer.fitting import fit, score
    from bot.learning.evaluation import gather_records, load_qa

    rows = load_qa(args.qa)
    records = gather_records(app.answer_engine, rows, args.qa.name)
    answerable = sum(r.answerable for r in records)
    if answerable < 5 or answerable == len(records):
        print(
            f"wikibot: {args.qa} has {answerable} answerable and {len(records) - answerable} "
            "unanswerable question(s); fitting needs at least 5 answerable and 1 unanswerable "
            "(about 30 and 5 to be worth it)",
            file=sys.stderr,
        )
        return 2
    model = fit(records, groups=[str(args.qa)])
    path = app.settings.decision_model_path
    model.save(path)
    m = score(model, records)
    print(
        f"wrote {path}: fitted on {len(records)} questions; on those same questions (optimistic): "
        f"cited-gold {m['cited_gold']:.2f}, declined unanswerable "
        f"{m['declined_unanswerable']:.2f}, wrongly declined {m['wrongly_declined']:.2f}, "
        f"{m['cited_per_answer']:.2f} sources per answer. Delete the file to return to the "
        "shipped model."
    )
    if len(records) < 40:
        print("warning: fewer than 40 questions; the fit may not carry over", file=sys.stderr)
    return 0
