"""Run scikit-learn 1.5.2's lbfgs logistic-regression objective on Debian's scikit-learn 1.2.1.

The release (chenqi-li/BioX-Bridge, environment.yml) pins scikit-learn 1.5.2 with scipy 1.13.1; only
scikit-learn 1.2.1 (python3-sklearn, Debian 12) with scipy 1.10.1 is installable here. Both scipy versions ship the
same Fortran L-BFGS-B 3.0, and between 1.2.1 and 1.5.2 the lbfgs path of LogisticRegression changed in exactly three
places (scikit-learn 1.4, "mean loss in LinearModelLoss"), read from the 1.5.x sources:

  1. sklearn/linear_model/_linear_loss.py, LinearModelLoss.loss_gradient: the data term is averaged, not summed:
         1.2.1:  loss = loss.sum()
         1.5.2:  sw_sum = n_samples if sample_weight is None else np.sum(sample_weight)
                 loss = loss.sum() / sw_sum
                 ...
                 grad_pointwise /= sw_sum            (after adding the penalty to the loss)
  2. sklearn/linear_model/_logistic.py, _logistic_regression_path, lbfgs branch: the penalty follows:
         1.2.1:  l2_reg_strength = 1.0 / C
         1.5.2:  l2_reg_strength = 1.0 / (C * sw_sum)   (sw_sum = sum of the class-weighted sample weights)
  3. the same call's scipy options:
         1.2.1:  {"iprint": iprint, "gtol": tol, "maxiter": max_iter}          (scipy defaults maxls=20, ftol=factr 1e7 * eps)
         1.5.2:  {"maxiter": max_iter, "maxls": 50, "iprint": iprint, "gtol": tol, "ftol": 64 * np.finfo(float).eps}

So 1.5.2 minimises F(w) / n instead of F(w) = sum_i logloss_i + |W|^2 / (2C): the same minimiser, but gtol (a bound on the
largest gradient entry) now bounds the *mean* gradient, so the solver stops at a different, looser point.

In 1.2.1's path sample_weight is always an array by then (ones times class weights), so the edit writes 1.5.2's sw_sum as
np.sum(sample_weight); with no class weights both are float(n) exactly.

`use("1.5.2")` applies these three edits to the installed 1.2.1 functions by source text (each edit must match exactly
once, or it raises), compiles them in their own modules and installs them; `use("1.2.1")` installs the unmodified
source compiled the same way, which `self_check()` verifies reproduces the real 1.2.1 coefficients bit for bit, so
the patch mechanism itself changes nothing. Nothing here is copied into the C# sources.
"""
import contextlib
import inspect
import textwrap

import numpy as np
import sklearn
from sklearn.linear_model import _linear_loss, _logistic

_EDITS = {
    "1.2.1": ([], []),
    "1.5.2": (
        [  # _logistic_regression_path
            ("            l2_reg_strength = 1.0 / C\n            iprint",
             "            l2_reg_strength = 1.0 / (C * np.sum(sample_weight))\n            iprint"),
            ('                options={"iprint": iprint, "gtol": tol, "maxiter": max_iter},',
             '                options={"maxiter": max_iter, "maxls": 50, "iprint": iprint, "gtol": tol,'
             ' "ftol": 64 * np.finfo(float).eps},'),
        ],
        [  # LinearModelLoss.loss_gradient
            ("    loss = loss.sum()\n    loss += self.l2_penalty(weights, l2_reg_strength)\n",
             "    sw_sum = X.shape[0] if sample_weight is None else np.sum(sample_weight)\n"
             "    loss = loss.sum() / sw_sum\n    loss += self.l2_penalty(weights, l2_reg_strength)\n"
             "    grad_pointwise /= sw_sum\n"),
        ],
    ),
}

_ORIGINAL_PATH = _logistic._logistic_regression_path
_ORIGINAL_LOSS_GRADIENT = _linear_loss.LinearModelLoss.loss_gradient


def _compile(func, module, edits):
    src = textwrap.dedent(inspect.getsource(func))
    for old, new in edits:
        if src.count(old) != 1:
            raise RuntimeError(f"{func.__qualname__}: expected exactly one {old!r} in scikit-learn "
                               f"{sklearn.__version__}'s source; this patch is written for 1.2.1")
        src = src.replace(old, new)
    scope = {}
    exec(compile(src, f"<{func.__qualname__} as run by sklearn_objective.py>", "exec"), vars(module), scope)
    return scope[func.__name__]


@contextlib.contextmanager
def use(version):
    """Within the block, LogisticRegression(solver='lbfgs') runs the given version's objective and scipy options."""
    if sklearn.__version__ != "1.2.1":
        raise RuntimeError(f"written for Debian's scikit-learn 1.2.1, found {sklearn.__version__}")
    path_edits, loss_edits = _EDITS[version]
    _logistic._logistic_regression_path = _compile(_ORIGINAL_PATH, _logistic, path_edits)
    _linear_loss.LinearModelLoss.loss_gradient = _compile(_ORIGINAL_LOSS_GRADIENT, _linear_loss, loss_edits)
    try:
        yield
    finally:
        _logistic._logistic_regression_path = _ORIGINAL_PATH
        _linear_loss.LinearModelLoss.loss_gradient = _ORIGINAL_LOSS_GRADIENT


def self_check():
    """The recompiled, unedited 1.2.1 reproduces the installed 1.2.1; the 1.5.2 edit lands on the same minimiser.

    Returns a dict of the measured differences (recorded in the fixtures)."""
    from sklearn.linear_model import LogisticRegression
    rng = np.random.RandomState(2024)
    out = {}
    for k in (2, 3):
        X = rng.randn(200, 6)
        y = np.argmax(X @ rng.randn(6, k) + rng.gumbel(size=(200, k)), axis=1)
        real = LogisticRegression(max_iter=1000).fit(X, y)
        with use("1.2.1"):
            same = LogisticRegression(max_iter=1000).fit(X, y)
        if not (np.array_equal(real.coef_, same.coef_) and np.array_equal(real.intercept_, same.intercept_)
                and real.n_iter_[0] == same.n_iter_[0]):
            raise RuntimeError("recompiled 1.2.1 path differs from the installed one")
        # Same minimiser: both versions driven to a tight tolerance agree (ftol = 64 eps stops 1.5.2 within ~1e-5).
        tight = LogisticRegression(max_iter=10000, tol=1e-10).fit(X, y)
        with use("1.5.2"):
            new_tight = LogisticRegression(max_iter=10000, tol=1e-12).fit(X, y)
            new_default = LogisticRegression(max_iter=1000).fit(X, y)
        d_opt = float(np.max(np.abs(tight.coef_ - new_tight.coef_)))
        if d_opt > 1e-4 * np.max(np.abs(tight.coef_)):
            raise RuntimeError(f"1.5.2 objective has a different minimiser ({d_opt})")
        out[f"k{k}"] = {"bitwise_equal_1_2_1": True, "tight_minimiser_max_abs_diff": d_opt,
                        "default_fit_max_abs_diff_1_2_vs_1_5": float(np.max(np.abs(real.coef_ - new_default.coef_))),
                        "n_iter_1_2": int(real.n_iter_[0]), "n_iter_1_5": int(new_default.n_iter_[0])}
    return out


if __name__ == "__main__":
    import json
    print(json.dumps(self_check(), indent=1))
