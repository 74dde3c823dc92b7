#!/usr/bin/env python3
"""Write the inputs a Python Flyte user sends to a UnionML predict_from_features task, with flytekit, pandas and pyarrow.

Usage (with the judges' venv):
    write_inputs.py --model MODEL_FILE --features FEATURES.json --out DIR
    write_inputs.py --train DATA.csv.gz --out DIR

For every Parquet codec pyarrow writes (snappy, gzip, zstd, brotli, lz4 = LZ4_RAW, none) and every kind of pandas
index (the default RangeIndex; non-range ints, strings and a name, each recorded by pandas as an index column; a
multi-index), it writes DIR/<case>/features/00000: the feature rows (in their order) plus columns that are not
features and that a model must not see (a UTC timestamp, a date, a list, a struct and a categorical), as
`pyarrow.parquet.write_table(pa.Table.from_pandas(df), compression=codec)` writes them, the way a Python task or
polars/Spark upstream leaves a structured dataset. Then DIR/<case>/inputs.pb: the LiteralMap flytekit's TypeEngine
makes of {"model_object": FlyteFile(MODEL_FILE), "features": StructuredDataset(uri=<that folder>)}, and
DIR/<case>/inputs-predict.pb: the same literals with the frame as `data`, a predict_task's inputs.

With --train (the digits data set, header-less CSV of 64 pixels and the target): the inputs.pb of a train_task
(`data` the pandas DataFrame as flytekit writes it; empty loader, splitter and parser kwargs) whose hyperparameters
{"learningRate": 0.1, "epochs": 60, "l2": 0.0001} are a dict and a dataclass, each in flytekit's msgpack form and in
its older protobuf Struct form (FLYTE_USE_OLD_DC_FORMAT=true).

Prints a JSON list of {"case", "inputs", ...} ("predictInputs" too for the matrix).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

CODECS = ["snappy", "gzip", "zstd", "brotli", "lz4", "none"]
INDEXES = ["range", "ints", "strings", "named", "multi"]


def with_index(df: pd.DataFrame, kind: str) -> pd.DataFrame:
    n = len(df)
    if kind == "range":
        return df
    if kind == "ints":
        return df.set_index(pd.Index([10 * (i + 1) for i in range(n)]))
    if kind == "strings":
        return df.set_index(pd.Index([f"row{i}" for i in range(n)]))
    if kind == "named":
        return df.set_index(pd.Index(list(range(100, 100 + n)), name="row_id"))
    if kind == "multi":
        return df.set_index([pd.Index([f"k{i}" for i in range(n)], name="k1"), pd.Index(list(range(n)), name="k2")])
    raise ValueError(kind)


def extra_columns(df: pd.DataFrame) -> pd.DataFrame:
    n = len(df)
    out = df.copy()
    out["taken_at"] = pd.to_datetime([dt.datetime(2024, 1, 1, 12, i, tzinfo=dt.timezone.utc) for i in range(n)], utc=True)
    out["day"] = [dt.date(2024, 1, 1 + i) for i in range(n)]
    out["tags"] = [["a"] * i for i in range(n)]
    out["meta"] = [{"source": "camera", "n": i} for i in range(n)]
    out["label"] = pd.Categorical(["odd" if i % 2 else "even" for i in range(n)])
    return out


def train_cases(data_csv: str, out: str) -> list[dict]:
    from dataclasses import dataclass

    from flytekit.core.context_manager import FlyteContextManager
    from flytekit.core.type_engine import TypeEngine

    @dataclass
    class Hyperparameters:
        learningRate: float = 0.1
        epochs: int = 60
        l2: float = 0.0001

    pixels = [f"pixel_{i // 8}_{i % 8}" for i in range(64)]
    data = pd.read_csv(data_csv, header=None, names=pixels + ["target"])
    ctx = FlyteContextManager.current_context()
    forms = {
        "dict": (dict, {"learningRate": 0.1, "epochs": 60, "l2": 0.0001}),
        "dataclass": (Hyperparameters, Hyperparameters()),
    }
    cases = []
    for name, (python_type, value) in forms.items():
        for old in (False, True):
            case = f"{name}-{'struct' if old else 'msgpack'}"
            if old:
                os.environ["FLYTE_USE_OLD_DC_FORMAT"] = "true"
            else:
                os.environ.pop("FLYTE_USE_OLD_DC_FORMAT", None)
            literals = TypeEngine.dict_to_literal_map(
                ctx,
                {"hyperparameters": value, "data": data, "loader_kwargs": {}, "splitter_kwargs": {}, "parser_kwargs": {}},
                {"hyperparameters": python_type, "data": pd.DataFrame, "loader_kwargs": dict, "splitter_kwargs": dict, "parser_kwargs": dict},
            )
            hp = literals.literals["hyperparameters"].scalar
            form = "generic" if hp.generic is not None and len(hp.generic.fields) else "binary" if hp.binary is not None else "?"
            inputs = os.path.abspath(os.path.join(out, case, "inputs.pb"))
            os.makedirs(os.path.dirname(inputs), exist_ok=True)
            with open(inputs, "wb") as f:
                f.write(literals.to_flyte_idl().SerializeToString())
            cases.append({"case": case, "hyperparameters": form, "inputs": inputs})
    os.environ.pop("FLYTE_USE_OLD_DC_FORMAT", None)
    return cases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model")
    parser.add_argument("--features")
    parser.add_argument("--train")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    if args.train:
        json.dump(train_cases(args.train, args.out), sys.stdout)
        return 0
    if not args.model or not args.features:
        parser.error("--model and --features are required (or --train)")

    from flytekit.core.context_manager import FlyteContextManager
    from flytekit.core.type_engine import TypeEngine
    from flytekit.models.literals import LiteralMap
    from flytekit.types.file import FlyteFile
    from flytekit.types.structured.structured_dataset import StructuredDataset

    with open(args.features) as f:
        features = pd.DataFrame(json.load(f))
    frame = extra_columns(features)
    ctx = FlyteContextManager.current_context()
    cases = []
    for codec in CODECS:
        for index in INDEXES:
            case = f"{codec}-{index}"
            folder = os.path.abspath(os.path.join(args.out, case, "features"))
            os.makedirs(folder, exist_ok=True)
            table = pa.Table.from_pandas(with_index(frame, index))
            pq.write_table(table, os.path.join(folder, "00000"), compression=codec)
            literals = TypeEngine.dict_to_literal_map(
                ctx,
                {"model_object": FlyteFile(os.path.abspath(args.model)), "features": StructuredDataset(uri=folder, file_format="parquet")},
                {"model_object": FlyteFile, "features": StructuredDataset},
            )
            inputs = os.path.abspath(os.path.join(args.out, case, "inputs.pb"))
            with open(inputs, "wb") as f:
                f.write(literals.to_flyte_idl().SerializeToString())
            # The same frame as predict_task's `data` (what a reader's dataset task upstream would hand it).
            predict = os.path.abspath(os.path.join(args.out, case, "inputs-predict.pb"))
            data = dict(literals.literals)
            data["data"] = data.pop("features")
            with open(predict, "wb") as f:
                f.write(LiteralMap(literals=data).to_flyte_idl().SerializeToString())
            cases.append({"case": case, "codec": codec, "index": index, "inputs": inputs, "predictInputs": predict})
    json.dump(cases, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
