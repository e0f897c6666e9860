"""The generator's ground truth, as functions: what happened, the experiment, and the ceiling.

The log, the zone and the truth CSV are rendered from `simulate`; tests and benchmarks read the
truth from here instead of parsing files.
"""

from .intent import Simulation, Truth
from .outreach import run_experiment
from .sales import run_sales


def simulate(*, visitors: int, days: int, seed: int) -> Truth:
    """Everything the generator decides for these parameters, the outreach experiment and the
    sales after the SQL included."""
    simulation = Simulation(visitors=visitors, days=days, seed=seed)
    truth = simulation.run()
    truth.experiment = run_experiment(simulation, truth)
    truth.sales = run_sales(truth, seed=seed)
    return truth


def oracle(truth: Truth, *, day: int, horizon: int = 30) -> tuple[list[float], list[int]]:
    """(true intent on `day`, converted within `horizon` days from it) for each human visitor
    in the log before `day` and not converted by then: the ceiling a forward-looking score can
    reach."""
    scores, labels = [], []
    for visitor in truth.visitors:
        if visitor.archetype in {"bot", "scraper"} or visitor.first_seen >= day:
            continue
        converted = visitor.converted_day
        if converted is not None and converted < day:
            continue
        scores.append(visitor.intent_on(day))
        labels.append(int(converted is not None and converted < day + horizon))
    return scores, labels
