#!/usr/bin/env python3
"""Decode a Flyte 1 LiteralMap (a task's outputs.pb / inputs.pb) with flytekit's TypeEngine and print it as JSON.

Usage: read_literals.py OUTPUTS.pb [--expect EXPECT.json] [--json] [--interface TASK_1.pb [--direction outputs]]

Each literal is turned into a Python value by TypeEngine.to_python_value, with the Python type inferred from the
literal itself (there is no interface in a LiteralMap):
  primitive            -> int / float / str / bool / datetime (ISO 8601 in JSON) / timedelta (seconds in JSON)
  binary tag=msgpack   -> dict (flytekit's DictTransformer: the STRUCT form flytekit and our SDK write)
  generic (Struct)     -> dict
  structured_dataset   -> pandas.DataFrame, printed as {"columns": [...], "records": [{...}, ...]}
  blob SINGLE          -> FlyteFile, downloaded; printed as {"blob": {"path", "size", "sha256", "text"?}}
  blob MULTIPART       -> FlyteDirectory, downloaded; printed as {"blob": {"path", "files": {name: {size, sha256}}}}
  collection / map     -> List[T] / Dict[str, T] (T from the first element; mixed elements are decoded one by one)
  none                 -> null;  union -> the inner value
URIs may be plain local paths, file:// URIs, or anything flytekit's FileAccessProvider (fsspec) can read. file:// URIs
are handed to flytekit as plain paths (noted on stderr; --strict-uris turns that off), because flytekit's FlyteFile
transformer rejects a local blob given as file://.

With --interface TASK_1.pb the Python types come from the task's declared interface instead (TypeEngine
.guess_python_type; a structured dataset becomes a DataFrame), i.e. the values are read exactly as a flytekit task
declaring that interface would receive them, and the literal names must match the interface.

With --expect, the decoded JSON is compared with the expected JSON (numbers with a relative tolerance of 1e-9, 3 == 3.0
unless --strict-numbers; blob "path" keys are ignored because they are download locations) and the exit status is 1
with a diff if they differ.
Exit 2 on usage or decoding errors (the message names the literal).
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import json
import math
import os
import sys
from typing import Any, Dict, List, Optional, Tuple


def _ctx():
    from flytekit.core.context_manager import FlyteContextManager

    return FlyteContextManager.current_context()


def infer_python_type(lit) -> Any:
    """The Python type flytekit should decode this literal into."""
    import typing

    from flytekit.types.directory import FlyteDirectory
    from flytekit.types.file import FlyteFile

    if lit.collection is not None:
        items = lit.collection.literals or []
        if not items:
            return typing.List[typing.Any]
        inner = {repr(infer_python_type(x)) for x in items}
        if len(inner) != 1:
            return None  # mixed: decode element by element
        return typing.List[infer_python_type(items[0])]  # type: ignore[index]
    if lit.map is not None:
        values = list((lit.map.literals or {}).values())
        if not values:
            return typing.Dict[str, typing.Any]
        inner = {repr(infer_python_type(x)) for x in values}
        if len(inner) != 1:
            return None
        return typing.Dict[str, infer_python_type(values[0])]  # type: ignore[index]
    s = lit.scalar
    if s is None:
        raise ValueError("literal has neither scalar, collection nor map (offloaded literals are not supported)")
    if s.primitive is not None:
        p = s.primitive
        for attr, t in (("integer", int), ("float_value", float), ("string_value", str), ("boolean", bool),
                        ("datetime", dt.datetime), ("duration", dt.timedelta)):
            if getattr(p, attr) is not None:
                return t
        raise ValueError("empty primitive")
    if s.binary is not None:
        return dict if s.binary.tag == "msgpack" else bytes
    if s.generic is not None:
        return dict
    if s.structured_dataset is not None:
        import pandas as pd

        return pd.DataFrame
    if s.blob is not None:
        from flytekit.models.core.types import BlobType

        dim = s.blob.metadata.type.dimensionality if s.blob.metadata and s.blob.metadata.type else BlobType.BlobDimensionality.SINGLE
        return FlyteDirectory if dim == BlobType.BlobDimensionality.MULTIPART else FlyteFile
    if s.none_type is not None:
        return type(None)
    if s.union is not None:
        return "union"
    if s.schema is not None:
        raise ValueError("FlyteSchema literals are deprecated and not supported; use a structured dataset")
    if s.error is not None:
        raise ValueError(f"error literal: {s.error.message}")
    raise ValueError("unsupported scalar")


def to_python(lit) -> Any:
    from flytekit.core.type_engine import TypeEngine

    t = infer_python_type(lit)
    if t is None:  # mixed collection / map
        if lit.collection is not None:
            return [to_python(x) for x in lit.collection.literals]
        return {k: to_python(v) for k, v in lit.map.literals.items()}
    if t == "union":
        return to_python(lit.scalar.union.value)
    if t is type(None):
        return None
    if t is bytes:
        return lit.scalar.binary.value
    return TypeEngine.to_python_value(_ctx(), lit, t)


def _sha256(path: str) -> Tuple[int, str]:
    h = hashlib.sha256()
    n = 0
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
            n += len(chunk)
    return n, h.hexdigest()


def to_json(value: Any) -> Any:
    """Makes a decoded Python value JSON-friendly (and stable, for --expect)."""
    import numpy as np
    import pandas as pd
    from flytekit.types.directory import FlyteDirectory
    from flytekit.types.file import FlyteFile

    if isinstance(value, pd.DataFrame):
        records = [{str(k): to_json(v) for k, v in row.items()} for row in value.to_dict(orient="records")]
        return {"columns": [str(c) for c in value.columns], "records": records}
    if isinstance(value, FlyteDirectory):
        path = value.download()
        files = {}
        for root, _, names in os.walk(path):
            for name in sorted(names):
                full = os.path.join(root, name)
                size, digest = _sha256(full)
                files[os.path.relpath(full, path)] = {"size": size, "sha256": digest}
        return {"blob": {"path": path, "files": dict(sorted(files.items()))}}
    if isinstance(value, FlyteFile):
        path = value.download()
        size, digest = _sha256(path)
        out: Dict[str, Any] = {"path": path, "size": size, "sha256": digest}
        if size <= 65536:
            with open(path, "rb") as f:
                data = f.read()
            try:
                out["text"] = data.decode("utf-8")
            except UnicodeDecodeError:
                out["base64"] = base64.b64encode(data).decode("ascii")
        return {"blob": out}
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return None if math.isnan(f) else f
    if isinstance(value, pd.Timestamp):
        return value.isoformat() if not pd.isna(value) else None
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode("ascii")}
    if value is None or isinstance(value, str):
        return value
    if hasattr(value, "__dataclass_fields__"):
        import dataclasses

        return to_json(dataclasses.asdict(value))
    if value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value)


def localize_uris(idl_literal, rewritten: List[str]) -> None:
    """Turns file:// URIs into plain paths, in place, on a flyteidl.core.Literal.

    flytekit's FlyteFile transformer checks os.path.isfile(uri) for non-remote URIs, so a blob at
    "file:///tmp/x" is rejected ("Expected a file, but file:///tmp/x is not a file") while "/tmp/x" works; flytekit
    itself writes plain paths when its raw output prefix is local.
    """
    which = idl_literal.WhichOneof("value")
    if which == "collection":
        for x in idl_literal.collection.literals:
            localize_uris(x, rewritten)
    elif which == "map":
        for x in idl_literal.map.literals.values():
            localize_uris(x, rewritten)
    elif which == "scalar":
        sc = idl_literal.scalar
        kind = sc.WhichOneof("value")
        target = {"blob": sc.blob, "structured_dataset": sc.structured_dataset, "schema": sc.schema}.get(kind)
        if target is not None and target.uri.startswith("file://"):
            from urllib.parse import unquote, urlparse

            u = urlparse(target.uri)
            local = unquote(u.path) if u.netloc in ("", "localhost") else target.uri
            if local != target.uri:
                rewritten.append(f"{target.uri} -> {local}")
                target.uri = local
        elif kind == "union":
            localize_uris(sc.union.value, rewritten)


def read_literal_map(path: str, strict_uris: bool = False):
    from flyteidl.core import literals_pb2
    from flytekit.models.literals import LiteralMap

    with open(path, "rb") as f:
        data = f.read()
    idl = literals_pb2.LiteralMap()
    idl.ParseFromString(data)
    if not strict_uris:
        rewritten: List[str] = []
        for lit in idl.literals.values():
            localize_uris(lit, rewritten)
        for r in rewritten:
            print(f"read_literals: note: file:// URI given to flytekit as a plain path: {r}", file=sys.stderr)
    return LiteralMap.from_flyte_idl(idl)


def load_interface(path: str, direction: str) -> Dict[str, Any]:
    """The declared variables (flytekit Variable models) of one side of a TaskSpec file's interface."""
    from flyteidl.admin import task_pb2
    from flytekit.models.task import TaskSpec

    idl = task_pb2.TaskSpec()
    with open(path, "rb") as f:
        idl.ParseFromString(f.read())
    spec = TaskSpec.from_flyte_idl(idl)
    return dict(getattr(spec.template.interface, direction) or {})


def declared_python_type(var) -> Any:
    """The Python type a flytekit task declaring this variable would receive (DataFrame for a structured dataset)."""
    from flytekit.core.type_engine import TypeEngine

    if var.type.structured_dataset_type is not None:
        import pandas as pd

        return pd.DataFrame
    return TypeEngine.guess_python_type(var.type)


def decode_all(path: str, strict_uris: bool = False, variables: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
    from flytekit.core.type_engine import TypeEngine

    lm = read_literal_map(path, strict_uris)
    if variables is not None:
        missing = sorted(set(variables) - set(lm.literals))
        extra = sorted(set(lm.literals) - set(variables))
        if missing or extra:
            raise ValueError(f"literal names do not match the interface: missing {missing}, unexpected {extra}")
    out: Dict[str, Any] = {}
    for name in sorted(lm.literals):
        try:
            if variables is None:
                value = to_python(lm.literals[name])
            else:
                value = TypeEngine.to_python_value(_ctx(), lm.literals[name], declared_python_type(variables[name]))
            out[name] = to_json(value)
        except Exception as e:  # noqa: BLE001 - named and re-raised
            raise RuntimeError(f"literal {name!r}: {type(e).__name__}: {e}") from e
    return out


def _strip_paths(v: Any) -> Any:
    if isinstance(v, dict):
        if set(v.keys()) == {"blob"} and isinstance(v["blob"], dict):
            return {"blob": {k: _strip_paths(x) for k, x in v["blob"].items() if k != "path"}}
        return {k: _strip_paths(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_strip_paths(x) for x in v]
    return v


def diff(expected: Any, actual: Any, path: str = "$", strict_numbers: bool = False) -> List[str]:
    """Human-readable differences; numbers compare with a relative tolerance, and 3 == 3.0 unless strict_numbers
    (JSON written by JavaScript cannot tell 3.0 from 3)."""
    out: List[str] = []
    if isinstance(expected, dict) and isinstance(actual, dict):
        for k in sorted(set(expected) | set(actual)):
            if k not in actual:
                out.append(f"{path}.{k}: missing (expected {json.dumps(expected[k])})")
            elif k not in expected:
                out.append(f"{path}.{k}: unexpected {json.dumps(actual[k])}")
            else:
                out.extend(diff(expected[k], actual[k], f"{path}.{k}", strict_numbers))
        return out
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            out.append(f"{path}: length {len(actual)} != expected {len(expected)}")
        for i, (e, a) in enumerate(zip(expected, actual)):
            out.extend(diff(e, a, f"{path}[{i}]", strict_numbers))
        return out
    numeric = (int, float)
    if isinstance(expected, numeric) and isinstance(actual, numeric) and not isinstance(expected, bool) and not isinstance(actual, bool):
        if strict_numbers and isinstance(expected, float) != isinstance(actual, float):
            out.append(f"{path}: {json.dumps(actual)} ({type(actual).__name__}) != expected {json.dumps(expected)} ({type(expected).__name__})")
        elif not math.isclose(expected, actual, rel_tol=1e-9, abs_tol=1e-12):
            out.append(f"{path}: {json.dumps(actual)} != expected {json.dumps(expected)}")
        return out
    if expected != actual or type(expected) is not type(actual):
        out.append(f"{path}: {json.dumps(actual)} != expected {json.dumps(expected)}")
    return out


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("literal_map", help="a serialized flyteidl.core.LiteralMap, e.g. outputs.pb")
    ap.add_argument("--expect", help="JSON file with the expected decoded values")
    ap.add_argument("--json", action="store_true", help="print only the decoded JSON object")
    ap.add_argument("--strict-numbers", action="store_true",
                    help="with --expect, an integer never equals a float (3 != 3.0)")
    ap.add_argument("--interface", metavar="TASK_1.pb",
                    help="decode against this task's declared types (an admin.TaskSpec file), as a flytekit task would")
    ap.add_argument("--direction", choices=("outputs", "inputs"), default="outputs",
                    help="which side of --interface the literal map is (default: outputs)")
    ap.add_argument("--strict-uris", action="store_true",
                    help="hand file:// URIs to flytekit unchanged (its FlyteFile transformer then rejects them)")
    opts = ap.parse_args(argv)
    try:
        variables = load_interface(opts.interface, opts.direction) if opts.interface else None
        decoded = decode_all(opts.literal_map, opts.strict_uris, variables)
    except Exception as e:  # noqa: BLE001
        print(f"read_literals: {opts.literal_map}: {e}", file=sys.stderr)
        return 2
    text = json.dumps(decoded, indent=2, sort_keys=True, ensure_ascii=False)
    if opts.json or not opts.expect:
        print(text)
    if opts.expect:
        with open(opts.expect, encoding="utf-8") as f:
            expected = json.load(f)
        problems = diff(_strip_paths(expected), _strip_paths(decoded), strict_numbers=opts.strict_numbers)
        if problems:
            print(f"read_literals: {opts.literal_map} differs from {opts.expect}:", file=sys.stderr)
            for p in problems:
                print(f"  {p}", file=sys.stderr)
            return 1
        if not opts.json:
            print(f"read_literals: {opts.literal_map} matches {opts.expect} ({len(decoded)} literals)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
