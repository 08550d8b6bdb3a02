#!/usr/bin/python3
"""Golden fixtures for BioXBridge.Evaluation (metrics, logistic regression, StratifiedKFold, CKA, probe).

Run with Debian's interpreter and packages (python3-numpy, python3-scipy, python3-sklearn), from the repo root:

    /usr/bin/python3 tools/golden/evaluation_golden.py

It rewrites tests/BioXBridge.Tests/Fixtures/evaluation/*.json deterministically (fixed seeds). The C# tests
compare against these numbers, so regenerate only when the reference semantics should change, and commit the
JSON together with the sklearn version recorded in each file.

Logistic regression and the probe are pinned twice: logreg.json / probe.json with the objective of scikit-learn
1.5.2 (what the release ran; run here by tools/golden/sklearn_objective.py, which edits Debian's 1.2.1 lbfgs path in
the three places 1.4 changed and self-checks that the unedited recompiled path reproduces 1.2.1 bit for bit), and
logreg_sklearn12.json / probe_sklearn12.json with the installed 1.2.1 as is. Each file's "objective" field says which.
probe.json also holds the release's exact call, cross_val_score(LogisticRegression(max_iter=1000, random_state=0),
X, y, cv=5, scoring='f1_macro'), with its per-fold scores in fold order.

cka_flatten.json runs the release's own CKA (bridge_position_selector_utils.py: cka(gram_linear(X), gram_linear(Y)))
on flattened (n, tokens, d) activations. It is read from the release's git snapshot (the `fetch` tool's copy of
github:chenqi-li/BioX-Bridge; the path of its bare git repository in BIOX_RELEASE_GIT).
"""
import json
import os
import subprocess
import sys
import types
import warnings

import numpy as np
import scipy
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (accuracy_score, balanced_accuracy_score, cohen_kappa_score, confusion_matrix,
                             f1_score, log_loss)
from sklearn.model_selection import StratifiedKFold, cross_val_score

import sklearn_objective

OBJECTIVES = {"1.5.2": "scikit-learn 1.5.2 lbfgs objective (mean loss, l2 = 1/(C n), maxls 50, ftol 64 eps), run by "
                       "tools/golden/sklearn_objective.py on the installed scikit-learn",
              "1.2.1": "scikit-learn 1.2.1 lbfgs objective as installed (summed loss, l2 = 1/C, scipy defaults)"}
OBJECTIVE_CHECK = {}  # sklearn_objective.self_check(): the patch mechanism reproduces 1.2.1 bit for bit

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                   "tests", "BioXBridge.Tests", "Fixtures", "evaluation")
VERSIONS = {"sklearn": sklearn.__version__, "numpy": np.__version__, "scipy": scipy.__version__}


def dump(name, payload):
    os.makedirs(OUT, exist_ok=True)
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        # repr-precision floats round-trip exactly into C# doubles; allow_nan=False keeps the JSON strict.
        json.dump({"versions": VERSIONS, **payload}, f, allow_nan=False, separators=(",", ":"))
    print(f"{os.path.normpath(path)}: {os.path.getsize(path)} bytes")


def lst(a):
    return np.asarray(a).tolist()


def metrics_fixture():
    rng = np.random.RandomState(20251002)
    cases = []

    def add(name, yt, yp, k):
        yt, yp = np.asarray(yt), np.asarray(yp)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # y_pred-only classes and zero_division warn; values are what we pin
            cases.append({
                "name": name, "num_classes": k, "y_true": lst(yt), "y_pred": lst(yp),
                "accuracy": accuracy_score(yt, yp),
                "balanced_accuracy": balanced_accuracy_score(yt, yp),
                "f1_macro": f1_score(yt, yp, average="macro"),
                "f1_weighted": f1_score(yt, yp, average="weighted"),
                "kappa": cohen_kappa_score(yt, yp),
                "confusion": lst(confusion_matrix(yt, yp, labels=list(range(k)))),
            })

    for i, (k, n) in enumerate([(2, 30), (3, 50), (4, 80), (5, 200), (3, 17), (6, 60)]):
        add(f"uniform_{i}", rng.randint(0, k, n), rng.randint(0, k, n), k)
    # Skewed predictor: mostly right, never predicts the last class.
    yt = rng.randint(0, 4, 100)
    yp = np.where(rng.rand(100) < 0.7, yt, rng.randint(0, 3, 100))
    yp[yp == 3] = 2
    add("never_predicts_last", yt, yp, 4)
    # Predictions contain a class absent from y_true, and class 4 of 5 appears nowhere.
    yt = rng.randint(0, 3, 40)
    yp = rng.randint(0, 4, 40)
    add("pred_only_class_and_unused_label", yt, yp, 5)
    dump("metrics.json", {"cases": cases})


def logreg_fixture(version, name):
    rng = np.random.RandomState(7)
    cases = []

    def add(name, X, y, k, C, Xtest):
        clf = LogisticRegression(C=C, max_iter=1000).fit(X, y)  # lbfgs, tol 1e-4, multi_class auto
        cases.append({
            "name": name, "num_classes": k, "C": C, "X": lst(X), "y": lst(y), "X_test": lst(Xtest),
            "classes": lst(clf.classes_), "coef": lst(clf.coef_), "intercept": lst(clf.intercept_),
            "n_iter": int(clf.n_iter_[0]),
            "proba_test": lst(clf.predict_proba(Xtest)), "pred_test": lst(clf.predict(Xtest)),
            "log_loss_train": log_loss(y, clf.predict_proba(X)),
        })

    def noisy(n, d, k, scale):
        # Labels from a noisy linear score: overlapping classes, so the optimum is finite and well defined.
        X = rng.randn(n, d)
        B = rng.randn(d, k) * scale
        y = np.argmax(X @ B + rng.gumbel(size=(n, k)), axis=1)
        return X, y

    X, y = noisy(150, 8, 3, 0.8)
    add("multinomial_3", X, y, 3, 1.0, rng.randn(20, 8))
    X, y = noisy(120, 5, 2, 1.0)
    add("binary", X, y, 2, 1.0, rng.randn(20, 5))
    X, y = noisy(160, 6, 4, 0.7)
    add("multinomial_4_C0.1", X, y, 4, 0.1, rng.randn(20, 6))
    # Only labels {0, 2, 3} of 5 occur: sklearn models just those; C# must map them back.
    X, y = noisy(120, 4, 3, 1.0)
    y = np.array([0, 2, 3])[y]
    add("sparse_labels", X + 0.5, y, 5, 1.0, rng.randn(20, 4))
    dump(name, {"objective": OBJECTIVES[version], "objective_self_check": OBJECTIVE_CHECK, "cases": cases})


def skf_fixture():
    rng = np.random.RandomState(11)
    cases = []

    def add(name, y, n_splits):
        y = np.asarray(y)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # least-populated-class warnings are part of what we pin
            folds = [lst(test) for _, test in StratifiedKFold(n_splits).split(np.zeros(len(y)), y)]
        cases.append({"name": name, "y": lst(y), "n_splits": n_splits, "test_folds": folds})

    add("balanced_shuffled", rng.permutation(np.repeat([0, 1, 2], 20)), 5)
    add("unbalanced", rng.choice(4, 97, p=[0.6, 0.25, 0.1, 0.05]), 5)
    add("first_seen_not_sorted", [2, 2, 0, 1, 2, 0, 1, 1, 2, 0, 0, 2, 1, 2, 2, 0, 1], 3)
    add("rare_class_warns", np.r_[np.zeros(30, int), np.ones(3, int), np.full(12, 2)][rng.permutation(45)], 5)
    add("ten_folds", rng.randint(0, 5, 123), 10)
    add("binary_sorted", np.r_[np.zeros(11, int), np.ones(7, int)], 4)
    add("tiny_rare_class", [1, 0, 1, 1, 1, 1], 5)
    add("single_class", [4, 4, 4, 4, 4], 5)
    dump("stratified_kfold.json", {"cases": cases})


def cka_reference(X, Y):
    # Straight from the definition: centred Grams via H, Frobenius inner products.
    n = X.shape[0]
    H = np.eye(n) - np.ones((n, n)) / n
    K, L = H @ X @ X.T @ H, H @ Y @ Y.T @ H
    return float(np.sum(K * L) / (np.linalg.norm(K) * np.linalg.norm(L)))


def cka_fixture():
    rng = np.random.RandomState(3)
    cases = []
    for name, n, p, q in [("tall_feature_form", 60, 5, 7), ("wide_gram_form", 12, 40, 25), ("mixed", 30, 20, 3)]:
        X = rng.randn(n, p) * rng.rand(p) * 3 + rng.randn(p)
        # Y partly depends on X so the value is away from both 0 and 1.
        Y = np.tanh(X @ rng.randn(p, q)) + 0.5 * rng.randn(n, q)
        cases.append({"name": name, "X": lst(X), "Y": lst(Y), "cka": cka_reference(X, Y)})
    dump("cka.json", {"cases": cases})


def probe_fixture(version, name):
    rng = np.random.RandomState(5)
    cases = []

    def add(name, X, y, k, folds=5):
        scores = {"f1": [], "acc": [], "loss": []}
        for tr, te in StratifiedKFold(folds).split(X, y):
            clf = LogisticRegression(C=1.0, max_iter=1000).fit(X[tr], y[tr])
            pred = clf.predict(X[te])
            scores["f1"].append(f1_score(y[te], pred, average="macro"))
            scores["acc"].append(accuracy_score(y[te], pred))
            scores["loss"].append(log_loss(y[te], clf.predict_proba(X[te]), labels=clf.classes_))
        f1_cv = cross_val_score(LogisticRegression(C=1.0, max_iter=1000), X, y, cv=StratifiedKFold(folds),
                                scoring="f1_macro")
        assert np.allclose(f1_cv, scores["f1"]), "manual folds disagree with cross_val_score"
        case = {"name": name, "num_classes": k, "folds": folds, "X": lst(X), "y": lst(y),
                "f1_macro": float(np.mean(f1_cv)), "accuracy": float(np.mean(scores["acc"])),
                "log_loss": float(np.mean(scores["loss"])), "f1_per_fold": lst(f1_cv)}
        if folds == 5:
            # The release's call, verbatim (bridge_position_selector.py): cv=5 means StratifiedKFold(5), unshuffled.
            release = cross_val_score(LogisticRegression(max_iter=1000, random_state=0), X, y, cv=5,
                                      scoring="f1_macro")
            assert np.array_equal(release, f1_cv), "cv=5 is not StratifiedKFold(5)"
            case["release_f1_per_fold"] = lst(release)
        cases.append(case)

    def pooled(n, d, k, signal):
        y = rng.randint(0, k, n)
        centres = rng.randn(k, d) * signal
        return rng.randn(n, d) + centres[y], y

    X, y = pooled(150, 10, 3, 0.6)
    add("three_class", X, y, 3)
    X, y = pooled(100, 12, 2, 0.4)
    add("binary", X, y, 2)
    X, y = pooled(200, 16, 5, 0.5)
    add("five_class_ten_folds", X, y, 5, folds=10)
    dump(name, {"objective": OBJECTIVES[version], "objective_self_check": OBJECTIVE_CHECK, "cases": cases})


def release_cka_module():
    git_dir = os.environ.get("BIOX_RELEASE_GIT")
    if not git_dir:
        sys.exit("set BIOX_RELEASE_GIT to a bare git repository of github.com/chenqi-li/BioX-Bridge (git clone --mirror)")
    src = subprocess.run(["git", "--git-dir", git_dir, "show", "HEAD:bridge_position_selector_utils.py"],
                         check=True, capture_output=True, text=True).stdout
    commit = subprocess.run(["git", "--git-dir", git_dir, "rev-parse", "HEAD"],
                            check=True, capture_output=True, text=True).stdout.strip()
    module = types.ModuleType("bridge_position_selector_utils")
    exec(compile(src, "bridge_position_selector_utils.py", "exec"), vars(module))
    return module, commit


def cka_flatten_fixture():
    """The release's stage-2 CKA on flattened block activations (the paper's N*d vectors), wide enough that only a
    Gram (n x n) form is cheap."""
    utils, commit = release_cka_module()
    rng = np.random.RandomState(13)
    cases = []
    for name, n, tx, dx, ty, dy in [("tokens_wide", 12, 16, 10, 8, 20), ("channel_major", 16, 6, 20, 10, 8)]:
        X = rng.randn(n, tx, dx) + rng.randn(1, tx, dx) * 2
        mix = rng.randn(tx * dx, ty * dy) / np.sqrt(tx * dx)
        Y = (np.tanh(X.reshape(n, -1) @ mix) + 0.7 * rng.randn(n, ty * dy)).reshape(n, ty, dy)
        flat = float(utils.cka(utils.gram_linear(X.reshape(n, -1)), utils.gram_linear(Y.reshape(n, -1))))
        pooled = float(utils.cka(utils.gram_linear(X.mean(axis=1)), utils.gram_linear(Y.mean(axis=1))))
        cases.append({"name": name, "X": lst(X), "Y": lst(Y), "cka_flatten": flat, "cka_mean_axis1": pooled})
    dump("cka_flatten.json", {"release_commit": commit, "release_file": "bridge_position_selector_utils.py",
                              "cases": cases})


if __name__ == "__main__":
    OBJECTIVE_CHECK.update(sklearn_objective.self_check())
    metrics_fixture()
    for version, suffix in (("1.5.2", ""), ("1.2.1", "_sklearn12")):
        with sklearn_objective.use(version):
            logreg_fixture(version, f"logreg{suffix}.json")
            probe_fixture(version, f"probe{suffix}.json")
    skf_fixture()
    cka_fixture()
    cka_flatten_fixture()
