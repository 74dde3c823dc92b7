"""Writes packages/core/src/metrics/fixtures/sklearn-metrics.json: inputs and scikit-learn's values for the tests of
@unionml/core/metrics (metrics.sklearn.test.ts).

The inputs are realistic: the predictions, scores and probabilities of scikit-learn models fitted on fixed splits
of the data shipped in this repository (examples/digits/data/digits.csv.gz, examples/tabular/data/breast_cancer.csv,
examples/regression/data/diabetes.csv; run write_template_data.py first). Each case holds its data and a list of
checks: a metric of @unionml/core/metrics (its TypeScript name), the data it is called with, its options (the
TypeScript names) and the value of the matching scikit-learn function on the same data.

The file is formatted by the workspace's Prettier (node_modules/.bin/prettier: run `npm ci` first). Deterministic
(fixed splits and seeds, one BLAS thread): rerunning writes the same bytes. `--check` writes nothing
and exits 1 when the file differs.

    tools/sklearn-check/.venv/bin/python tools/sklearn-check/write_metric_goldens.py [--check]
"""

from __future__ import annotations

import os

# One thread for BLAS/OpenMP, so that fitted models (and the file) do not depend on the machine's cores.
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

import argparse  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import sklearn  # noqa: E402
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge  # noqa: E402
from sklearn.metrics import (  # noqa: E402
    accuracy_score,
    confusion_matrix,
    f1_score,
    log_loss,
    mean_absolute_error,
    mean_squared_error,
    precision_score,
    r2_score,
    recall_score,
    roc_auc_score,
    root_mean_squared_error,
)
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neighbors import KNeighborsClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.tree import DecisionTreeClassifier  # noqa: E402
from sklearn.utils.multiclass import unique_labels  # noqa: E402

from write_template_data import compact_json, prettier  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "packages" / "core" / "src" / "metrics" / "fixtures" / "sklearn-metrics.json"
SCRIPT = "tools/sklearn-check/write_metric_goldens.py"
WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


# ---------------------------------------------------------------------------------------------------------------
# Data shipped in the repository


def digits() -> tuple[np.ndarray, np.ndarray]:
    frame = pd.read_csv(ROOT / "examples" / "digits" / "data" / "digits.csv.gz", header=None)
    values = frame.to_numpy()
    return values[:, :-1].astype(float), values[:, -1].astype(int)


def breast_cancer() -> tuple[pd.DataFrame, np.ndarray]:
    frame = pd.read_csv(ROOT / "examples" / "tabular" / "data" / "breast_cancer.csv")
    return frame.drop(columns=["diagnosis"]), frame["diagnosis"].to_numpy(dtype=object)


def diabetes() -> tuple[pd.DataFrame, np.ndarray]:
    frame = pd.read_csv(ROOT / "examples" / "regression" / "data" / "diabetes.csv")
    return frame.drop(columns=["target"]), frame["target"].to_numpy(dtype=float)


# ---------------------------------------------------------------------------------------------------------------
# JSON values and scikit-learn's side of each check


def labels_list(values) -> list:
    """Labels as JSON values: Python ints, strs or bools."""
    out = []
    for v in values:
        if isinstance(v, (bool, np.bool_)):
            out.append(bool(v))
        elif isinstance(v, (int, np.integer)):
            out.append(int(v))
        elif isinstance(v, str):
            out.append(v)
        else:
            raise TypeError(f"not a label: {v!r}")
    return out


def floats(values) -> list:
    out = [float(v) for v in np.asarray(values, dtype=float).ravel()]
    assert all(math.isfinite(v) for v in out)
    return out


def matrix(values) -> list:
    return [floats(row) for row in np.asarray(values, dtype=float)]


def sk_array(value):
    """The array scikit-learn is given for a JSON value (labels keep their Python type: bools stay bools)."""
    if value and isinstance(value[0], list):
        return np.asarray(value, dtype=float)
    if value and isinstance(value[0], bool):
        return np.asarray(value, dtype=bool)
    if value and isinstance(value[0], str):
        return np.asarray(value, dtype=object)
    if value and all(isinstance(v, int) for v in value):
        return np.asarray(value, dtype=np.int64)
    return np.asarray(value, dtype=float)


def sklearn_value(metric: str, args: list, options: dict):
    """scikit-learn's value of `metric` (the TypeScript name) on `args` (JSON values) with `options` (TypeScript names)."""
    a = [sk_array(x) for x in args]
    kw = {}
    if "average" in options:
        kw["average"] = options["average"]
    if "posLabel" in options:
        kw["pos_label"] = options["posLabel"]
    if "labels" in options:
        kw["labels"] = options["labels"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zero_division and the like: the value is what is checked
        if metric == "accuracy":
            return accuracy_score(*a)
        if metric == "precision":
            return precision_score(*a, **kw)
        if metric == "recall":
            return recall_score(*a, **kw)
        if metric == "f1":
            return f1_score(*a, **kw)
        if metric == "rocAuc":
            if a[1].ndim == 2:
                kw["multi_class"] = "ovr"
            return roc_auc_score(*a, **kw)
        if metric == "logLoss":
            return log_loss(*a, **kw)
        if metric == "confusionMatrix":
            labels = options.get("labels")
            if labels is None:
                labels = labels_list(unique_labels(a[0], a[1]).tolist())
            cm = confusion_matrix(*a, labels=options.get("labels"))
            return {"labels": labels, "matrix": [[int(v) for v in row] for row in cm]}
        if metric == "r2":
            return r2_score(*a)
        if metric == "meanSquaredError":
            return mean_squared_error(*a)
        if metric == "rootMeanSquaredError":
            return root_mean_squared_error(*a)
        if metric == "meanAbsoluteError":
            return mean_absolute_error(*a)
    raise ValueError(f"unknown metric {metric}")


class Case:
    def __init__(self, name: str, about: str, **data):
        self.name = name
        self.about = about
        self.data = data
        self.checks: list[dict] = []

    def check(self, metric: str, *args: str, **options) -> "Case":
        value = sklearn_value(metric, [self.data[x] for x in args], options)
        if isinstance(value, dict):
            expected = value
        else:
            expected = float(value)
            assert math.isfinite(expected), f"{self.name}: {metric} {options} is {expected}"
        check = {"metric": metric, "args": list(args)}
        if options:
            check["options"] = options
        check["expected"] = expected
        self.checks.append(check)
        return self

    def classification(self, averages=("macro", "micro", "weighted"), binary: list | None = None) -> "Case":
        self.check("accuracy", "yTrue", "yPred")
        for metric in ("precision", "recall", "f1"):
            for pos in binary or []:
                if pos is None:
                    self.check(metric, "yTrue", "yPred")
                else:
                    self.check(metric, "yTrue", "yPred", posLabel=pos)
            for average in averages:
                self.check(metric, "yTrue", "yPred", average=average)
        self.check("confusionMatrix", "yTrue", "yPred")
        return self

    def json(self) -> dict:
        return {"name": self.name, "about": self.about, "data": self.data, "checks": self.checks}


# ---------------------------------------------------------------------------------------------------------------
# The cases


def cases() -> list[Case]:
    out: list[Case] = []
    X, y = digits()

    # Multiclass, integer labels: a good model (few errors), probabilities from predict_proba.
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.15, random_state=0, stratify=y)
    model = make_pipeline(StandardScaler(), LogisticRegression(C=0.05, max_iter=5000)).fit(X_train, y_train)
    proba = model.predict_proba(X_test)
    case = Case(
        "digits_logistic",
        "digits (10 classes, 0..9): StandardScaler + LogisticRegression(C=0.05) on a stratified 85/15 split (random_state=0)",
        yTrue=labels_list(y_test),
        yPred=labels_list(model.predict(X_test)),
        proba=matrix(proba),
    )
    case.classification()
    case.check("rocAuc", "yTrue", "proba").check("rocAuc", "yTrue", "proba", average="weighted")
    case.check("logLoss", "yTrue", "proba")
    out.append(case)

    # A few rows of the same: yTrue lacks classes, so logLoss needs labels; a confusion matrix of chosen classes.
    few = slice(0, 12)
    subset = Case(
        "digits_logistic_first_rows",
        "the first 12 test rows of digits_logistic: not every class occurs in yTrue",
        yTrue=labels_list(y_test[few]),
        yPred=labels_list(model.predict(X_test[few])),
        proba=matrix(proba[few]),
    )
    assert len(set(subset.data["yTrue"])) < 10
    subset.check("logLoss", "yTrue", "proba", labels=list(range(10)))
    subset.check("confusionMatrix", "yTrue", "yPred", labels=[8, 3, 5, 0])
    subset.check("accuracy", "yTrue", "yPred").check("f1", "yTrue", "yPred", average="macro")
    out.append(subset)

    # Multiclass, string labels whose sorted order is not the digits' order; a weak model (more errors).
    words = np.asarray(WORDS, dtype=object)[y]
    top = X[:, :24]  # the top three rows of pixels only
    X_train, X_test, y_train, y_test = train_test_split(top, words, test_size=0.1, random_state=1, stratify=words)
    model = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=5000)).fit(X_train, y_train)
    assert list(model.classes_) == sorted(WORDS)
    case = Case(
        "digits_words",
        "digits as words ('eight' < 'five' < ... < 'zero'): LogisticRegression(C=0.1) on the top 24 pixels, stratified 90/10 split (random_state=1); proba columns in sorted word order",
        yTrue=labels_list(y_test),
        yPred=labels_list(model.predict(X_test)),
        proba=matrix(model.predict_proba(X_test)),
    )
    case.classification()
    case.check("confusionMatrix", "yTrue", "yPred", labels=WORDS)
    case.check("rocAuc", "yTrue", "proba").check("rocAuc", "yTrue", "proba", average="weighted")
    case.check("rocAuc", "yTrue", "proba", labels=sorted(WORDS))
    case.check("logLoss", "yTrue", "proba")
    out.append(case)

    # Multiclass, a shallow tree: some classes never predicted (zero_division), probabilities of exactly 0 for the
    # actual class (log_loss's clipping) and few distinct scores (ties in ROC AUC).
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.15, random_state=2, stratify=y)
    model = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X_train, y_train)
    proba = model.predict_proba(X_test)
    predicted = model.predict(X_test)
    assert len(set(predicted)) < 10, "expected classes that are never predicted"
    assert (proba[np.arange(len(y_test)), y_test] == 0).any(), "expected a probability of 0 for an actual class"
    case = Case(
        "digits_tree",
        "digits: DecisionTreeClassifier(max_depth=3), stratified 85/15 split (random_state=2): classes never predicted (zero division), P=0 for actual classes (clipping), tied scores",
        yTrue=labels_list(y_test),
        yPred=labels_list(predicted),
        proba=matrix(proba),
    )
    case.classification()
    case.check("rocAuc", "yTrue", "proba").check("rocAuc", "yTrue", "proba", average="weighted")
    case.check("logLoss", "yTrue", "proba")
    out.append(case)

    # Multiclass, k nearest neighbours: probabilities in steps of 1/5, heavily tied.
    X_train, X_test, y_train, y_test = train_test_split(X[:, ::4], y, test_size=0.15, random_state=3)
    model = KNeighborsClassifier(n_neighbors=5).fit(X_train, y_train)
    case = Case(
        "digits_knn",
        "digits: KNeighborsClassifier(5) on every 4th pixel, shuffled 85/15 split (random_state=3): probabilities in steps of 0.2 (ties)",
        yTrue=labels_list(y_test),
        yPred=labels_list(model.predict(X_test)),
        proba=matrix(model.predict_proba(X_test)),
    )
    case.classification()
    case.check("rocAuc", "yTrue", "proba").check("rocAuc", "yTrue", "proba", average="weighted")
    case.check("logLoss", "yTrue", "proba")
    out.append(case)

    Xc, yc = breast_cancer()

    # Binary, string labels: the tabular template's pipeline and split. The positive class of rocAuc/logLoss is the
    # greater label, 'malignant'.
    X_train, X_test, y_train, y_test = train_test_split(Xc, yc, test_size=0.2, random_state=12345, stratify=yc)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=10000)).fit(X_train, y_train)
    assert list(model.classes_) == ["benign", "malignant"]
    proba = model.predict_proba(X_test)
    case = Case(
        "cancer_logistic",
        "breast cancer ('benign'/'malignant'): StandardScaler + LogisticRegression(max_iter=10000), the tabular template's split; scores = P(malignant)",
        yTrue=labels_list(y_test),
        yPred=labels_list(model.predict(X_test)),
        scores=floats(proba[:, 1]),
        proba=matrix(proba),
    )
    case.classification(binary=["malignant", "benign"])
    case.check("rocAuc", "yTrue", "scores")
    case.check("logLoss", "yTrue", "scores").check("logLoss", "yTrue", "proba")
    case.check("logLoss", "yTrue", "scores", labels=["benign", "malignant"])
    out.append(case)

    # Binary, boolean labels: default positive class True; a weak two-feature model.
    two = ["mean_radius", "mean_texture"]
    yb = yc == "malignant"
    X_train, X_test, y_train, y_test = train_test_split(Xc[two], yb, test_size=0.25, random_state=4)
    model = LogisticRegression(max_iter=10000).fit(X_train, y_train)
    case = Case(
        "cancer_booleans",
        "breast cancer as booleans (malignant = true): LogisticRegression on mean_radius and mean_texture, 75/25 split (random_state=4); scores = P(true)",
        yTrue=labels_list(y_test),
        yPred=labels_list(model.predict(X_test)),
        scores=floats(model.predict_proba(X_test)[:, 1]),
    )
    case.classification(binary=[None, False])
    case.check("rocAuc", "yTrue", "scores").check("logLoss", "yTrue", "scores")
    out.append(case)

    # Binary, 0/1 labels, tied scores: probabilities rounded to one decimal (0.0 and 1.0 included: clipping).
    y01 = (yc == "malignant").astype(int)
    three = ["worst_radius", "worst_texture", "worst_smoothness"]
    X_train, X_test, y_train, y_test = train_test_split(Xc[three], y01, test_size=0.3, random_state=5)
    model = make_pipeline(StandardScaler(), LogisticRegression()).fit(X_train, y_train)
    rounded = np.round(model.predict_proba(X_test)[:, 1], 1)
    assert len(set(rounded)) <= 11 and (rounded == 0).any() and (rounded == 1).any()
    case = Case(
        "cancer_rounded_ties",
        "breast cancer as 0/1 (malignant = 1): LogisticRegression on three features, 70/30 split (random_state=5); scores = P(1) rounded to 0.1 (ties, exact 0 and 1)",
        yTrue=labels_list(y_test),
        yPred=labels_list((rounded >= 0.5).astype(int)),
        scores=floats(rounded),
    )
    case.classification(binary=[None, 0])
    case.check("rocAuc", "yTrue", "scores").check("logLoss", "yTrue", "scores")
    out.append(case)

    Xd, yd = diabetes()
    X_train, X_test, y_train, y_test = train_test_split(Xd, yd, test_size=0.2, random_state=12345, shuffle=True)
    linear = LinearRegression().fit(X_train, y_train)
    ridge = make_pipeline(StandardScaler(), Ridge(alpha=10.0)).fit(X_train, y_train)

    def regression(case: Case) -> Case:
        for metric in ("r2", "meanSquaredError", "rootMeanSquaredError", "meanAbsoluteError"):
            case.check(metric, "yTrue", "yPred")
        return case

    out.append(
        regression(
            Case(
                "diabetes_linear",
                "diabetes (unscaled): LinearRegression, the regression template's split; test predictions",
                yTrue=floats(y_test),
                yPred=floats(linear.predict(X_test)),
            )
        )
    )
    out.append(
        regression(
            Case(
                "diabetes_ridge_train",
                "diabetes: StandardScaler + Ridge(alpha=10) on the same split; training predictions",
                yTrue=floats(y_train),
                yPred=floats(ridge.predict(X_train)),
            )
        )
    )
    out.append(
        regression(
            Case(
                "diabetes_train_mean",
                "diabetes: predicting the training mean for every test row (R² below 0)",
                yTrue=floats(y_test),
                yPred=floats(np.full(len(y_test), y_train.mean())),
            )
        )
    )
    constant = floats(np.full(5, 151.0))
    out.append(
        regression(
            Case(
                "constant_target",
                "a constant yTrue: R² is 1 for perfect predictions, else 0 (force_finite)",
                yTrue=constant,
                yPred=constant,
                yOff=floats(y_test[:5]),
            )
        ).check("r2", "yTrue", "yOff")
    )
    return out


def document() -> str:
    doc = {
        "generator": SCRIPT,
        "versions": {"sklearn": sklearn.__version__, "pandas": pd.__version__, "numpy": np.__version__},
        "cases": [case.json() for case in cases()],
    }
    return prettier(compact_json(doc) + "\n", OUT)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when the file is missing or differs")
    args = parser.parse_args()
    text = document()
    current = OUT.read_text(encoding="utf-8") if OUT.exists() else None
    if current == text:
        print(f"{OUT.relative_to(ROOT)} is current")
        return 0
    if args.check:
        print(f"stale: {OUT.relative_to(ROOT)} (rerun {SCRIPT})", file=sys.stderr)
        return 1
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {OUT.relative_to(ROOT)} ({len(text.encode()) // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
