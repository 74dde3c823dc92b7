"""Writes the scikit-learn goldens of @unionml/data's stratified split and preprocessing helpers.

    tools/sklearn-check/.venv/bin/python tools/sklearn-check/write_split_goldens.py

Outputs (checked in; the tests of packages/data read them, no Python at test time):

- packages/data/fixtures/stratified-splits.json: train_test_split(..., stratify=y) (and a few unstratified splits)
  with their train and test indices in scikit-learn's order, and the splits scikit-learn refuses, with its message.
- packages/data/fixtures/preprocessing.json: StandardScaler and OneHotEncoder fitted on a training table and
  applied to it and to a test table: the learned attributes, the feature names and the outputs.

Every input is generated here with numpy's RandomState (or read from examples/digits), so the files are
reproducible: running the script again gives the same bytes. The files are then formatted by the workspace's
Prettier (`npx prettier --write`), as `npm run lint` checks every JSON file of the workspace.
"""

from __future__ import annotations

import gzip
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import sklearn
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import OneHotEncoder, StandardScaler

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "packages" / "data" / "fixtures"


def digits_targets() -> list[int]:
    with gzip.open(ROOT / "examples" / "digits" / "data" / "digits.csv.gz", "rt") as f:
        return [int(line.rstrip("\n").split(",")[-1]) for line in f if line.strip()]


def labels_from_counts(counts: dict, seed: int | None) -> list:
    """Labels with these class counts; shuffled by RandomState(seed) unless seed is None (then grouped)."""
    labels = [label for label, count in counts.items() for _ in range(count)]
    if seed is None:
        return labels
    order = np.random.RandomState(seed).permutation(len(labels))
    return [labels[i] for i in order]


def split_case(name: str, labels: list | None, n: int, test_size, seed: int, stratify: bool = True) -> dict:
    y = np.array(labels, dtype=object) if labels is not None and any(isinstance(v, str) for v in labels) else labels
    case = {"name": name, "n": n, "testSize": test_size, "randomState": seed, "stratify": stratify}
    if stratify:
        case["labels"] = labels
    try:
        train, test = train_test_split(np.arange(n), test_size=test_size, random_state=seed, shuffle=True, stratify=y if stratify else None)
        case["train"] = [int(i) for i in train]
        case["test"] = [int(i) for i in test]
    except ValueError as error:
        case["error"] = str(error)
    return case


def split_cases() -> list[dict]:
    cases: list[dict] = []
    iris = labels_from_counts({0: 50, 1: 50, 2: 50}, None)
    for seed in (0, 1, 42, 12345, 2**32 - 1):
        for size in (0.2, 0.25, 0.33, 0.1, 0.5, 0.9, 3, 10, 37):
            cases.append(split_case(f"iris-like 3x50 grouped, seed {seed}, testSize {size}", iris, 150, size, seed))
    shuffled = labels_from_counts({0: 50, 1: 50, 2: 50}, 7)
    for seed in (0, 42, 12345):
        for size in (0.2, 0.3, 7):
            cases.append(split_case(f"3x50 shuffled, seed {seed}, testSize {size}", shuffled, 150, size, seed))

    imbalanced = labels_from_counts({0: 90, 1: 8, 2: 2}, 3)
    for seed in (0, 5, 42, 99):
        for size in (0.2, 0.03, 0.5, 0.97, 3, 50, 97):
            cases.append(split_case(f"imbalanced 90/8/2, seed {seed}, testSize {size}", imbalanced, 100, size, seed))

    # Ties in the remainders of _approximate_mode: rng.choice breaks them.
    ties = labels_from_counts({"a": 7, "b": 7, "c": 7, "d": 7, "e": 6, "f": 5}, 11)
    for seed in (0, 1, 2, 3, 42):
        for size in (0.16, 0.25, 0.5, 0.75, 6, 13, 33):
            cases.append(split_case(f"ties 7/7/7/7/6/5 strings, seed {seed}, testSize {size}", ties, 39, size, seed))

    # Strings sorted by code point (np.unique), not by UTF-16 units or locale.
    words = ["b", "B", "a", "é", "\uff01", "\U0001f600", "", "10", "9", "Z"]
    unicode = labels_from_counts({w: 3 + i % 3 for i, w in enumerate(words)}, 5)
    for seed in (0, 42):
        for size in (0.3, 10, 0.5):
            cases.append(split_case(f"unicode strings, seed {seed}, testSize {size}", unicode, len(unicode), size, seed))

    floats = labels_from_counts({0.5: 6, -1.0: 9, 2.25: 4, 1e-9: 5}, 9)
    for seed in (0, 42, 7):
        cases.append(split_case(f"float labels, seed {seed}", floats, len(floats), 0.25, seed))
    booleans = labels_from_counts({True: 13, False: 8}, 2)
    for seed in (0, 42, 7):
        cases.append(split_case(f"boolean labels, seed {seed}", booleans, len(booleans), 0.3, seed))
    negatives = labels_from_counts({-3: 4, 10: 4, -20: 3, 0: 5}, 4)
    cases.append(split_case("negative ints, seed 3", negatives, len(negatives), 0.25, 3))

    two = labels_from_counts({"x": 2, "y": 2, "z": 2}, 1)
    for seed in (0, 1, 2):
        cases.append(split_case(f"two members a class, seed {seed}", two, 6, 3, seed))
    many = labels_from_counts({i: 2 + (i * 7) % 5 for i in range(40)}, 8)
    for size in (40, 0.5, len(many) - 40):
        cases.append(split_case(f"40 classes, n_test or n_train = n_classes, testSize {size}", many, len(many), size, 123))

    digits = digits_targets()
    for seed in (0, 42, 12345):
        for size in (0.2, 0.25, 100):
            cases.append(split_case(f"digits targets, seed {seed}, testSize {size}", digits, len(digits), size, seed))

    big = [int(v) for v in np.random.RandomState(2024).randint(0, 5, size=5000)]
    cases.append(split_case("5000 rows 5 classes, seed 2024", big, 5000, 0.2, 2024))

    # Unstratified: ShuffleSplit (the existing splitIndices).
    for seed, n, size in ((0, 10, 0.2), (42, 150, 0.25), (12345, 1797, 0.2), (7, 33, 5)):
        cases.append(split_case(f"unstratified n {n}, seed {seed}, testSize {size}", None, n, size, seed, stratify=False))

    # Errors scikit-learn raises.
    cases.append(split_case("error: a class with one member", labels_from_counts({0: 5, 1: 1, 2: 4}, 0), 10, 0.3, 0))
    cases.append(split_case("error: test set smaller than the classes", labels_from_counts({0: 5, 1: 5, 2: 5}, 0), 15, 2, 0))
    cases.append(split_case("error: a fraction gives fewer test rows than classes", ties, len(ties), 0.1, 0))
    cases.append(split_case("error: train set smaller than the classes", labels_from_counts({0: 5, 1: 5, 2: 5}, 0), 15, 13, 0))
    return cases


def scaler_cases() -> list[dict]:
    rs = np.random.RandomState(0)
    n_train, n_test = 40, 12
    columns = ["a", "b", "const", "offset", "tiny", "gaps"]

    def table(n: int) -> np.ndarray:
        x = np.empty((n, len(columns)))
        x[:, 0] = rs.normal(5.0, 2.0, n)
        x[:, 1] = rs.uniform(-1000.0, 1000.0, n)
        x[:, 2] = 3.25
        x[:, 3] = 1e8 + rs.normal(0.0, 1e-3, n)
        x[:, 4] = rs.normal(0.0, 1e-12, n)
        x[:, 5] = rs.normal(-2.0, 0.5, n)
        x[rs.rand(n) < 0.2, 5] = np.nan
        return x

    train, test = table(n_train), table(n_test)
    # A column that is constant but for rounding (0.1 + 0.2 and 0.3 differ in the last bit): its variance is not 0,
    # and sklearn's _is_constant_feature gives it scale 1.
    train[:, 2] = np.where(np.arange(n_train) % 2 == 0, 0.1 + 0.2, 0.3)
    out = []
    for with_mean, with_std in ((True, True), (False, True), (True, False)):
        scaler = StandardScaler(with_mean=with_mean, with_std=with_std).fit(np.ascontiguousarray(train))
        out.append(
            {
                "name": f"with_mean={with_mean}, with_std={with_std}",
                "withMean": with_mean,
                "withStd": with_std,
                "columns": columns,
                "train": rows(train),
                "test": rows(test),
                "mean": None if scaler.mean_ is None else floats(scaler.mean_),
                "var": None if scaler.var_ is None else floats(scaler.var_),
                "scale": None if scaler.scale_ is None else floats(scaler.scale_),
                "trainOut": rows(scaler.transform(np.ascontiguousarray(train))),
                "testOut": rows(scaler.transform(np.ascontiguousarray(test))),
            }
        )
    return out


def encoder_cases() -> list[dict]:
    rs = np.random.RandomState(1)
    words = ["b", "B", "a", "é", "\uff01", "\U0001f600", "", "10", "9", "Z"]
    out = []

    def case(name: str, train: list, test: list, kind: str, handle_unknown: str = "error") -> None:
        dtype = object if kind in ("string", "null") else (bool if kind == "boolean" else float if kind == "float" else np.int64)
        fit = np.array(train, dtype=dtype).reshape(-1, 1)
        encoder = OneHotEncoder(handle_unknown=handle_unknown, sparse_output=False).fit(fit)
        categories = [plain(v) for v in encoder.categories_[0]]
        entry = {
            "name": name,
            "kind": kind,
            "handleUnknown": handle_unknown,
            "train": [plain(v) for v in train],
            "test": [plain(v) for v in test],
            "categories": categories,
            "featureNames": [str(v) for v in encoder.get_feature_names_out(["x"])],
            "jsFeatureNames": [f"x_{js_string(v)}" for v in categories],
            "trainOut": rows(encoder.transform(fit)),
        }
        try:
            entry["testOut"] = rows(encoder.transform(np.array(test, dtype=dtype).reshape(-1, 1)))
        except ValueError as error:
            entry["testError"] = str(error)
        out.append(entry)

    strings = [words[i] for i in rs.randint(0, len(words), 60)]
    case("strings by code point", strings, [words[i] for i in rs.randint(0, len(words), 20)], "string")
    ints = [int(v) for v in rs.choice([3, 1, 2, 10, -4, 0], 50)]
    case("integers sorted numerically", ints, [int(v) for v in rs.choice([3, 1, 2, 10, -4, 0], 10)], "int")
    floats_ = [float(v) for v in rs.choice([0.5, 1.0, -2.0, 1e-7, 12.75], 30)]
    case("floats", floats_, [0.5, 12.75, -2.0], "float")
    case("booleans", [bool(v) for v in rs.rand(20) < 0.4], [True, False, False], "boolean")
    case("None is a category, sorted last", ["b", None, "a", "b", None, "c"], ["c", None, "a"], "null")
    case("unknown strings raise", ["b", "a", "b"], ["a", "zz"], "string")
    case("unknown strings are ignored", ["b", "a", "b", "c"], ["zz", "a", "c", "yy"], "string", "ignore")
    case("unknown ints are ignored", [1, 2, 2, 3], [4, 1, 0], "int", "ignore")
    case("unknown None is ignored", ["b", "a"], [None, "a"], "null", "ignore")
    return out


def plain(value):
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    return str(value)


def js_string(value) -> str:
    """How JavaScript's String() spells a category (sklearn spells 1.0 '1.0', True 'True', None 'None')."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        text = repr(value)
        if "e-" in text:
            mantissa, exponent = text.split("e-")
            return f"{mantissa}e-{int(exponent)}"
        return text
    return str(value)


def floats(values) -> list:
    return [None if math.isnan(float(v)) else float(v) for v in values]


def rows(matrix) -> list:
    return [floats(row) for row in np.asarray(matrix, dtype=float)]


def write(name: str, data: dict) -> None:
    path = FIXTURES / name
    path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size} bytes)", file=sys.stderr)


def main() -> None:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    versions = {"sklearn": sklearn.__version__, "numpy": np.__version__}
    write("stratified-splits.json", {"generator": "tools/sklearn-check/write_split_goldens.py", "versions": versions, "cases": split_cases()})
    write(
        "preprocessing.json",
        {
            "generator": "tools/sklearn-check/write_split_goldens.py",
            "versions": versions,
            "standardScaler": scaler_cases(),
            "oneHotEncoder": encoder_cases(),
        },
    )
    files = [str(FIXTURES / name) for name in ("stratified-splits.json", "preprocessing.json")]
    subprocess.run(["npx", "prettier", "--log-level", "warn", "--write", *files], cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
