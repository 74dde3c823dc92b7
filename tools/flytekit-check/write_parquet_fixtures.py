"""Writes the Parquet files Python Flyte users send, as pandas and pyarrow write them, for @unionml/data's reader tests.

    tools/flytekit-check/.venv/bin/python tools/flytekit-check/write_parquet_fixtures.py packages/data/fixtures/parquet

Every file holds the same three rows of the same columns (see FRAME): ints, floats, strings, booleans, nullable
ints and booleans, timestamps (UTC and naive, ns and ms), dates, times, decimals, binary, a categorical (dictionary
encoded), lists, structs and maps. One file per codec pyarrow writes (snappy, gzip, zstd, brotli, lz4 = LZ4_RAW,
none), plus one per pandas index kind (a non-range index after a filter, a named index, a string index, a
multi-index), and a file of two row groups. What each holds is in @unionml/data's parquet.test.ts.
"""

import datetime as dt
import decimal
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

CODECS = ["snappy", "gzip", "zstd", "brotli", "lz4", "none"]


def frame() -> pd.DataFrame:
    utc = dt.timezone.utc
    return pd.DataFrame(
        {
            "int": pd.Series([1, -2, 9007199254740993], dtype="int64"),
            "float": [0.5, -1.25, 3.0],
            "string": ["a", "béta", ""],
            "bool": [True, False, True],
            "nullable_int": pd.array([1, None, 3], dtype="Int64"),
            "nullable_bool": pd.array([True, None, False], dtype="boolean"),
            "timestamp_utc": pd.to_datetime(["2024-01-02T03:04:05.123456Z", "1970-01-01T00:00:00Z", "2038-01-19T03:14:08Z"], utc=True, format="ISO8601"),
            "timestamp_naive": pd.to_datetime(["2024-01-02T03:04:05.123456", "1999-12-31T23:59:59", "2000-02-29T12:00:00"], format="ISO8601"),
            "date": [dt.date(2024, 1, 2), dt.date(1969, 7, 20), dt.date(2000, 2, 29)],
            "time": [dt.time(3, 4, 5, 123456), dt.time(0, 0), dt.time(23, 59, 59)],
            "decimal": [decimal.Decimal("1.25"), decimal.Decimal("-0.50"), decimal.Decimal("100.00")],
            "binary": [b"\x00\x01", b"", b"xyz"],
            "category": pd.Categorical(["red", "green", "red"]),
            "list": [[1, 2], [], [3]],
            "struct": [{"a": 1, "b": "x"}, {"a": 2, "b": "y"}, {"a": 3, "b": "z"}],
        }
    )


MAPS = [[("k", 1)], [], [("k", 2), ("l", 3)]]


def table(df: pd.DataFrame, rows=(0, 1, 2)) -> pa.Table:
    """The frame as pyarrow converts it (index as pandas records it), the decimal column as decimal128(5, 2), plus a
    map<string, int64> column (which pandas cannot hold) for the given original rows."""
    t = pa.Table.from_pandas(df)
    fields = [pa.field("decimal", pa.decimal128(5, 2)) if f.name == "decimal" else f for f in t.schema]
    t = t.cast(pa.schema(fields, metadata=t.schema.metadata))
    t = t.append_column("map", pa.array([MAPS[i] for i in rows], type=pa.map_(pa.string(), pa.int64())))
    # Timestamps in the other units Parquet has: milliseconds with a zone (as Spark writes them), nanoseconds naive.
    t = t.append_column("timestamp_ms_utc", t.column("timestamp_utc").cast(pa.timestamp("ms", tz="UTC"), safe=False))
    return t.append_column("timestamp_ns", t.column("timestamp_naive").cast(pa.timestamp("ns")))


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    df = frame()
    for codec in CODECS:
        name = f"codec-{codec}.parquet"
        pq.write_table(table(df), out / name, compression=codec)
    # pandas index kinds: what pandas writes after a filter, with a named index, a string index, a multi-index.
    filtered = df[df["float"] > -2].iloc[[0, 2]]
    pq.write_table(table(filtered, rows=(0, 2)), out / "index-filtered.parquet")
    named = df.set_index(pd.Index([10, 20, 30], name="row_id"))
    pq.write_table(table(named), out / "index-named.parquet")
    strings = df.set_index(pd.Index(["x", "y", "z"]))
    pq.write_table(table(strings), out / "index-string.parquet")
    multi = df.set_index([pd.Index(["x", "y", "z"], name="k1"), pd.Index([1, 2, 3], name="k2")])
    pq.write_table(table(multi), out / "index-multi.parquet")
    pq.write_table(table(df), out / "row-groups.parquet", row_group_size=2)
    print(f"wrote {len(list(out.glob('*.parquet')))} Parquet files to {out} (pandas {pd.__version__}, pyarrow {pa.__version__})")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "packages/data/fixtures/parquet"))
