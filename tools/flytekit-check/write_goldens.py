#!/usr/bin/env python3
"""Write the flytekit goldens of @unionml/flyte's type engine tests, computed by flytekit itself.

Usage (with the judges' venv, after tools/scripts/setup-flyte-judges.sh):
    tools/flytekit-check/.venv/bin/python tools/flytekit-check/write_goldens.py           # (re)write the JSON
    tools/flytekit-check/.venv/bin/python tools/flytekit-check/write_goldens.py --check   # exit 1 if it is stale

It writes packages/flyte/src/test-support/flytekit-goldens.json (or --output): for each case, keyed by a stable name,
the Python expression(s) it evaluated and the hex of the protobuf bytes flytekit produced:

  literalTypes  TypeEngine.to_literal_type(T).to_flyte_idl().SerializeToString()
  literals      TypeEngine.to_literal(ctx, value, T, TypeEngine.to_literal_type(T)).to_flyte_idl().SerializeToString()
  msgpack       msgpack.dumps(value)

The TypeScript tests (types.test.ts, literals.test.ts) hold the TS side of each case (the FlyteType and the JS value)
under the same name and compare our bytes with these. --check compares the committed file with what this flytekit
computes now (exit 1 with a diff when they differ, so that the judges' self-test catches a stale or hand-edited file).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEFAULT_OUTPUT = os.path.join(ROOT, "packages", "flyte", "src", "test-support", "flytekit-goldens.json")

# The names every expression below is evaluated with.
PRELUDE = """
import datetime
import enum
import typing
from datetime import timedelta, timezone
from typing import Annotated, Dict, List, Optional

from flytekit import kwtypes
from flytekit.types.directory import FlyteDirectory
from flytekit.types.file import FlyteFile
from flytekit.types.structured.structured_dataset import PARQUET, StructuredDataset


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


from dataclasses import dataclass


@dataclass
class Hyperparameters:
    lr: float = 1.0
    epochs: int = 2
    ratio: float = -0.0
"""

# (case name, Python type) for TypeEngine.to_literal_type; the names are the keys types.test.ts uses.
LITERAL_TYPES: list[tuple[str, str]] = [
    ("int", "int"),
    ("float", "float"),
    ("str", "str"),
    ("bool", "bool"),
    ("datetime", "datetime.datetime"),
    ("timedelta", "datetime.timedelta"),
    ("None", "type(None)"),
    ("List[float]", "List[float]"),
    ("Dict[str, int]", "Dict[str, int]"),
    ("List[Dict[str, dict]]", "List[Dict[str, dict]]"),
    ("dict", "dict"),
    ("FlyteFile", "FlyteFile"),
    ("FlyteFile[csv]", "FlyteFile[typing.TypeVar('csv')]"),
    ("FlyteDirectory", "FlyteDirectory"),
    ("StructuredDataset", "StructuredDataset"),
    ("Annotated[StructuredDataset, kwtypes(a=int, b=float), PARQUET]", "Annotated[StructuredDataset, kwtypes(a=int, b=float), PARQUET]"),
    ("Optional[float]", "Optional[float]"),
    ("Optional[List[int]]", "Optional[List[int]]"),
    ("Optional[dict]", "Optional[dict]"),
    ("Optional[FlyteFile]", "Optional[FlyteFile]"),
    ("Optional[FlyteDirectory]", "Optional[FlyteDirectory]"),
    ("Optional[Color]", "Optional[Color]"),
    ("Optional[StructuredDataset]", "Optional[StructuredDataset]"),
    ("Optional[Dict[str, str]]", "Optional[Dict[str, str]]"),
    ("Optional[datetime]", "Optional[datetime.datetime]"),
    ("Optional[timedelta]", "Optional[datetime.timedelta]"),
    ("Optional[bool]", "Optional[bool]"),
    ("Optional[str]", "Optional[str]"),
    ("Optional[int]", "Optional[int]"),
    ("Color(Enum)", "Color"),
]

# (case name, Python type, Python value) for TypeEngine.to_literal; the names are the keys literals.test.ts uses.
LITERALS: list[tuple[str, str, str]] = [
    ('dict {"a": 1, "b": [1.5, "x"]}', "dict", '{"a": 1, "b": [1.5, "x"]}'),
    ("float 3.0", "float", "3.0"),
    ("int 2**53 + 1", "int", "2**53 + 1"),
    ("int -5", "int", "-5"),
    ("Optional[float] 3.0", "Optional[float]", "3.0"),
    ("Optional[float] None", "Optional[float]", "None"),
    ("Optional[int] 7", "Optional[int]", "7"),
    ("datetime 2024-01-02T03:04:05.678Z", "datetime.datetime", "datetime.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=timezone.utc)"),
    ("timedelta(seconds=90, milliseconds=500)", "datetime.timedelta", "timedelta(seconds=90, milliseconds=500)"),
    ("-timedelta(milliseconds=1500)", "datetime.timedelta", "-timedelta(milliseconds=1500)"),
    ("List[float] [1.0, 2.5]", "List[float]", "[1.0, 2.5]"),
    ('Dict[str, int] {"x": 1}', "Dict[str, int]", '{"x": 1}'),
    ("Color.GREEN", "Color", "Color.GREEN"),
    ("None", "type(None)", "None"),
    ("True", "bool", "True"),
    ('"héllo"', "str", '"héllo"'),
    ("datetime 2024-01-01 (whole seconds: no nanos)", "datetime.datetime", "datetime.datetime(2024, 1, 1, tzinfo=timezone.utc)"),
    ("datetime epoch (an empty Timestamp)", "datetime.datetime", "datetime.datetime(1970, 1, 1, tzinfo=timezone.utc)"),
    ("timedelta(0)", "datetime.timedelta", "timedelta(0)"),
    ("timedelta(milliseconds=250)", "datetime.timedelta", "timedelta(milliseconds=250)"),
    ("float 0.0", "float", "0.0"),
    ("int 0", "int", "0"),
    ('""', "str", '""'),
    ("False", "bool", "False"),
    ("List[int] []", "List[int]", "[]"),
    ("dict {}", "dict", "{}"),
    ("Dict[str, float] {}", "Dict[str, float]", "{}"),
    ('Optional[str] ""', "Optional[str]", '""'),
    ('Optional[dict] {"k": "v"}', "Optional[dict]", '{"k": "v"}'),
    ("a nested dict", "dict", '{"n": {"m": [1, 2, {"z": None}]}, "t": True, "f": -2.25, "big": 4294967296, "neg": -129}'),
    ("int 2**63 - 1", "int", "2**63 - 1"),
    ("int -2**63", "int", "-2**63"),
    ("float nan", "float", 'float("nan")'),
    ("float inf", "float", 'float("inf")'),
    ("float -inf", "float", 'float("-inf")'),
    ("float -0.0", "float", "-0.0"),
    ("datetime with an offset +02:00", "datetime.datetime", "datetime.datetime(2024, 5, 1, 12, 0, 0, 250000, tzinfo=timezone(timedelta(hours=2)))"),
    ("datetime naive (read as UTC)", "datetime.datetime", "datetime.datetime(2024, 1, 2, 3, 4, 5)"),
    ("datetime with microseconds", "datetime.datetime", "datetime.datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc)"),
    ("timedelta(days=10000, microseconds=1)", "datetime.timedelta", "timedelta(days=10000, microseconds=1)"),
    ("timedelta(days=10000)", "datetime.timedelta", "timedelta(days=10000)"),
    ('dict {"z": -0.0, "nan": nan}', "dict", '{"z": -0.0, "nan": float("nan")}'),
    ("dataclass Hyperparameters(lr=1.0, epochs=2, ratio=-0.0)", "Hyperparameters", "Hyperparameters()"),
]

# (case name, Python value) for msgpack.dumps (what flytekit puts in a msgpack binary literal).
MSGPACK: list[tuple[str, str]] = [
    ('{"a": 1, "b": [1.5, "x"]}', '{"a": 1, "b": [1.5, "x"]}'),
    ("-0.0", "-0.0"),
    ('{"z": -0.0}', '{"z": -0.0}'),
    (
        "int formats",
        "[0, 127, 128, 255, 256, 65535, 65536, 2**32 - 1, 2**32, 2**53 + 1, 2**63 - 1, 2**64 - 1,"
        " -1, -32, -33, -128, -129, -32768, -32769, -2**31, -2**31 - 1, -2**63]",
    ),
    ("floats", '[1.5, float("nan"), float("inf"), float("-inf"), 1e300, 5e-324]'),
    ("str formats", '["x" * 31, "x" * 32, "x" * 256, "\u00e9"]'),
    ("array and map formats", "[list(range(16)), {str(i): i for i in range(16)}, [], {}]"),
    ("bytes", 'b"\\x00\\x01"'),
]


def compute() -> dict:
    import flytekit
    import msgpack
    from flytekit.core.context_manager import FlyteContextManager
    from flytekit.core.type_engine import TypeEngine

    names: dict = {}
    exec(PRELUDE, names)  # noqa: S102 - our own constant source
    ev = lambda expression: eval(expression, names)  # noqa: E731,S307 - our own constant expressions
    ctx = FlyteContextManager.current_context()

    def unique(cases, what):
        keys = [case[0] for case in cases]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            raise SystemExit(f"write_goldens.py: duplicate {what} case names: {duplicates}")

    unique(LITERAL_TYPES, "literal type")
    unique(LITERALS, "literal")
    unique(MSGPACK, "msgpack")

    literal_types = {}
    for name, python_type in LITERAL_TYPES:
        lt = TypeEngine.to_literal_type(ev(python_type))
        literal_types[name] = {"python": python_type, "hex": lt.to_flyte_idl().SerializeToString().hex()}

    literals = {}
    for name, python_type, python_value in LITERALS:
        t = ev(python_type)
        lit = TypeEngine.to_literal(ctx, ev(python_value), t, TypeEngine.to_literal_type(t))
        literals[name] = {"python": python_type, "value": python_value, "hex": lit.to_flyte_idl().SerializeToString().hex()}

    packed = {}
    for name, python_value in MSGPACK:
        packed[name] = {"value": python_value, "hex": msgpack.dumps(ev(python_value)).hex()}

    return {
        "_comment": "Generated by tools/flytekit-check/write_goldens.py from flytekit's own output; do not edit by hand.",
        "flytekit": flytekit.__version__,
        "literalTypes": literal_types,
        "literals": literals,
        "msgpack": packed,
    }


def render(goldens: dict) -> str:
    return json.dumps(goldens, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", default=DEFAULT_OUTPUT, help="the JSON file (default: %(default)s)")
    parser.add_argument("--check", action="store_true", help="do not write: exit 1 if the file differs from what flytekit computes now")
    args = parser.parse_args(argv)

    fresh = compute()
    if args.check:
        try:
            with open(args.output, encoding="utf-8") as f:
                committed = json.load(f)
        except FileNotFoundError:
            print(f"write_goldens.py: {args.output} does not exist; run write_goldens.py to write it", file=sys.stderr)
            return 1
        if committed != fresh:
            diff = difflib.unified_diff(render(committed).splitlines(), render(fresh).splitlines(), "committed", "flytekit", lineterm="")
            print("\n".join(diff), file=sys.stderr)
            print(f"write_goldens.py: {args.output} is stale; regenerate it with {sys.executable} {os.path.relpath(__file__, ROOT)}", file=sys.stderr)
            return 1
        print(f"OK: {args.output} matches flytekit {fresh['flytekit']} ({len(fresh['literalTypes'])} literal types, {len(fresh['literals'])} literals, {len(fresh['msgpack'])} msgpack)")
        return 0

    os.makedirs(os.path.dirname(args.output), exist_ok=True)
    with open(args.output, "w", encoding="utf-8") as f:
        f.write(render(fresh))
    print(f"wrote {args.output}: {len(fresh['literalTypes'])} literal types, {len(fresh['literals'])} literals, {len(fresh['msgpack'])} msgpack (flytekit {fresh['flytekit']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
