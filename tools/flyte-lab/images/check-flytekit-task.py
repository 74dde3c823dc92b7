#!/usr/bin/env python3
"""Runs the two tasks of e2e/fixtures/lab/flytekit_app/wf.py in the flytekit image as propeller's pods run them.

Run with the host's flytekit venv (tools/flytekit-check/.venv/bin/python) and the lab's MinIO up (tools/flyte-lab/up.sh):

    tools/flytekit-check/.venv/bin/python tools/flyte-lab/images/check-flytekit-task.py IMAGE [--n 4]

What it does, with no control plane:
  1. `pyflyte --pkgs wf package --image IMAGE --copy all` (what `pyflyte register` serializes, minus the upload): the
     task templates, whose container args are what propeller renders into each Pod's args, and the fast-registration
     code archive (fast<md5>.tar.gz);
  2. uploads the archive to MinIO (what `pyflyte register` does through DataProxy's CreateUploadLocation) and replaces
     `{{ .remote_package_path }}` with its s3:// URI (what registration does);
  3. per task: writes inputs.pb (a flyteidl LiteralMap, made by flytekit) to MinIO, renders `{{.input}}`,
     `{{.outputPrefix}}`, `{{.rawOutputDataPrefix}}`, `{{.checkpointOutputPrefix}}`, `{{.prevCheckpointPrefix}}` as
     flyteplugins' template.Render does (an empty previous checkpoint becomes the two characters ""), and runs
     `docker run --rm --network host -e FLYTE_INTERNAL_*... -e FLYTE_AWS_* IMAGE <rendered args>` (the image has no
     ENTRYPOINT, so args[0] is the command, as for a Pod with args and no command);
  4. checks that outputs.pb (and no error.pb) appears under the output prefix and decodes it with flytekit: make_frame
     gives an n-row DataFrame (Parquet under the raw output prefix), summarize gives rows=n and mean_square.
Prints one JSON report (template args, rendered args, seconds per task, decoded outputs); exit 1 on any failure.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
APP = os.path.join(ROOT, "e2e", "fixtures", "lab", "flytekit_app")

# flyteplugins v1.16.8 go/tasks/pluginmachinery/core/template/template.go
TEMPLATES = {
    "input": re.compile(r"(?i){{\s*[\.$]Input\s*}}"),
    "outputPrefix": re.compile(r"(?i){{\s*[\.$]OutputPrefix\s*}}"),
    "inputPrefix": re.compile(r"(?i){{\s*[\.$]InputPrefix\s*}}"),
    "rawOutputDataPrefix": re.compile(r"(?i){{\s*[\.$]RawOutputDataPrefix\s*}}"),
    "prevCheckpointPrefix": re.compile(r"(?i){{\s*[\.$]PrevCheckpointPrefix\s*}}"),
    "checkpointOutputPrefix": re.compile(r"(?i){{\s*[\.$]CheckpointOutputPrefix\s*}}"),
}
REMOTE_PACKAGE_PATH = re.compile(r"{{\s*\.remote_package_path\s*}}")


def render(args, values):
    out = []
    for a in args:
        a = REMOTE_PACKAGE_PATH.sub(values["remote_package_path"], a)
        for key in ("input", "outputPrefix", "inputPrefix", "rawOutputDataPrefix", "prevCheckpointPrefix",
                    "checkpointOutputPrefix"):
            a = TEMPLATES[key].sub(lambda _m, k=key: values[k], a)
        out.append(a)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("image")
    ap.add_argument("--n", type=int, default=4)
    ap.add_argument("--endpoint", default=os.environ.get("FLYTE_LAB_S3_ENDPOINT", "http://127.0.0.1:30002"))
    ap.add_argument("--bucket", default=os.environ.get("FLYTE_LAB_S3_BUCKET", "my-s3-bucket"))
    ap.add_argument("--project", default="flytesnacks")
    ap.add_argument("--domain", default="development")
    opts = ap.parse_args()

    # The host's flytekit talks to MinIO with the same env the pods get.
    s3_env = {
        "FLYTE_AWS_ENDPOINT": opts.endpoint,
        "FLYTE_AWS_ACCESS_KEY_ID": os.environ.get("FLYTE_LAB_S3_ACCESS_KEY", "minio"),
        "FLYTE_AWS_SECRET_ACCESS_KEY": os.environ.get("FLYTE_LAB_S3_SECRET_KEY", "miniostorage"),
    }
    os.environ.update(s3_env)
    import pandas as pd
    from flyteidl.admin import task_pb2
    from flytekit.core.context_manager import FlyteContextManager
    from flytekit.core.data_persistence import FileAccessProvider
    from flytekit.core.type_engine import TypeEngine
    from flytekit.models.literals import LiteralMap
    from flytekit.models.task import TaskSpec

    work = tempfile.mkdtemp(prefix="flyte-lab-task-check.")
    run = f"check-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:6]}"
    base = f"s3://{opts.bucket}/flyte-lab-image-check/{run}"
    fa = FileAccessProvider(local_sandbox_dir=os.path.join(work, "sandbox"), raw_output_prefix=f"{base}/host-raw")
    ctx = FlyteContextManager.current_context().with_file_access(fa).build()
    report = {"image": opts.image, "prefix": base, "tasks": []}

    # 1. serialize (what pyflyte register serializes) with the image
    pyflyte = os.path.join(os.path.dirname(sys.executable), "pyflyte")
    pkg = os.path.join(work, "pkg.tgz")
    t = time.time()
    subprocess.run([pyflyte, "--pkgs", "wf", "package", "--image", opts.image, "--copy", "all", "--source", APP,
                    "-o", pkg, "--force"], check=True, capture_output=True, text=True, cwd=APP)
    with tarfile.open(pkg) as tf:
        tf.extractall(os.path.join(work, "pkg"), filter="data")
    names = sorted(os.listdir(os.path.join(work, "pkg")))
    report["package"] = {"files": names, "seconds": round(time.time() - t, 2)}
    tasks = {}
    for f in names:
        if f.endswith("_1.pb"):
            idl = task_pb2.TaskSpec()
            with open(os.path.join(work, "pkg", f), "rb") as fh:
                idl.ParseFromString(fh.read())
            spec = TaskSpec.from_flyte_idl(idl)
            tasks[spec.template.id.name] = spec.template
    fast = [f for f in names if f.startswith("fast") and f.endswith(".tar.gz")]
    assert len(fast) == 1, f"expected one fast-registration archive, got {names}"

    # 2. the code archive on MinIO, as registration uploads it
    local_fast = os.path.join(work, "pkg", fast[0])
    with open(local_fast, "rb") as fh:
        md5 = hashlib.md5(fh.read()).hexdigest()
    distribution = f"{base}/{md5}/{fast[0]}"
    fa.put_data(local_fast, distribution)
    report["distribution"] = distribution

    def run_task(name, inputs, node):
        template = tasks[name]
        assert template.container.image == opts.image, template.container.image
        exec_name = run.replace("check-", "c")[:20]
        meta = f"{base}/metadata/propeller/{opts.project}-{opts.domain}-{exec_name}/{node}/data"
        raw = f"{base}/data/{exec_name}-{node}-0"
        values = {
            "remote_package_path": distribution,
            "input": f"{meta}/inputs.pb",
            "inputPrefix": meta,
            "outputPrefix": f"{meta}/0",
            "rawOutputDataPrefix": raw,
            "checkpointOutputPrefix": f"{raw}/_flytecheckpoints",
            "prevCheckpointPrefix": '""',
        }
        local_in = os.path.join(work, f"{node}-inputs.pb")
        with open(local_in, "wb") as fh:
            fh.write(LiteralMap(literals=inputs).to_flyte_idl().SerializeToString())
        fa.put_data(local_in, values["input"])
        args = render(template.container.args, values)
        env = {
            "FLYTE_INTERNAL_EXECUTION_WORKFLOW": f"{opts.project}:{opts.domain}:wf.frame_summary",
            "FLYTE_INTERNAL_EXECUTION_ID": exec_name,
            "FLYTE_INTERNAL_EXECUTION_PROJECT": opts.project,
            "FLYTE_INTERNAL_EXECUTION_DOMAIN": opts.domain,
            "FLYTE_ATTEMPT_NUMBER": "0",
            "FLYTE_INTERNAL_TASK_PROJECT": opts.project,
            "FLYTE_INTERNAL_TASK_DOMAIN": opts.domain,
            "FLYTE_INTERNAL_TASK_NAME": name,
            "FLYTE_INTERNAL_TASK_VERSION": "check",
            **s3_env,
        }
        cmd = ["docker", "run", "--rm", "--network", "host"]
        for k, v in env.items():
            cmd += ["-e", f"{k}={v}"]
        cmd += [opts.image, *args]
        t0 = time.time()
        proc = subprocess.run(cmd, capture_output=True, text=True)
        seconds = round(time.time() - t0, 2)
        entry = {"task": name, "templateArgs": list(template.container.args), "args": args, "seconds": seconds,
                 "exitCode": proc.returncode}
        report["tasks"].append(entry)
        if proc.returncode != 0:
            entry["log"] = (proc.stdout + proc.stderr)[-4000:]
            raise RuntimeError(f"{name}: the container exited {proc.returncode}")
        fs = fa.get_filesystem("s3")
        if fs.exists(f"{values['outputPrefix']}/error.pb".replace("s3://", "")):
            raise RuntimeError(f"{name}: error.pb was written")
        local_out = os.path.join(work, f"{node}-outputs.pb")
        fa.get_data(f"{values['outputPrefix']}/outputs.pb", local_out)
        with open(local_out, "rb") as fh:
            from flyteidl.core import literals_pb2

            idl = literals_pb2.LiteralMap()
            idl.ParseFromString(fh.read())
        entry["outputsPb"] = f"{values['outputPrefix']}/outputs.pb"
        return LiteralMap.from_flyte_idl(idl)

    try:
        n_lit = TypeEngine.to_literal(ctx, opts.n, int, TypeEngine.to_literal_type(int))
        out0 = run_task("wf.make_frame", {"n": n_lit}, "n0")
        df = TypeEngine.to_python_value(ctx, out0.literals["o0"], pd.DataFrame)
        report["tasks"][0]["outputs"] = {"o0": {"uri": out0.literals["o0"].scalar.structured_dataset.uri,
                                                "records": json.loads(df.to_json(orient="records"))}}
        assert df.to_dict(orient="list") == {"i": list(range(opts.n)), "square": [i * i for i in range(opts.n)],
                                             "label": [f"row-{i}" for i in range(opts.n)]}, df
        out1 = run_task("wf.summarize", {"df": out0.literals["o0"]}, "n1")
        rows = TypeEngine.to_python_value(ctx, out1.literals["rows"], int)
        mean = TypeEngine.to_python_value(ctx, out1.literals["mean_square"], float)
        report["tasks"][1]["outputs"] = {"rows": rows, "mean_square": mean}
        assert rows == opts.n and abs(mean - sum(i * i for i in range(opts.n)) / opts.n) < 1e-12, (rows, mean)
    except Exception as e:  # noqa: BLE001
        report["error"] = f"{type(e).__name__}: {e}"
        print(json.dumps(report, indent=2))
        return 1
    report["ok"] = True
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
