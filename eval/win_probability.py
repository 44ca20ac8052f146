"""Evaluation of the win-probability model on held-out generated deal history.

    python eval/win_probability.py [--accounts 6] [--people 150] [--deals 300] [--train 0.7] [--seed 1]

Generates `--accounts` accounts (`generate_account`, seeds seed..seed+n-1) into a temporary SQLite store, and
on each `--deals` closed opportunities (`samples.deals.generate_history`: the outcome is drawn from
the deal's relationship features through a logistic link with noise). Splits the deals at random into a
training and a held-out set, fits the model on the training set (`health.fit_model`: the same logistic
regression, each coefficient's sign bounded to its feature's common-sense direction, that the service fits on
a store's closed deals) and reports on the held-out set: AUC, Brier score and log loss of the fitted model,
of an unconstrained logistic regression (scikit-learn, for comparison: what the sign constraints cost), of
the fixed scorecard, and of the generator's own noise-free probability (the ceiling: what a perfect model of
the features could reach), then a calibration table by deciles of the predicted probability (mean predicted
vs observed win rate) and the coefficients of both fits. Prints Markdown with the machine line; exits 1 if a
fitted coefficient has the wrong sign.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score  # noqa: E402

from accountgraph.graph.sqlite import SqliteStore  # noqa: E402
from accountgraph.opportunities.features import DIRECTIONS, FEATURE_NAMES  # noqa: E402
from accountgraph.opportunities.health import WinModel, fit_model, scorecard  # noqa: E402
from accountgraph.samples.deals import generate_history  # noqa: E402
from accountgraph.samples.generator import DEFAULT_REFERENCE, generate_account  # noqa: E402
from accountgraph.services import analysis  # noqa: E402
from bench.machine import machine  # noqa: E402


def _metrics(y: list[int], p: list[float]) -> tuple[float, float, float]:
    return roc_auc_score(y, p), brier_score_loss(y, p), log_loss(y, p, labels=[0, 1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=6)
    parser.add_argument("--people", type=int, default=150)
    parser.add_argument("--deals", type=int, default=300, help="closed deals per account")
    parser.add_argument("--train", type=float, default=0.7, help="share of the deals the model is fitted on")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    rows: list[tuple[dict[str, float], bool, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteStore(f"sqlite:///{Path(tmp) / 'eval.db'}")
        try:
            for n in range(args.accounts):
                account = f"acct{n}"
                store.load_bundle(
                    generate_account(args.people, seed=args.seed + n, account_id=account, reference=DEFAULT_REFERENCE)
                )
                view = analysis.account_view(
                    store, account, as_of=DEFAULT_REFERENCE, reference=DEFAULT_REFERENCE, cache=None
                )
                for opp, x, p in generate_history(view, args.deals, seed=args.seed * 1000 + n):
                    rows.append((x, opp.stage == "won", p))
        finally:
            store.close()
    generated = time.perf_counter() - started
    rng = random.Random(args.seed)
    rng.shuffle(rows)
    cut = int(len(rows) * args.train)
    train, test = rows[:cut], rows[cut:]
    model = fit_model([(x, won) for x, won, _ in train])
    free = _unconstrained(train, model.centres, model.scales)
    card = scorecard()
    y = [1 if won else 0 for _, won, _ in test]
    fitted = [model.probability(x) for x, _, _ in test]
    unconstrained = [free.probability(x) for x, _, _ in test]
    scored = [card.probability(x) for x, _, _ in test]
    ceiling = [p for _, _, p in test]

    print(f"Machine: {machine()}")
    print(
        f"{args.accounts} generated accounts of {args.people} people, {args.deals} closed deals each "
        f"({len(rows)} deals, {sum(1 for _, w, _ in rows if w)} won); trained on {len(train)}, "
        f"held out {len(test)} ({sum(y)} won); seed {args.seed}; generated in {generated:.1f} s\n"
    )
    print("| model | AUC | Brier | log loss |")
    print("|---|---:|---:|---:|")
    base = sum(1 for _, w, _ in train if w) / len(train)
    for name, p in (
        (f"logistic regression, signs constrained (the service's; fitted on {len(train)})", fitted),
        (f"logistic regression, unconstrained (scikit-learn; fitted on {len(train)})", unconstrained),
        ("scorecard (fixed weights)", scored),
        ("base rate only", [base] * len(test)),
        ("generator's noise-free probability (ceiling)", ceiling),
    ):
        if name.startswith("base"):
            auc, brier, ll = 0.5, brier_score_loss(y, p), log_loss(y, p, labels=[0, 1])
        else:
            auc, brier, ll = _metrics(y, p)
        print(f"| {name} | {auc:.3f} | {brier:.3f} | {ll:.3f} |")

    print("\nCalibration of the fitted model on the held-out deals (deciles of the predicted probability):\n")
    print("| decile | deals | mean predicted | observed win rate |")
    print("|---:|---:|---:|---:|")
    order = sorted(range(len(test)), key=lambda i: fitted[i])
    for d in range(10):
        part = order[d * len(order) // 10 : (d + 1) * len(order) // 10]
        if not part:
            continue
        predicted = sum(fitted[i] for i in part) / len(part)
        observed = sum(y[i] for i in part) / len(part)
        print(f"| {d + 1} | {len(part)} | {predicted:.3f} | {observed:.3f} |")
    print("\nFitted coefficients (log-odds per standard deviation; direction: the sign common sense requires):\n")
    print("| feature | direction | constrained | unconstrained | mean | sd |")
    print("|---|---:|---:|---:|---:|---:|")
    for k in FEATURE_NAMES:
        print(
            f"| {k} | {DIRECTIONS[k]:+d} | {model.weights[k]:+.3f} | {free.weights[k]:+.3f} | "
            f"{model.centres[k]:.3f} | {model.scales[k]:.3f} |"
        )
    print(f"| (intercept) | | {model.intercept:+.3f} | {free.intercept:+.3f} | | |")
    wrong = [k for k in FEATURE_NAMES if model.weights[k] * DIRECTIONS[k] < 0]
    wrong_free = [k for k in FEATURE_NAMES if free.weights[k] * DIRECTIONS[k] < 0]
    print(
        f"\nCoefficients against their direction: constrained {len(wrong)}, "
        f"unconstrained {len(wrong_free)}{' (' + ', '.join(wrong_free) + ')' if wrong_free else ''}"
    )
    if wrong or not all(math.isfinite(v) for v in fitted):
        return 1
    return 0


def _unconstrained(
    rows: list[tuple[dict[str, float], bool, float]], centres: dict[str, float], scales: dict[str, float]
) -> WinModel:
    """scikit-learn's logistic regression (L2, C = 1) on the same standardised features, no sign bounds."""
    from sklearn.linear_model import LogisticRegression

    X = [[(x[k] - centres[k]) / scales[k] for k in FEATURE_NAMES] for x, _, _ in rows]
    fit = LogisticRegression(C=1.0, max_iter=2000, random_state=0).fit(X, [1 if won else 0 for _, won, _ in rows])
    return WinModel(
        kind="logistic_regression",
        intercept=float(fit.intercept_[0]),
        weights={k: float(fit.coef_[0][j]) for j, k in enumerate(FEATURE_NAMES)},
        centres=centres,
        scales=scales,
        trained_on=len(rows),
    )


if __name__ == "__main__":
    raise SystemExit(main())
