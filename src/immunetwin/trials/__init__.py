"""In-silico randomised clinical trials (issue 6): spec, screening, arms, endpoints, reports.

::

    from immunetwin.trials import load_spec, run_trial, write_trial

    spec = load_spec("examples/trials/bliss52.toml", {"patients": 300})
    result = run_trial(spec, workers=2)
    print(result.summary_table())
    write_trial(result, "out/bliss52")
"""

from immunetwin.trials.output import results_dict as results_dict
from immunetwin.trials.output import write_trial as write_trial
from immunetwin.trials.run import TrialResult as TrialResult
from immunetwin.trials.run import check_trial as check_trial
from immunetwin.trials.run import run_trial as run_trial
from immunetwin.trials.run import trial_model as trial_model
from immunetwin.trials.spec import Expression as Expression
from immunetwin.trials.spec import TrialSpec as TrialSpec
from immunetwin.trials.spec import load_spec as load_spec
from immunetwin.trials.spec import parse_spec as parse_spec

__all__ = [
    "Expression",
    "TrialResult",
    "TrialSpec",
    "check_trial",
    "load_spec",
    "parse_spec",
    "results_dict",
    "run_trial",
    "trial_model",
    "write_trial",
]
