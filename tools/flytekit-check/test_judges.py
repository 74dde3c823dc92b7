"""Self-test of the flytekit judge on artifacts that flytekit itself made, plus the Node helper (judges.mjs).

Run with the judges' venv (after tools/scripts/setup-flyte-judges.sh):
    tools/flytekit-check/.venv/bin/python -m unittest discover -s tools/flytekit-check -p 'test_*.py' -v

* `pyflyte package` of fixtures/judges_fixture.py -> check_bundle.py must accept it (and flyte-check, if built);
  mutated copies (a task removed, a workflow under a task's suffix, an untypeable variable) must be rejected.
* `pyflyte-execute` of fixtures/judges_fixture.py:sample_outputs writes a real outputs.pb (parquet structured
  dataset, msgpack dict, blob, list/map of floats, primitives) -> read_literals.py must decode it to
  fixtures/sample_outputs.expected.json, also with file:// URIs, and must report a diff for a wrong expectation.
* write_goldens.py --check: packages/flyte/src/test-support/flytekit-goldens.json (the bytes @unionml/flyte's type
  engine tests compare with) must be what this flytekit computes now; a file with one changed byte must be reported.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(HERE, "fixtures")
BIN_DIR = os.path.dirname(sys.executable)
GOLDENS = os.path.join(ROOT, "packages", "flyte", "src", "test-support", "flytekit-goldens.json")
FLYTE_CHECK = os.environ.get("FLYTE_CHECK_BIN", os.path.join(ROOT, "tools", "flyte-check", "bin", "flyte-check"))
ENV = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}


def run(*args, cwd=None):
    return subprocess.run(list(args), cwd=cwd, env=ENV, capture_output=True, text=True)


class FlytekitJudgeTest(unittest.TestCase):
    tmp: str
    bundle: str
    outputs: str

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="flytekit-judge-")
        cls.bundle = os.path.join(cls.tmp, "bundle.tgz")
        r = run(os.path.join(BIN_DIR, "pyflyte"), "--pkgs", "judges_fixture", "package",
                "--image", "example.com/judges-fixture:v1", "--output", cls.bundle, "--force", cwd=FIXTURES)
        if r.returncode != 0:
            raise RuntimeError(f"pyflyte package failed:\n{r.stdout}\n{r.stderr}")
        # Run a task the way a Flyte container does; it writes <output-prefix>/outputs.pb and raw data.
        from flyteidl.core import literals_pb2

        inputs = os.path.join(cls.tmp, "inputs.pb")
        with open(inputs, "wb") as f:
            f.write(literals_pb2.LiteralMap().SerializeToString())
        out_prefix = os.path.join(cls.tmp, "out")
        raw_prefix = os.path.join(cls.tmp, "raw")
        r = run(os.path.join(BIN_DIR, "pyflyte-execute"), "--inputs", inputs, "--output-prefix", out_prefix,
                "--raw-output-data-prefix", raw_prefix,
                "--resolver", "flytekit.core.python_auto_container.default_task_resolver",
                "--", "task-module", "judges_fixture", "task-name", "sample_outputs", cwd=FIXTURES)
        cls.outputs = os.path.join(out_prefix, "outputs.pb")
        if r.returncode != 0 or not os.path.exists(cls.outputs):
            raise RuntimeError(f"pyflyte-execute failed:\n{r.stdout}\n{r.stderr}")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    # ---- helpers ----
    def check_bundle(self, *paths):
        r = run(sys.executable, os.path.join(HERE, "check_bundle.py"), "--json", *paths)
        self.assertIn(r.returncode, (0, 1), r.stderr)
        return r.returncode, json.loads(r.stdout)

    def extract(self, name_filter=lambda n: True, rename=None) -> str:
        d = tempfile.mkdtemp(dir=self.tmp)
        with tarfile.open(self.bundle) as tar:
            for m in tar.getmembers():
                if not name_filter(m.name):
                    continue
                data = tar.extractfile(m).read()
                name = rename(m.name) if rename else m.name
                with open(os.path.join(d, name), "wb") as f:
                    f.write(data)
        return d

    # ---- check_bundle.py ----
    def test_check_bundle_accepts_pyflyte_bundle(self):
        code, rep = self.check_bundle(self.bundle)
        self.assertEqual(code, 0, json.dumps(rep, indent=1))
        self.assertTrue(rep["ok"])
        self.assertEqual((len(rep["tasks"]), len(rep["workflows"]), len(rep["launchPlans"])), (5, 2, 3))
        by_name = {t["name"]: t for t in rep["tasks"]}
        self.assertEqual(by_name["judges_fixture.spread"]["pythonTypes"]["outputs"], {"o0": "List[float]", "o1": "Dict[str, float]"})
        self.assertEqual(by_name["judges_fixture.summarize"]["pythonTypes"]["inputs"]["extra"], "dict")
        self.assertIn("StructuredDataset", by_name["judges_fixture.make_frame"]["pythonTypes"]["outputs"]["o0"])
        self.assertIn("Params", by_name["judges_fixture.make_frame"]["pythonTypes"]["inputs"]["params"])
        self.assertIn("FlyteFile", by_name["judges_fixture.sample_outputs"]["pythonTypes"]["outputs"]["report"])
        nightly = next(lp for lp in rep["launchPlans"] if lp["name"] == "judges_fixture.report_nightly")
        self.assertEqual(nightly["schedule"]["cron"], "0 2 * * *")
        self.assertEqual(nightly["values"], {"n": "4", "scale": "3.0"})
        wf = next(w for w in rep["workflows"] if w["name"] == "judges_fixture.report_wf")
        self.assertEqual(wf["nodes"]["n2"], ["n1"])

    def test_check_bundle_rejects_missing_task(self):
        d = self.extract(lambda n: not n.endswith("summarize_1.pb"))
        code, rep = self.check_bundle(d)
        self.assertEqual(code, 1)
        failed = [w for w in rep["workflows"] if not w["ok"]]
        self.assertEqual(len(failed), 2, rep)
        self.assertIn("judges_fixture.summarize", failed[0]["error"])
        self.assertIn("frame_wf_2.pb", failed[0]["file"])

    def test_check_bundle_rejects_workflow_under_task_suffix(self):
        d = self.extract(rename=lambda n: n.replace("frame_wf_2.pb", "frame_wf_1.pb"))
        code, rep = self.check_bundle(d)
        self.assertEqual(code, 1)
        bad = [t for t in rep["tasks"] if not t["ok"]]
        self.assertEqual(len(bad), 1, rep)
        self.assertIn("frame_wf_1.pb", bad[0]["file"])

    def test_check_bundle_rejects_untypeable_variable(self):
        from flyteidl.admin import task_pb2

        d = self.extract()
        path = next(os.path.join(d, n) for n in os.listdir(d) if n.endswith("summarize_1.pb"))
        spec = task_pb2.TaskSpec()
        with open(path, "rb") as f:
            spec.ParseFromString(f.read())
        spec.template.interface.inputs.variables["extra"].type.Clear()  # a LiteralType with no type at all
        with open(path, "wb") as f:
            f.write(spec.SerializeToString())
        code, rep = self.check_bundle(d)
        self.assertEqual(code, 1)
        bad = [t for t in rep["tasks"] if not t["ok"]]
        self.assertEqual([os.path.basename(t["file"]) for t in bad], [os.path.basename(path)])
        self.assertIn("guess_python_type", bad[0]["error"])

    def test_flyte_check_accepts_pyflyte_bundle(self):
        if not os.path.exists(FLYTE_CHECK):
            self.skipTest("flyte-check not built")
        r = run(FLYTE_CHECK, "--json", self.bundle)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_check_bundle_accepts_flytesnacks_corpus(self):
        go = shutil.which("go")
        if go is None:
            self.skipTest("go not on PATH")
        r = subprocess.run([go, "list", "-m", "-f", "{{.Dir}}", "github.com/flyteorg/flyte/flytepropeller"],
                           cwd=os.path.join(ROOT, "tools", "flyte-check"), capture_output=True, text=True)
        corpus = os.path.join(r.stdout.strip(), "pkg", "compiler", "test", "testdata", "snacks-core")
        if r.returncode != 0 or not os.path.isdir(corpus):
            self.skipTest(f"flytepropeller module not downloaded: {r.stderr.strip()}")
        code, rep = self.check_bundle(corpus)
        # Four of the (2021) entities use the deprecated FlyteSchema type, which flytekit only maps once imported.
        self.assertEqual(code, 1)
        failed = sorted(os.path.basename(x["file"]) for g in ("tasks", "workflows") for x in rep[g] if not x["ok"])
        self.assertEqual(len(failed), 4, failed)
        self.assertTrue(all("schema" in n for n in failed), failed)
        r = run(sys.executable, os.path.join(HERE, "check_bundle.py"), "--legacy-schema", corpus)
        self.assertEqual(r.returncode, 0, r.stdout[-3000:])
        self.assertIn("OK (87 tasks, 45 workflows, 51 launch plans)", r.stdout)

    # ---- read_literals.py ----
    def read_literals(self, outputs, *extra):
        return run(sys.executable, os.path.join(HERE, "read_literals.py"), outputs, *extra)

    def test_read_literals_matches_flytekit_outputs(self):
        r = self.read_literals(self.outputs, "--expect", os.path.join(FIXTURES, "sample_outputs.expected.json"))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r = self.read_literals(self.outputs, "--json")
        decoded = json.loads(r.stdout)
        self.assertEqual(decoded["frame"]["columns"], ["x", "label", "n"])
        self.assertTrue(os.path.isfile(decoded["report"]["blob"]["path"]))

    def test_read_literals_reports_differences(self):
        with open(os.path.join(FIXTURES, "sample_outputs.expected.json")) as f:
            expected = json.load(f)
        expected["frame"]["records"][1]["x"] = 2.25
        expected["count"] = 3.0  # int vs float must differ
        expected["params"]["label"] = "daily"
        path = os.path.join(self.tmp, "wrong.json")
        with open(path, "w") as f:
            json.dump(expected, f)
        r = self.read_literals(self.outputs, "--expect", path, "--strict-numbers")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        for needle in ("$.frame.records[1].x: 2.5 != expected 2.25", "$.count: 3 (int) != expected 3.0 (float)",
                       '$.params.label: "nightly" != expected "daily"'):
            self.assertIn(needle, r.stderr)

    def test_read_literals_lenient_numbers_by_default(self):
        with open(os.path.join(FIXTURES, "sample_outputs.expected.json")) as f:
            expected = json.load(f)
        expected["total"] = 7  # what JSON.stringify writes for 7.0
        path = os.path.join(self.tmp, "js.json")
        with open(path, "w") as f:
            json.dump(expected, f)
        r = self.read_literals(self.outputs, "--expect", path)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_read_literals_with_declared_interface(self):
        d = self.extract(lambda n: n.endswith("sample_outputs_1.pb"))
        task_pb = os.path.join(d, os.listdir(d)[0])
        r = self.read_literals(self.outputs, "--interface", task_pb,
                               "--expect", os.path.join(FIXTURES, "sample_outputs.expected.json"))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # The outputs of another task do not fit this interface.
        other = self.extract(lambda n: n.endswith("spread_1.pb"))
        r = self.read_literals(self.outputs, "--interface", os.path.join(other, os.listdir(other)[0]))
        self.assertEqual(r.returncode, 2)
        self.assertIn("do not match the interface", r.stderr)

    def test_read_literals_accepts_file_uris(self):
        from flyteidl.core import literals_pb2

        lm = literals_pb2.LiteralMap()
        with open(self.outputs, "rb") as f:
            lm.ParseFromString(f.read())
        for name in ("frame", "report"):
            sc = lm.literals[name].scalar
            target = sc.structured_dataset if name == "frame" else sc.blob
            target.uri = "file://" + target.uri
        path = os.path.join(self.tmp, "outputs_file_uris.pb")
        with open(path, "wb") as f:
            f.write(lm.SerializeToString())
        r = self.read_literals(path, "--expect", os.path.join(FIXTURES, "sample_outputs.expected.json"))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("file:// URI given to flytekit as a plain path", r.stderr)
        # flytekit itself refuses a local blob given as file:// (documented behaviour that --strict-uris keeps)
        r = self.read_literals(path, "--strict-uris")
        self.assertEqual(r.returncode, 2)
        self.assertIn("literal 'report'", r.stderr)

    # ---- judges.mjs ----
    def test_judges_mjs(self):
        node = shutil.which("node")
        if node is None:
            self.skipTest("node not on PATH")
        script = f"""
          import {{ flyteCheck, flytekitCheckBundle, flytekitReadLiterals, judgesAvailable }} from {json.dumps(os.path.join(ROOT, 'tools', 'flyte-check', 'judges.mjs'))};
          const out = {{}};
          out.available = judgesAvailable();
          if (out.available.flyteCheck) out.flyteCheck = flyteCheck({json.dumps(self.bundle)}).ok;
          out.checkBundle = flytekitCheckBundle({json.dumps(self.bundle)}).json.tasks.length;
          const good = flytekitReadLiterals({json.dumps(self.outputs)}, {json.dumps(os.path.join(FIXTURES, 'sample_outputs.expected.json'))});
          out.readOk = good.ok; out.total = good.json.total;
          const bad = flytekitReadLiterals({json.dumps(self.outputs)}, {{ ...good.json, total: 8 }});
          out.jsRoundTrip = flytekitReadLiterals({json.dumps(self.outputs)}, good.json).ok;
          out.readBad = bad.ok; out.diff = bad.diff;
          console.log(JSON.stringify(out));
        """
        r = subprocess.run([node, "--input-type=module", "-e", script], env={**ENV, "FLYTEKIT_PYTHON": sys.executable},
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = json.loads(r.stdout)
        self.assertEqual(out["checkBundle"], 5)
        self.assertTrue(out["readOk"])
        self.assertEqual(out["total"], 7.0)
        self.assertFalse(out["readBad"])
        self.assertEqual(out["diff"], ["$.total: 7.0 != expected 8"])
        self.assertTrue(out["jsRoundTrip"])
        if out["available"]["flyteCheck"]:
            self.assertTrue(out["flyteCheck"])


if __name__ == "__main__":
    unittest.main(verbosity=2)


class FlytekitGoldensTest(unittest.TestCase):
    """The committed goldens of @unionml/flyte's type-engine tests are flytekit's own output (write_goldens.py)."""

    def check(self, *extra):
        return run(sys.executable, os.path.join(HERE, "write_goldens.py"), "--check", *extra)

    def test_committed_goldens_match_flytekit(self):
        r = self.check()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("matches flytekit 1.16.31", r.stdout)

    def test_check_reports_a_stale_golden(self):
        with open(GOLDENS, encoding="utf-8") as f:
            goldens = json.load(f)
        goldens["literalTypes"]["Optional[int]"]["hex"] = goldens["literalTypes"]["Optional[float]"]["hex"]
        d = tempfile.mkdtemp(prefix="flytekit-goldens-")
        try:
            stale = os.path.join(d, "flytekit-goldens.json")
            with open(stale, "w", encoding="utf-8") as f:
                json.dump(goldens, f)
            r = self.check("--output", stale)
            self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
            self.assertIn("is stale; regenerate it", r.stderr)
            self.assertIn("Optional[int]", r.stderr)
            r = self.check("--output", os.path.join(d, "missing.json"))
            self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        finally:
            shutil.rmtree(d, ignore_errors=True)
