"""Training time of `techmarket train-matcher`'s model on 100,000 outcomes (synthetic, deterministic).

`python -m tests.bench.bench_matcher [outcomes]` — prints the wall time of `matching.learning.train` (LightGBM
lambdarank, time-split hold-out and both evaluations included) and the hold-out metrics.
"""

import sys
import time

from matching.learning import train
from tests.matching.outcomes import synthetic_outcomes


def main(total: int = 100_000, per_demand: int = 20) -> None:
    outcomes = synthetic_outcomes(total // per_demand, per_demand)
    started = time.perf_counter()
    result = train(outcomes)
    elapsed = time.perf_counter() - started
    print(
        f"train-matcher on {len(outcomes):,} outcomes: {elapsed:.1f} s (model fit {result.metrics['train_seconds']} s)"
    )
    print(result.metrics, "adopted" if result.adopt else "not adopted")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
