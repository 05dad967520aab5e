"""Evaluate the learned scorecard against reference models on the real datasets of ../shared/data.

    .venv/bin/python benchmarks/eval_learn.py [--data ../shared/data] [--folds 5] [--seed 0] [--output table.md]

For every dataset and variant (leaking columns removed as their READMEs say): stratified
k-fold cross-validation with a fixed seed, and a time-ordered split (train on the first
80%, test on the last 20%) where the data has an order. Prints a markdown table of ROC
AUC: the learned scorecard (with its number of rules), logistic regression, gradient
boosting (HistGradientBoosting), the same boosting without interactions, naive Bayes.
The same settings for every dataset: ScorecardFitter's defaults (up to 5 interaction rules).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from leadscore.errors import InputError
from leadscore.learn import Comparison, ScorecardFitter, cross_validate, time_split
from leadscore.learn.datasets import Dataset, all_datasets, shared_data_dir

MODELS = ("scorecard", "logistic", "gradient_boosting", "additive_boosting", "naive_bayes")
HEADER = (
    "| dataset / variant | split | leads | converted | learned scorecard (rules) | logistic regression "
    "| gradient boosting | boosting, no interactions | naive Bayes | within 0.01 of boosting | above naive Bayes |"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=None, help="the shared datasets folder (default: ../shared/data)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", type=Path, default=None, help="also write the markdown table here")
    args = parser.parse_args()
    try:
        datasets = all_datasets(args.data)
    except InputError as exc:
        print(f"cannot run the evaluation: {exc}", file=sys.stderr)
        return 2
    lines = [HEADER, "|" + "---|" * (HEADER.count("|") - 1)]
    started = time.monotonic()
    for dataset in datasets:
        for comparison in evaluate(dataset, args.folds, args.seed):
            lines.append(row(dataset, comparison))
            print(f"{dataset.name}: {comparison.split} done ({time.monotonic() - started:.0f}s)", file=sys.stderr, flush=True)
    table = "\n".join(lines)
    print(table)
    print(f"\ndata: {shared_data_dir(args.data)}; settings: ScorecardFitter defaults, seed {args.seed}", file=sys.stderr)
    if args.output:
        args.output.write_text(table + "\n", encoding="utf-8")
    return 0


def evaluate(dataset: Dataset, folds: int, seed: int) -> list[Comparison]:
    fitter = ScorecardFitter(random_state=seed)
    out = [cross_validate(dataset.X, dataset.y, folds=folds, random_state=seed, fitter=fitter, models=MODELS)]
    if dataset.order is not None:
        out.append(
            time_split(dataset.X, dataset.y, dataset.order, random_state=seed, fitter=fitter, models=MODELS, order_name=dataset.order_name or "time")
        )
    return out


def row(dataset: Dataset, comparison: Comparison) -> str:
    results = comparison.results
    split = "time-ordered 80/20" if comparison.split.startswith("time") else comparison.split.split(" (")[0]
    scorecard = results["scorecard"]
    rules = sum(scorecard.rules) / len(scorecard.rules)
    close = scorecard.auc >= results["gradient_boosting"].auc - 0.01
    above = scorecard.auc > results["naive_bayes"].auc
    cells = [
        dataset.name,
        split,
        f"{len(dataset.y):,}",
        f"{dataset.positive_rate:.1%}",
        f"**{scorecard.auc:.3f}** ({rules:.0f})",
        *(f"{results[m].auc:.3f}" for m in ("logistic", "gradient_boosting", "additive_boosting", "naive_bayes")),
        "yes" if close else f"no ({scorecard.auc - results['gradient_boosting'].auc:+.3f})",
        "yes" if above else f"no ({scorecard.auc - results['naive_bayes'].auc:+.3f})",
    ]
    return "| " + " | ".join(cells) + " |"


if __name__ == "__main__":
    sys.exit(main())
