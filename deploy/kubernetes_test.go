package deploy

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// doc is one YAML document of a manifest, decoded generically.
type doc struct {
	file string
	m    map[string]any
}

func (d doc) kind() string { return str(d.m, "kind") }
func (d doc) name() string { return str(d.m, "metadata", "name") }
func (d doc) String() string {
	return d.file + ": " + d.kind() + "/" + d.name()
}

// at walks nested maps by key; nil when a key is missing.
func at(v any, path ...string) any {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func str(v any, path ...string) string {
	s, _ := at(v, path...).(string)
	return s
}

func list(v any, path ...string) []any {
	l, _ := at(v, path...).([]any)
	return l
}

// loadManifests parses every YAML file under kubernetes/ (optional/ too).
func loadManifests(t *testing.T) []doc {
	t.Helper()
	var docs []doc
	err := filepath.WalkDir("kubernetes", func(path string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() || !(strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		for {
			var m map[string]any
			err := dec.Decode(&m)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Errorf("%s: %v", path, err)
				break
			}
			if m != nil {
				docs = append(docs, doc{file: path, m: m})
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) == 0 {
		t.Fatal("no manifests under kubernetes/")
	}
	return docs
}

func TestManifestsHaveIdentity(t *testing.T) {
	for _, d := range loadManifests(t) {
		if str(d.m, "apiVersion") == "" || d.kind() == "" || d.name() == "" {
			t.Errorf("%s: a document without apiVersion, kind or metadata.name", d.file)
		}
	}
}

// TestKustomizationListsEveryManifest: a manifest left out of
// kustomization.yaml would never be applied (optional/ is left out on
// purpose), and a listed one must exist.
func TestKustomizationListsEveryManifest(t *testing.T) {
	var k doc
	for _, d := range loadManifests(t) {
		if d.kind() == "Kustomization" {
			k = d
		}
	}
	if k.m == nil {
		t.Fatal("no kubernetes/kustomization.yaml")
	}
	var listed []string
	for _, r := range list(k.m, "resources") {
		listed = append(listed, r.(string))
	}
	files, _ := filepath.Glob("kubernetes/*.yaml")
	var want []string
	for _, f := range files {
		if base := filepath.Base(f); base != "kustomization.yaml" {
			want = append(want, base)
		}
	}
	sort.Strings(listed)
	if !slices.Equal(listed, want) {
		t.Errorf("kustomization.yaml resources = %v, want every manifest of kubernetes/: %v", listed, want)
	}
}

// workloads are the pod templates of Deployments, StatefulSets and Jobs.
func workloads(docs []doc) []doc {
	var out []doc
	for _, d := range docs {
		switch d.kind() {
		case "Deployment", "StatefulSet", "Job":
			out = append(out, d)
		}
	}
	return out
}

func TestWorkloadsAreProbedBoundedAndUnprivileged(t *testing.T) {
	docs := loadManifests(t)
	roles := map[string]bool{}
	for _, d := range workloads(docs) {
		pod := at(d.m, "spec", "template", "spec")
		longRunning := d.kind() != "Job"
		podNonRoot, _ := at(pod, "securityContext", "runAsNonRoot").(bool)
		containers := list(pod, "containers")
		if len(containers) == 0 {
			t.Errorf("%s: no containers", d)
		}
		for _, c := range containers {
			name := str(c, "name")
			where := d.String() + " container " + name
			if longRunning {
				roles[firstArg(c)] = true
				if p := str(c, "livenessProbe", "httpGet", "path"); p != "/healthz" {
					t.Errorf("%s: livenessProbe path %q, want /healthz", where, p)
				}
				if p := str(c, "readinessProbe", "httpGet", "path"); p != "/readyz" {
					t.Errorf("%s: readinessProbe path %q, want /readyz", where, p)
				}
				for _, probe := range []string{"livenessProbe", "readinessProbe", "startupProbe"} {
					if at(c, probe) != nil && !hasPort(c, at(c, probe, "httpGet", "port")) {
						t.Errorf("%s: %s port %v is not a port of the container", where, probe, at(c, probe, "httpGet", "port"))
					}
				}
			}
			for _, q := range []string{"requests", "limits"} {
				for _, r := range []string{"cpu", "memory"} {
					if at(c, "resources", q, r) == nil {
						t.Errorf("%s: no resources.%s.%s", where, q, r)
					}
				}
			}
			nonRoot, ok := at(c, "securityContext", "runAsNonRoot").(bool)
			if !(ok && nonRoot || !ok && podNonRoot) {
				t.Errorf("%s: runAsNonRoot is not true (pod or container securityContext)", where)
			}
			if ro, _ := at(c, "securityContext", "readOnlyRootFilesystem").(bool); !ro {
				t.Errorf("%s: readOnlyRootFilesystem is not true", where)
			}
			if esc, ok := at(c, "securityContext", "allowPrivilegeEscalation").(bool); !ok || esc {
				t.Errorf("%s: allowPrivilegeEscalation is not false", where)
			}
		}
	}
	for _, r := range []string{"ingest", "process", "serve"} {
		if !roles[r] {
			t.Errorf("no Deployment runs agentpulse %s", r)
		}
	}
}

func firstArg(c any) string {
	args := list(c, "args")
	if len(args) == 0 {
		return ""
	}
	s, _ := args[0].(string)
	return s
}

// hasPort reports whether the container declares port (a name or number).
func hasPort(c any, port any) bool {
	for _, p := range list(c, "ports") {
		if port == at(p, "name") || port == at(p, "containerPort") {
			return true
		}
	}
	return false
}

// TestManifestEnvIsRealFlags: every AGENTPULSE_* variable a container gets
// is a flag of the command it runs, each reference names an existing
// ConfigMap or Secret key, and every container runs a real command.
func TestManifestEnvIsRealFlags(t *testing.T) {
	c := loadCLI(t)
	docs := loadManifests(t)
	keys := map[string]map[string]bool{} // "ConfigMap/name" → keys
	for _, d := range docs {
		if d.kind() == "ConfigMap" || d.kind() == "Secret" {
			ks := map[string]bool{}
			for _, field := range []string{"data", "stringData"} {
				if m, ok := at(d.m, field).(map[string]any); ok {
					for k := range m {
						ks[k] = true
						if f, ok := envFlag(k); ok && !anyCommandHas(c, f) {
							t.Errorf("%s: key %s is no flag of any command", d, k)
						}
					}
				}
			}
			keys[d.kind()+"/"+d.name()] = ks
		}
	}
	for _, d := range workloads(docs) {
		for _, ct := range list(d.m, "spec", "template", "spec", "containers") {
			cmd := firstArg(ct)
			where := d.String() + " container " + str(ct, "name")
			if !c.commands[cmd] {
				t.Errorf("%s: args[0] %q is not an agentpulse command", where, cmd)
				continue
			}
			for _, e := range list(ct, "env") {
				name := str(e, "name")
				if strings.HasPrefix(name, "AGENTPULSE_") && !c.hasEnv(cmd, name) {
					t.Errorf("%s: %s is no flag of agentpulse %s", where, name, cmd)
				}
				for kind, ref := range map[string]string{"ConfigMap": "configMapKeyRef", "Secret": "secretKeyRef"} {
					if r := at(e, "valueFrom", ref); r != nil && !keys[kind+"/"+str(r, "name")][str(r, "key")] {
						t.Errorf("%s: %s refers to %s %s key %s, which no manifest defines", where, name, kind, str(r, "name"), str(r, "key"))
					}
				}
			}
			for _, e := range list(ct, "envFrom") {
				ref := str(e, "configMapRef", "name")
				for k := range keys["ConfigMap/"+ref] {
					if strings.HasPrefix(k, "AGENTPULSE_") && !c.hasEnv(cmd, k) {
						t.Errorf("%s: envFrom ConfigMap %s sets %s, no flag of agentpulse %s", where, ref, k, cmd)
					}
				}
			}
		}
	}
}

func anyCommandHas(c *cli, flag string) bool {
	for _, fl := range c.flags {
		if fl[flag] {
			return true
		}
	}
	return false
}

// TestManifestReferencesResolve: Services, PodDisruptionBudgets select the
// pods of a workload, the autoscaler targets a Deployment, the Ingress
// routes to Services and their named ports.
func TestManifestReferencesResolve(t *testing.T) {
	docs := loadManifests(t)
	var podLabels []map[string]any
	deployments := map[string]bool{}
	services := map[string][]any{}
	for _, d := range workloads(docs) {
		l, _ := at(d.m, "spec", "template", "metadata", "labels").(map[string]any)
		if d.kind() != "Job" {
			podLabels = append(podLabels, l)
		}
		if d.kind() == "Deployment" {
			deployments[d.name()] = true
			if sel, _ := at(d.m, "spec", "selector", "matchLabels").(map[string]any); !subset(sel, l) {
				t.Errorf("%s: spec.selector does not match its pod labels", d)
			}
		}
	}
	selects := func(sel map[string]any) bool {
		for _, l := range podLabels {
			if len(sel) > 0 && subset(sel, l) {
				return true
			}
		}
		return false
	}
	pdbs := 0
	for _, d := range docs {
		switch d.kind() {
		case "Service":
			services[d.name()] = list(d.m, "spec", "ports")
			if sel, _ := at(d.m, "spec", "selector").(map[string]any); !selects(sel) {
				t.Errorf("%s: its selector matches no workload's pods", d)
			}
		case "PodDisruptionBudget":
			pdbs++
			if sel, _ := at(d.m, "spec", "selector", "matchLabels").(map[string]any); !selects(sel) {
				t.Errorf("%s: its selector matches no workload's pods", d)
			}
		case "HorizontalPodAutoscaler":
			if !deployments[str(d.m, "spec", "scaleTargetRef", "name")] {
				t.Errorf("%s: scaleTargetRef names no Deployment", d)
			}
			if m := str(list(d.m, "spec", "metrics")[0], "pods", "metric", "name"); m != "agentpulse_processor_lag_records" {
				t.Errorf("%s: scales on %q, want agentpulse_processor_lag_records", d, m)
			}
		}
	}
	if pdbs < 3 {
		t.Errorf("%d PodDisruptionBudgets, want one per role (3)", pdbs)
	}
	for _, d := range docs {
		if d.kind() != "Ingress" {
			continue
		}
		for _, r := range list(d.m, "spec", "rules") {
			for _, p := range list(r, "http", "paths") {
				svc := str(p, "backend", "service", "name")
				port := at(p, "backend", "service", "port", "name")
				found := false
				for _, sp := range services[svc] {
					found = found || at(sp, "name") == port
				}
				if !found {
					t.Errorf("%s: path %s routes to service %s port %v, which no Service has", d, str(p, "path"), svc, port)
				}
			}
		}
	}
}

func subset(sel, labels map[string]any) bool {
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// TestKustomizeBuilds renders the kustomization with kubectl when it is
// installed (optional here and in CI: the parse tests above are the check).
func TestKustomizeBuilds(t *testing.T) {
	if _, err := exec.LookPath("kubectl"); err != nil {
		t.Skip("kubectl not installed: kustomize build not checked")
	}
	out, err := exec.Command("kubectl", "kustomize", "kubernetes").CombinedOutput()
	if err != nil {
		t.Fatalf("kubectl kustomize kubernetes: %v\n%s", err, out)
	}
	if !bytes.Contains(out, []byte("namespace: agentpulse")) || bytes.Contains(out, []byte("image: agentpulse\n")) {
		t.Errorf("kubectl kustomize: the namespace or the image pin did not apply:\n%s", out)
	}
}
