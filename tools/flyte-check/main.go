// flyte-check judges a Flyte 1 registration bundle with Flyte's own code: flytepropeller's compiler
// (CompileTask, GetRequirements, CompileWorkflow) and CRD builder (transformers/k8s.BuildFlyteWorkflow) at v1.16.8,
// plus flyteadmin's and flytectl's registration rules that live outside the compiler.
//
// Usage: flyte-check [--json] [--project P] [--domain D] [--version V] [--no-execution] BUNDLE.tgz|DIR|file.pb...
// Exit status: 0 if every file passes, 1 if anything is rejected, 2 on usage or I/O errors.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/unionml-ts/tools/flyte-check/checker"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("flyte-check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print one JSON object {ok, files, tasks, workflows, launchPlans}")
	project := fs.String("project", "flytesnacks", "project for empty or {{ registration.project }} identifiers (flytectl -p)")
	domain := fs.String("domain", "development", "domain for empty or {{ registration.domain }} identifiers (flytectl -d)")
	version := fs.String("version", "flyte-check", "version for empty or {{ registration.version }} identifiers (flytectl --version)")
	noExec := fs.Bool("no-execution", false, "do not build the FlyteWorkflow CR for each launch plan")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: flyte-check [--json] [flags] BUNDLE.tgz|DIR|file.pb...\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	sources, err := checker.LoadSources(fs.Args())
	if err != nil {
		fmt.Fprintf(stderr, "flyte-check: %v\n", err)
		return 2
	}
	rep := checker.Check(sources, checker.Options{Project: *project, Domain: *domain, Version: *version, SkipExecution: *noExec})
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintf(stderr, "flyte-check: %v\n", err)
			return 2
		}
	} else {
		printHuman(stdout, rep)
	}
	if !rep.OK {
		return 1
	}
	return 0
}

func printHuman(w io.Writer, rep *checker.Report) {
	groups := []struct {
		title string
		items []checker.EntityResult
	}{
		{"files", rep.Files}, {"tasks", rep.Tasks}, {"workflows", rep.Workflows}, {"launch plans", rep.LaunchPlans},
	}
	failed := 0
	for _, g := range groups {
		if len(g.items) == 0 {
			continue
		}
		fmt.Fprintf(w, "%s:\n", g.title)
		for _, r := range g.items {
			mark := "ok  "
			if !r.OK {
				mark = "FAIL"
				failed++
			}
			fmt.Fprintf(w, "  %s %s (%s)\n", mark, r.Name, r.File)
			for _, p := range r.Problems {
				fmt.Fprintf(w, "       [%s/%s] %s\n", p.Origin, p.Code, p.Message)
			}
			for _, n := range r.Notes {
				fmt.Fprintf(w, "       note: %s\n", n)
			}
		}
	}
	if rep.OK {
		fmt.Fprintf(w, "flyte-check: OK (%d tasks, %d workflows, %d launch plans)\n", len(rep.Tasks), len(rep.Workflows), len(rep.LaunchPlans))
	} else {
		fmt.Fprintf(w, "flyte-check: REJECTED (%d of %d files failed)\n", failed,
			len(rep.Files)+len(rep.Tasks)+len(rep.Workflows)+len(rep.LaunchPlans))
	}
}
