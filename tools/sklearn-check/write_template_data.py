"""Writes the data of the `regression` and `tabular` templates, and the scikit-learn reference scores of the three templates.

- examples/regression/data/diabetes.csv, diabetes.rst: scikit-learn's diabetes data set, unscaled
  (load_diabetes(scaled=False, as_frame=True)), columns age, sex, bmi, bp, s1..s6, target.
- examples/tabular/data/breast_cancer.csv, breast_cancer.rst: scikit-learn's breast cancer data set, snake_case
  feature names (mean_radius, ..., worst_fractal_dimension) and a `diagnosis` column of "malignant" / "benign".
- tools/sklearn-check/template-references.json: the scores of the reference scikit-learn pipelines on those files
  (read back from the CSV files written, so they are the scores of the shipped data), with the split's row indices.
  Formatted by the workspace's Prettier (node_modules/.bin/prettier: run `npm ci` first).

Deterministic: rerunning writes the same bytes. `--check` writes nothing and exits 1 when a file differs.

    tools/sklearn-check/.venv/bin/python tools/sklearn-check/write_template_data.py [--check]
"""

from __future__ import annotations

import os

# One thread for BLAS/OpenMP, so that fitted models (and the files) do not depend on the machine's cores.
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

import argparse  # noqa: E402
import csv  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import sklearn  # noqa: E402
from sklearn.datasets import load_breast_cancer, load_diabetes  # noqa: E402
from sklearn.linear_model import LinearRegression, LogisticRegression  # noqa: E402
from sklearn.metrics import accuracy_score, f1_score, mean_absolute_error, mean_squared_error, r2_score, roc_auc_score  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
REGRESSION = ROOT / "examples" / "regression" / "data"
TABULAR = ROOT / "examples" / "tabular" / "data"
REFERENCES = ROOT / "tools" / "sklearn-check" / "template-references.json"
SCRIPT = "tools/sklearn-check/write_template_data.py"
SEED = 12345
TEST_SIZE = 0.2


def number(value: float) -> str:
    """A float as CSV text: integral values without '.0' (like sklearn's raw files), others as Python's repr."""
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"non-finite value {value}")
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(value)


def to_csv(frame: pd.DataFrame) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(frame.columns)
    for row in frame.itertuples(index=False):
        writer.writerow([v if isinstance(v, str) else number(v) for v in row])
    return out.getvalue()


def read_back(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text))


def snake(name: str) -> str:
    return name.strip().lower().replace(" ", "_")


def versions() -> dict[str, str]:
    return {"python": platform.python_version(), "sklearn": sklearn.__version__, "pandas": pd.__version__, "numpy": np.__version__}


def diabetes() -> tuple[str, str, pd.DataFrame]:
    bunch = load_diabetes(scaled=False, as_frame=True)
    frame = bunch.frame
    assert list(frame.columns) == ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6", "target"], frame.columns
    text = to_csv(frame)
    back = read_back(text)
    assert np.array_equal(back.to_numpy(dtype=float), frame.to_numpy(dtype=float)), "diabetes.csv does not read back exactly"
    descr = bunch.DESCR.rstrip("\n")
    rst = f"""{descr}

.. note::

  This copy is NOT scaled: the features are the raw values (``load_diabetes(scaled=False)``), not the mean-centred,
  scaled values the note above describes. Columns: age, sex (1 or 2), bmi, bp, s1..s6, target.

Source: scikit-learn {sklearn.__version__}, ``sklearn.datasets.load_diabetes(scaled=False, as_frame=True)`` (the
file sklearn/datasets/data/diabetes_data_raw.csv.gz distributed with scikit-learn under the BSD-3-Clause licence),
written to diabetes.csv by {SCRIPT}.
Original data: B. Efron, T. Hastie, I. Johnstone and R. Tibshirani (2004), "Least Angle Regression", Annals of
Statistics 32(2), 407-499, https://www4.stat.ncsu.edu/~boos/var.select/diabetes.html. The original source states no
licence of its own.
"""
    return text, rst, back


def breast_cancer() -> tuple[str, str, pd.DataFrame]:
    bunch = load_breast_cancer(as_frame=True)
    features = bunch.data.rename(columns=snake)
    assert features.columns.is_unique
    names = np.asarray(bunch.target_names)
    frame = features.assign(diagnosis=names[bunch.target.to_numpy()])
    assert sorted(set(frame["diagnosis"])) == ["benign", "malignant"]
    text = to_csv(frame)
    back = read_back(text)
    assert np.array_equal(back[features.columns].to_numpy(dtype=float), features.to_numpy(dtype=float)), "breast_cancer.csv does not read back"
    assert (back["diagnosis"] == frame["diagnosis"]).all()
    counts = frame["diagnosis"].value_counts()
    descr = bunch.DESCR.rstrip("\n")
    rst = f"""{descr}

.. note::

  In this copy the feature columns are named in snake_case (``mean_radius``, ``radius_error``, ``worst_radius``...)
  and the class is the column ``diagnosis``, holding "malignant" ({counts["malignant"]} rows) or "benign"
  ({counts["benign"]} rows).

Source: scikit-learn {sklearn.__version__}, ``sklearn.datasets.load_breast_cancer(as_frame=True)`` (the file
sklearn/datasets/data/breast_cancer.csv distributed with scikit-learn under the BSD-3-Clause licence), written to
breast_cancer.csv by {SCRIPT}.
Original data: W. Wolberg, O. Mangasarian, N. Street and W. Street (1993), Breast Cancer Wisconsin (Diagnostic),
UCI Machine Learning Repository, https://doi.org/10.24432/C5DW2B, licensed under Creative Commons Attribution 4.0
International (CC BY 4.0).
"""
    return text, rst, back


def regression_references(frame: pd.DataFrame) -> dict:
    X = frame.drop(columns=["target"])
    y = frame["target"]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=TEST_SIZE, random_state=SEED, shuffle=True)
    model = LinearRegression().fit(X_train, y_train)

    def scores(X_split: pd.DataFrame, y_split: pd.Series) -> dict:
        predicted = model.predict(X_split)
        return {
            "r2": r2_score(y_split, predicted),
            "mse": mean_squared_error(y_split, predicted),
            "rmse": math.sqrt(mean_squared_error(y_split, predicted)),
            "mae": mean_absolute_error(y_split, predicted),
        }

    return {
        "data": "examples/regression/data/diabetes.csv",
        "features": list(X.columns),
        "target": "target",
        "split": f"train_test_split(X, y, test_size={TEST_SIZE}, random_state={SEED}, shuffle=True)",
        "pipeline": "LinearRegression()",
        "rows": {"train": len(y_train), "test": len(y_test)},
        "test": scores(X_test, y_test),
        "train": scores(X_train, y_train),
        "coefficients": {"intercept": float(model.intercept_), **{c: float(v) for c, v in zip(X.columns, model.coef_)}},
        "testIndices": sorted(int(i) for i in X_test.index),
    }


def tabular_references(frame: pd.DataFrame) -> dict:
    X = frame.drop(columns=["diagnosis"])
    y = frame["diagnosis"]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=TEST_SIZE, random_state=SEED, stratify=y)
    scaler = StandardScaler().fit(X_train)
    model = LogisticRegression(max_iter=10000).fit(scaler.transform(X_train), y_train)
    malignant = list(model.classes_).index("malignant")

    def scores(X_split: pd.DataFrame, y_split: pd.Series) -> dict:
        Z = scaler.transform(X_split)
        predicted = model.predict(Z)
        return {
            "accuracy": accuracy_score(y_split, predicted),
            "f1": f1_score(y_split, predicted, pos_label="malignant"),
            "roc_auc": roc_auc_score(y_split, model.predict_proba(Z)[:, malignant]),
        }

    return {
        "data": "examples/tabular/data/breast_cancer.csv",
        "features": list(X.columns),
        "target": "diagnosis",
        "split": f"train_test_split(X, y, test_size={TEST_SIZE}, random_state={SEED}, stratify=y)",
        "pipeline": "StandardScaler() fitted on the training split, then LogisticRegression(max_iter=10000) (C=1, lbfgs)",
        "metrics": "accuracy_score; f1_score(pos_label='malignant'); roc_auc_score of P(malignant)",
        "rows": {"train": len(y_train), "test": len(y_test)},
        "classCounts": {
            "train": {str(k): int(v) for k, v in sorted(y_train.value_counts().items())},
            "test": {str(k): int(v) for k, v in sorted(y_test.value_counts().items())},
        },
        "test": scores(X_test, y_test),
        "train": scores(X_train, y_train),
        "testIndices": sorted(int(i) for i in X_test.index),
    }


def basic_references() -> dict:
    """The `basic` template (examples/digits): a multinomial logistic regression on standardized pixels, the kind of
    model its app trains (softmax regression with a small L2 penalty), on the same split."""
    # No header: 64 pixel columns, then the digit (as scikit-learn's own digits.csv.gz).
    frame = pd.read_csv(ROOT / "examples" / "digits" / "data" / "digits.csv.gz", header=None)
    frame.columns = [f"pixel_{i // 8}_{i % 8}" for i in range(64)] + ["target"]
    X = frame.drop(columns=["target"])
    y = frame["target"]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=TEST_SIZE, random_state=SEED, shuffle=True)
    scaler = StandardScaler().fit(X_train)
    model = LogisticRegression(max_iter=10000).fit(scaler.transform(X_train), y_train)
    return {
        "data": "examples/digits/data/digits.csv.gz",
        "target": "target",
        "split": f"train_test_split(X, y, test_size={TEST_SIZE}, random_state={SEED}, shuffle=True)",
        "pipeline": "StandardScaler() fitted on the training split, then LogisticRegression(max_iter=10000) (C=1, lbfgs, multinomial)",
        "rows": {"train": len(y_train), "test": len(y_test)},
        "test": {"accuracy": accuracy_score(y_test, model.predict(scaler.transform(X_test)))},
        "train": {"accuracy": accuracy_score(y_train, model.predict(scaler.transform(X_train)))},
    }


def references(regression: pd.DataFrame, tabular: pd.DataFrame) -> str:
    doc = {
        "generator": SCRIPT,
        "versions": versions(),
        "note": "Scores of scikit-learn pipelines on the template data. testIndices are 0-based data-row positions in the CSV file (the header row not counted), sorted.",
        "basic": basic_references(),
        "regression": regression_references(regression),
        "tabular": tabular_references(tabular),
    }
    return compact_json(doc) + "\n"


def prettier(text: str, path: Path) -> str:
    """`text` as the workspace's Prettier formats the file `path` (`npm run lint` checks every JSON file)."""
    binary = ROOT / "node_modules" / ".bin" / "prettier"
    result = subprocess.run(
        [str(binary), "--stdin-filepath", str(path.relative_to(ROOT))], input=text, capture_output=True, text=True, cwd=ROOT, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"prettier failed on {path}: {result.stderr}")
    return result.stdout


def compact_json(value, indent: int = 0) -> str:
    """JSON with objects indented and lists of scalars on one line (deterministic, short)."""
    pad = "  " * indent
    inner = "  " * (indent + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        line = one_line(value)
        if line is not None and len(pad) + len(line) <= 160:
            return line
        items = [f"{inner}{json.dumps(str(k))}: {compact_json(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, (list, tuple)):
        if all(not isinstance(v, (dict, list, tuple)) for v in value):
            return "[" + ", ".join(scalar(v) for v in value) + "]"
        return "[\n" + ",\n".join(inner + compact_json(v, indent + 1) for v in value) + "\n" + pad + "]"
    return scalar(value)


def one_line(value) -> str | None:
    """A dict on one line, or None when it holds a list of lists (matrices keep one row per line)."""
    if isinstance(value, dict):
        parts = [one_line(v) for v in value.values()]
        if any(p is None for p in parts):
            return None
        return "{" + ", ".join(f"{json.dumps(str(k))}: {p}" for k, p in zip(value.keys(), parts)) + "}"
    if isinstance(value, (list, tuple)):
        if any(isinstance(v, (dict, list, tuple)) for v in value):
            return None
        return "[" + ", ".join(scalar(v) for v in value) + "]"
    return scalar(value)


def scalar(value) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"non-finite number {value} cannot be written to JSON")
        return repr(value)
    if value is None:
        return "null"
    return json.dumps(value)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 when a file is missing or differs")
    args = parser.parse_args()

    diabetes_csv, diabetes_rst, diabetes_frame = diabetes()
    cancer_csv, cancer_rst, cancer_frame = breast_cancer()
    outputs = {
        REGRESSION / "diabetes.csv": diabetes_csv,
        REGRESSION / "diabetes.rst": diabetes_rst,
        TABULAR / "breast_cancer.csv": cancer_csv,
        TABULAR / "breast_cancer.rst": cancer_rst,
        REFERENCES: prettier(references(diabetes_frame, cancer_frame), REFERENCES),
    }
    stale = []
    for path, text in outputs.items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(path.relative_to(ROOT))
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
    if args.check:
        for path in stale:
            print(f"stale: {path} (rerun {SCRIPT})", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        print(f"wrote {path}")
    if not stale:
        print("all files current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
