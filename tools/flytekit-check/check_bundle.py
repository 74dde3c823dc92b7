#!/usr/bin/env python3
"""Judge a Flyte 1 registration bundle with flytekit (PyPI flytekit==1.16.31, flyteidl==1.16.8).

Usage: check_bundle.py BUNDLE.tgz|DIR|file.pb... [--json] [--legacy-schema]

For every NN_name_K.pb file (K: 1 task, 2 workflow, 3 launch plan), in flytectl's sorted order:
  * parse it with flyteidl's Python classes (admin.task_pb2.TaskSpec, workflow_pb2.WorkflowSpec,
    launch_plan_pb2.LaunchPlan) - strictly: unknown fields are an error;
  * convert it with flytekit's models (TaskSpec / WorkflowSpec / LaunchPlan .from_flyte_idl);
  * promote it to flytekit's remote entities: FlyteTask.promote_from_model, FlyteWorkflow.promote_from_model (with
    the bundle's tasks, sub-workflows and launch plans), FlyteLaunchPlan.promote_from_model;
  * map every interface variable's LiteralType to a Python type with TypeEngine.guess_python_type, and decode every
    launch-plan default / fixed input with TypeEngine.to_python_value.
Any exception fails the run (exit 1) and names the file. Exit 2 on usage errors.
Identifiers are hydrated like `flytectl register files` does (empty or "{{ registration.* }}" project, domain and
version become --project/--domain/--version) so that references resolve as they would in admin.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
import tarfile
import traceback
from typing import Any, Dict, List, Optional, Tuple

FNAME = re.compile(r"^.*_(?P<index>[1-3])\.pb$")
KINDS = {"1": "task", "2": "workflow", "3": "launchPlan"}
PLACEHOLDERS = {
    "project": "{{ registration.project }}",
    "domain": "{{ registration.domain }}",
    "version": "{{ registration.version }}",
}


def load_files(paths: List[str]) -> List[Tuple[str, bytes]]:
    """Returns (display name, bytes) of every entry, each source sorted by name as flytectl sorts them."""
    out: List[Tuple[str, bytes]] = []
    loose: List[Tuple[str, bytes]] = []
    for p in paths:
        if os.path.isdir(p):
            for name in sorted(os.listdir(p)):
                full = os.path.join(p, name)
                if os.path.isfile(full):
                    with open(full, "rb") as f:
                        out.append((full, f.read()))
        elif p.endswith((".tgz", ".tar.gz", ".tar")):
            entries = []
            with tarfile.open(p, "r:*") as tar:
                for m in tar.getmembers():
                    if m.isfile():
                        entries.append((f"{p}:{m.name}", m.name, tar.extractfile(m).read()))
            entries.sort(key=lambda e: e[1])
            out.extend((disp, data) for disp, _, data in entries)
        else:
            with open(p, "rb") as f:
                loose.append((p, f.read()))
    return out + sorted(loose)


def hydrate_id(idl_id, opts) -> None:
    """flytectl's hydrateIdentifier on a flyteidl.core.Identifier message."""
    if idl_id is None:
        return
    for field in ("project", "domain", "version"):
        v = getattr(idl_id, field)
        if v == "" or v == PLACEHOLDERS[field]:
            setattr(idl_id, field, getattr(opts, field))


def hydrate_node(node, opts) -> None:
    which = node.WhichOneof("target")
    if which == "task_node":
        hydrate_id(node.task_node.reference_id, opts)
    elif which == "workflow_node":
        ref = node.workflow_node.WhichOneof("reference")
        if ref:
            hydrate_id(getattr(node.workflow_node, ref), opts)
    elif which == "branch_node":
        ie = node.branch_node.if_else
        hydrate_node(ie.case.then_node, opts)
        for b in ie.other:
            hydrate_node(b.then_node, opts)
        if ie.HasField("else_node"):
            hydrate_node(ie.else_node, opts)
    elif which == "array_node":
        hydrate_node(node.array_node.node, opts)


def hydrate_workflow_template(t, opts) -> None:
    for n in t.nodes:
        hydrate_node(n, opts)
    if t.HasField("failure_node"):
        hydrate_node(t.failure_node, opts)
    hydrate_id(t.id, opts)


def unknown_fields(msg, path: str = "") -> List[str]:
    """Paths of protobuf messages that carry fields unknown to this flyteidl (a sign of a wrong _K suffix)."""
    from google.protobuf import unknown_fields as uf

    out = []
    if len(uf.UnknownFieldSet(msg)) > 0:
        out.append(path or "(root)")
    for fd, value in msg.ListFields():
        if fd.message_type is None:
            continue
        name = f"{path}.{fd.name}"
        if fd.message_type.GetOptions().map_entry:
            value_fd = fd.message_type.fields_by_name["value"]
            if value_fd.message_type is not None:
                for k, v in value.items():
                    out.extend(unknown_fields(v, f"{name}[{k}]"))
        elif (fd.is_repeated if hasattr(fd, "is_repeated") else fd.label == fd.LABEL_REPEATED):
            for i, v in enumerate(value):
                out.extend(unknown_fields(v, f"{name}[{i}]"))
        else:
            out.extend(unknown_fields(value, name))
    return out


def id_str(i) -> str:
    return f"{i.project}/{i.domain}/{i.name}@{i.version}"


def describe_type(t: Any) -> str:
    if isinstance(t, type):
        mod = t.__module__
        return t.__qualname__ if mod in ("builtins", None) else f"{mod}.{t.__qualname__}"
    return repr(t).replace("typing.", "")


def guess_interface(typed_interface) -> Dict[str, Dict[str, str]]:
    """TypeEngine.guess_python_type for every input and output variable of a flytekit TypedInterface model."""
    from flytekit.core.type_engine import TypeEngine

    out: Dict[str, Dict[str, str]] = {"inputs": {}, "outputs": {}}
    for direction in ("inputs", "outputs"):
        variables = getattr(typed_interface, direction) or {}
        for name, var in sorted(variables.items()):
            try:
                out[direction][name] = describe_type(TypeEngine.guess_python_type(var.type))
            except Exception as e:  # noqa: BLE001 - re-raised with the variable's name
                raise RuntimeError(f"TypeEngine.guess_python_type failed for {direction[:-1]} {name!r} ({var.type}): {e}") from e
    return out


def decode_literal(name: str, literal, literal_type) -> str:
    """Decodes a launch-plan literal to Python via TypeEngine, returning a short description."""
    from flytekit.core.context_manager import FlyteContextManager
    from flytekit.core.type_engine import TypeEngine

    scalar = literal.scalar
    if scalar is not None and (scalar.blob is not None or scalar.structured_dataset is not None or scalar.schema is not None):
        return "<offloaded data: not downloaded>"
    py_type = TypeEngine.guess_python_type(literal_type)
    try:
        value = TypeEngine.to_python_value(FlyteContextManager.current_context(), literal, py_type)
    except Exception as e:  # noqa: BLE001
        raise RuntimeError(f"TypeEngine.to_python_value failed for {name!r} as {describe_type(py_type)}: {e}") from e
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


class Checker:
    def __init__(self, opts):
        self.opts = opts
        self.results: Dict[str, List[Dict[str, Any]]] = {"files": [], "tasks": [], "workflows": [], "launchPlans": []}
        self.tasks: Dict[Any, Any] = {}  # flytekit Identifier model -> FlyteTask
        self.workflow_specs: List[Tuple[str, Any]] = []  # (file, flytekit WorkflowSpec model)
        self.workflow_ifaces: Dict[Any, Any] = {}  # workflow Identifier model -> TypedInterface model
        self.launch_plans: Dict[Any, Any] = {}  # launch plan Identifier model -> LaunchPlanSpec model
        self.lp_results: List[Tuple[Dict[str, Any], Any]] = []

    def fail_file(self, disp: str, msg: str) -> None:
        self.results["files"].append({"file": disp, "name": os.path.basename(disp.split(":")[-1]), "ok": False, "error": msg})

    def run(self, files: List[Tuple[str, bytes]]) -> Dict[str, Any]:
        from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2

        parsed = []
        for disp, data in files:
            base = os.path.basename(disp.split(":")[-1])
            if base.startswith("fast") and base.endswith(".tar.gz"):
                continue
            m = FNAME.match(base)
            if not base.endswith(".pb"):
                self.fail_file(disp, "not a .pb file (flytectl: input package have some invalid files)")
                continue
            if not m:
                self.fail_file(disp, "no _1/_2/_3 suffix: the entity type cannot be known")
                continue
            kind = KINDS[m.group("index")]
            cls = {"task": task_pb2.TaskSpec, "workflow": workflow_pb2.WorkflowSpec, "launchPlan": launch_plan_pb2.LaunchPlan}[kind]
            parsed.append((disp, kind, cls, data))

        # Tasks first, then workflows (they need the tasks and launch plans), then launch plans.
        for disp, kind, cls, data in parsed:
            if kind == "task":
                self.guard("tasks", disp, lambda: self.check_task(disp, cls, data))
        for disp, kind, cls, data in parsed:
            if kind == "launchPlan":
                self.guard("launchPlans", disp, lambda: self.load_launch_plan(disp, cls, data))
        for disp, kind, cls, data in parsed:
            if kind == "workflow":
                self.guard("workflows", disp, lambda: self.check_workflow(disp, cls, data))
        for res, lp in self.lp_results:
            self.guard_existing(res, lambda: self.check_launch_plan(res, lp))
        for res, _ in self.lp_results:
            self.results["launchPlans"].append(res)

        ok = all(r["ok"] for group in self.results.values() for r in group)
        if not any(self.results[k] for k in ("tasks", "workflows", "launchPlans")):
            ok = False
            self.results["files"].append({"file": ",".join(self.opts.paths), "name": "(bundle)", "ok": False, "error": "no _1/_2/_3 .pb files found"})
        return {"ok": ok, **self.results}

    def guard(self, group: str, disp: str, fn) -> None:
        try:
            res = fn()
            if res is not None:
                self.results[group].append(res)
        except Exception as e:  # noqa: BLE001 - every failure is reported against its file
            self.results[group].append({"file": disp, "name": os.path.basename(disp.split(":")[-1]), "ok": False, "error": f"{type(e).__name__}: {e}", "traceback": traceback.format_exc(limit=6)})

    def guard_existing(self, res: Dict[str, Any], fn) -> None:
        if not res["ok"]:
            return
        try:
            fn()
        except Exception as e:  # noqa: BLE001
            res.update(ok=False, error=f"{type(e).__name__}: {e}", traceback=traceback.format_exc(limit=6))

    @staticmethod
    def parse(cls, data: bytes):
        msg = cls()
        msg.ParseFromString(data)
        unknown = unknown_fields(msg)
        if unknown:
            raise ValueError(f"decoded as {cls.DESCRIPTOR.full_name} but has fields unknown to flyteidl at {', '.join(unknown)} (wrong _K suffix?)")
        return msg

    def check_task(self, disp: str, cls, data: bytes) -> Dict[str, Any]:
        from flytekit.models.task import TaskSpec
        from flytekit.remote.entities import FlyteTask

        idl = self.parse(cls, data)
        hydrate_id(idl.template.id, self.opts)
        spec = TaskSpec.from_flyte_idl(idl)
        task = FlyteTask.promote_from_model(spec.template)
        if task.interface is None:
            raise ValueError("task has no interface")
        self.tasks[spec.template.id] = task
        return {"file": disp, "name": task.name, "ok": True, "type": task.type, "pythonTypes": guess_interface(spec.template.interface)}

    def load_launch_plan(self, disp: str, cls, data: bytes) -> None:
        from flytekit.models.launch_plan import LaunchPlan

        idl = self.parse(cls, data)
        hydrate_id(idl.id, self.opts)
        hydrate_id(idl.spec.workflow_id, self.opts)
        lp = LaunchPlan.from_flyte_idl(idl)
        self.launch_plans[lp.id] = lp.spec
        self.lp_results.append(({"file": disp, "name": lp.id.name, "ok": True}, lp))

    def check_workflow(self, disp: str, cls, data: bytes) -> Dict[str, Any]:
        from flytekit.models.admin.workflow import WorkflowSpec
        from flytekit.remote.entities import FlyteWorkflow

        idl = self.parse(cls, data)
        hydrate_workflow_template(idl.template, self.opts)
        for sw in idl.sub_workflows:
            hydrate_workflow_template(sw, self.opts)
        spec = WorkflowSpec.from_flyte_idl(idl)
        sub_workflows = {sw.id: sw for sw in spec.sub_workflows}
        wf = FlyteWorkflow.promote_from_model(
            spec.template, sub_workflows=sub_workflows, tasks=dict(self.tasks), node_launch_plans=dict(self.launch_plans)
        )
        # The promoted graph must reference every node's upstream and every binding's node.
        node_ids = {n.id for n in wf.flyte_nodes}
        for n in wf.flyte_nodes:
            for b in n.inputs:
                for ref in promise_nodes(b.binding):
                    if ref not in ("", "start-node") and ref not in node_ids:
                        raise ValueError(f"node {n.id!r} binds {b.var!r} to unknown node {ref!r}")
        self.workflow_ifaces[spec.template.id] = spec.template.interface
        return {
            "file": disp,
            "name": wf.name,
            "ok": True,
            "nodes": {n.id: sorted(u.id for u in n.upstream_nodes) for n in wf.flyte_nodes},
            "pythonTypes": guess_interface(spec.template.interface),
        }

    def check_launch_plan(self, res: Dict[str, Any], lp) -> None:
        from flytekit.core.type_engine import TypeEngine
        from flytekit.remote.entities import FlyteLaunchPlan

        flp = FlyteLaunchPlan.promote_from_model(lp.id, lp.spec)
        wf_iface = self.workflow_ifaces.get(flp.workflow_id)
        if wf_iface is None:
            raise ValueError(f"workflow {id_str(flp.workflow_id)} is not a (valid) workflow of this bundle")
        types: Dict[str, str] = {}
        values: Dict[str, str] = {}
        wf_inputs = wf_iface.inputs or {}
        for name, param in sorted((flp.default_inputs.parameters or {}).items()):
            if name not in wf_inputs:
                raise ValueError(f"default input {name!r} is not a workflow input")
            types[name] = describe_type(TypeEngine.guess_python_type(param.var.type))
            if param.default is not None:
                values[name] = decode_literal(name, param.default, param.var.type)
        for name, lit in sorted((flp.fixed_inputs.literals or {}).items()):
            if name not in wf_inputs:
                raise ValueError(f"fixed input {name!r} is not a workflow input")
            values[name] = decode_literal(name, lit, wf_inputs[name].type)
        # FlyteLaunchPlan.is_scheduled raises on a launch plan without a schedule (flytekit 1.16.31), so look directly.
        schedule = flp.entity_metadata.schedule if flp.entity_metadata is not None else None
        res.update(workflow=flp.workflow_id.name, scheduled=schedule is not None, pythonTypes={"inputs": types}, values=values)
        if schedule is not None:
            res["schedule"] = {
                "cron": (schedule.cron_schedule.schedule if schedule.cron_schedule else schedule.cron_expression) or None,
                "rate": ({"value": schedule.rate.value, "unit": schedule.rate.unit} if schedule.rate else None),
                "kickoffTimeInputArg": schedule.kickoff_time_input_arg or None,
            }


def promise_nodes(binding_data) -> List[str]:
    if binding_data is None:
        return []
    if binding_data.promise is not None:
        return [binding_data.promise.node_id]
    out: List[str] = []
    if binding_data.collection is not None:
        for b in binding_data.collection.bindings:
            out.extend(promise_nodes(b))
    if binding_data.map is not None:
        for b in binding_data.map.bindings.values():
            out.extend(promise_nodes(b))
    return out


def print_human(report: Dict[str, Any], out) -> None:
    for group, title in (("files", "files"), ("tasks", "tasks"), ("workflows", "workflows"), ("launchPlans", "launch plans")):
        if not report[group]:
            continue
        print(f"{title}:", file=out)
        for r in report[group]:
            print(f"  {'ok  ' if r['ok'] else 'FAIL'} {r['name']} ({r['file']})", file=out)
            if not r["ok"]:
                print(f"       {r.get('error')}", file=out)
            for direction, types in (r.get("pythonTypes") or {}).items():
                for var, t in types.items():
                    print(f"       {direction[:-1]} {var}: {t}", file=out)
            for var, v in (r.get("values") or {}).items():
                print(f"       value {var} = {v}", file=out)
    counts = tuple(len(report[k]) for k in ("tasks", "workflows", "launchPlans"))
    verdict = "OK" if report["ok"] else "REJECTED"
    print(f"flytekit check_bundle: {verdict} ({counts[0]} tasks, {counts[1]} workflows, {counts[2]} launch plans)", file=out)


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+", help="bundle .tgz/.tar.gz/.tar, directory, or .pb files")
    ap.add_argument("--json", action="store_true", help="print one JSON object {ok, files, tasks, workflows, launchPlans}")
    ap.add_argument("--project", default="flytesnacks")
    ap.add_argument("--domain", default="development")
    ap.add_argument("--version", default="flyte-check")
    ap.add_argument("--legacy-schema", action="store_true",
                    help="load flytekit's deprecated FlyteSchema transformer, so that `schema` types (pre-structured-"
                         "dataset bundles) can be mapped; without it they fail like in a flytekit that never imports it")
    opts = ap.parse_args(argv)
    if opts.legacy_schema:
        import flytekit.types.schema  # noqa: F401 - registers the FlyteSchema transformer with the TypeEngine
    try:
        files = load_files(opts.paths)
    except (OSError, tarfile.TarError) as e:
        print(f"check_bundle: {e}", file=sys.stderr)
        return 2
    # flytekit logs to stderr; keep stdout for the report
    report = Checker(opts).run(files)
    if opts.json:
        json.dump(report, sys.stdout, indent=2, default=str)
        sys.stdout.write("\n")
    else:
        print_human(report, sys.stdout)
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
