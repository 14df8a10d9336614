package observability

import (
	"context"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/plugin/kprom"
)

const (
	rulesFile     = "../prometheus/alerts.yml"
	rulesTestFile = "../prometheus/alerts_test.yml"
	dashboardFile = "../grafana/agentpulse.json"
)

// requireServices reports whether a missing tool must fail the test.
func requireServices() bool {
	return os.Getenv("CI") == "true" || os.Getenv("AGENTPULSE_REQUIRE_SERVICES") == "1"
}

// TestPromtool checks the alert rules' syntax and runs their unit tests.
func TestPromtool(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if requireServices() {
			t.Fatalf("promtool not found (Debian package prometheus): %v", err)
		}
		t.Skip("promtool not found; install Debian's prometheus package")
	}
	for _, args := range [][]string{
		{"check", "rules", rulesFile},
		{"test", "rules", rulesTestFile},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		out, err := exec.CommandContext(ctx, promtool, args...).CombinedOutput()
		cancel()
		if err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// TestMetricsExist checks that the dashboard and the alerts only use
// metrics the product exports.
func TestMetricsExist(t *testing.T) {
	known := exportedMetrics(t)
	for _, want := range []string{ // a few anchors, so an empty list cannot pass
		"agentpulse_processor_lag_records", "agentpulse_storeview_cache_builds_total",
		"agentpulse_ingest_kafka_produce_bytes_total", "agentpulse_processor_kafka_fetch_bytes_total",
		"go_goroutines", "process_open_fds",
	} {
		if !known[want] {
			t.Fatalf("metric list from the code lacks %s (%d names)", want, len(known))
		}
	}

	exprs := map[string][]string{}
	exprs[dashboardFile] = dashboardExprs(t)
	exprs[rulesFile] = ruleExprs(t)
	for file, list := range exprs {
		if len(list) == 0 {
			t.Fatalf("%s: no expressions found", file)
		}
		for _, e := range list {
			names := metricNames(e)
			if len(names) == 0 {
				t.Errorf("%s: expression uses no metric: %q", file, e)
			}
			for _, n := range names {
				if !exists(known, n) {
					t.Errorf("%s: %s is not a metric the product exports (in %q)", file, n, e)
				}
			}
		}
	}
}

// exists reports whether name is a known metric or a histogram's or
// summary's _bucket, _sum or _count series, or Prometheus's own up.
func exists(known map[string]bool, name string) bool {
	if known[name] || name == "up" {
		return true
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if base, ok := strings.CutSuffix(name, suffix); ok && known[base] {
			return true
		}
	}
	return false
}

// metricRef matches what can be a metric name in PromQL: an identifier of
// the product's, Go's or the process's namespace, or up.
var metricRef = regexp.MustCompile(`\b(?:agentpulse|go|process)_[a-zA-Z0-9_]+\b|\bup\b`)

// metricNames returns the metric names expr refers to. Label names and
// values never start with these prefixes in our files, and strings inside
// quotes are dropped first.
func metricNames(expr string) []string {
	expr = regexp.MustCompile(`"[^"]*"`).ReplaceAllString(expr, `""`)
	return metricRef.FindAllString(expr, -1)
}

// exportedMetrics returns every metric name the product can export.
func exportedMetrics(t *testing.T) map[string]bool {
	t.Helper()
	known := map[string]bool{}
	for _, n := range sourceMetricNames(t, "../..") {
		known[n] = true
	}
	rec := &recorder{}
	for _, sub := range []string{"ingest_kafka", "processor_kafka"} { // as ingest/producer.go and processor/processor.go
		cl, err := kgo.NewClient(kgo.SeedBrokers("127.0.0.1:1"),
			kgo.WithHooks(kprom.NewMetrics("agentpulse", kprom.Subsystem(sub), kprom.Registerer(rec))))
		if err != nil {
			t.Fatal(err)
		}
		cl.Close()
	}
	rec.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, n := range rec.names {
		known[n] = true
	}
	return known
}

// recorder is a prometheus.Registerer keeping the names its collectors
// describe (vectors included, which Gather would skip until a label value
// is seen).
type recorder struct{ names []string }

var fqName = regexp.MustCompile(`fqName: "([^"]+)"`)

func (r *recorder) Register(c prometheus.Collector) error {
	ch := make(chan *prometheus.Desc, 256)
	go func() { c.Describe(ch); close(ch) }()
	for d := range ch {
		if m := fqName.FindStringSubmatch(d.String()); m != nil {
			r.names = append(r.names, m[1])
		}
	}
	return nil
}

func (r *recorder) MustRegister(cs ...prometheus.Collector) {
	for _, c := range cs {
		_ = r.Register(c)
	}
}

func (r *recorder) Unregister(prometheus.Collector) bool { return true }

// sourceMetricNames parses the Go sources under root (tests and deploy
// excluded) and returns every metric name they declare: the value of a
// Name field that is a string literal starting with agentpulse_, the first
// argument of prometheus.NewDesc, and, for names built as a literal prefix
// plus a helper's argument (storeview's c("builds_total", ...)), the prefix
// joined with every literal first argument of a call to that helper.
func sourceMetricNames(t *testing.T, root string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root {
			if base := d.Name(); base == "deploy" || base == "testdata" || strings.HasPrefix(base, ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if !strings.Contains(string(src), "agentpulse_") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, src, 0)
		if err != nil {
			return err
		}
		names = append(names, fileMetricNames(f)...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	return names
}

func fileMetricNames(f *ast.File) []string {
	var names, prefixes []string
	helpers := map[string]bool{} // functions whose parameter completes a prefix
	lit := func(e ast.Expr) (string, bool) {
		b, ok := e.(*ast.BasicLit)
		if !ok || b.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(b.Value)
		return s, err == nil
	}
	nameExpr := func(e ast.Expr, fn string) {
		if s, ok := lit(e); ok && strings.HasPrefix(s, "agentpulse_") {
			names = append(names, s)
			return
		}
		if be, ok := e.(*ast.BinaryExpr); ok && be.Op == token.ADD {
			if s, ok := lit(be.X); ok && strings.HasPrefix(s, "agentpulse_") {
				prefixes = append(prefixes, s)
				if fn != "" {
					helpers[fn] = true
				}
			}
		}
	}
	// Find Name: fields and NewDesc calls, remembering the function literal
	// bound to an identifier (c := func(name, help string) ...) around them.
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if len(n.Lhs) == 1 && len(n.Rhs) == 1 {
				if id, ok := n.Lhs[0].(*ast.Ident); ok {
					if fl, ok := n.Rhs[0].(*ast.FuncLit); ok {
						ast.Inspect(fl, func(m ast.Node) bool {
							if kv, ok := m.(*ast.KeyValueExpr); ok {
								if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Name" {
									nameExpr(kv.Value, id.Name)
								}
							}
							return true
						})
						return false
					}
				}
			}
		case *ast.KeyValueExpr:
			if k, ok := n.Key.(*ast.Ident); ok && k.Name == "Name" {
				nameExpr(n.Value, "")
			}
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "NewDesc" && len(n.Args) > 0 {
				nameExpr(n.Args[0], "")
			}
		}
		return true
	})
	if len(prefixes) > 0 {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			if id, ok := call.Fun.(*ast.Ident); ok && helpers[id.Name] {
				if s, ok := lit(call.Args[0]); ok {
					for _, p := range prefixes {
						names = append(names, p+s)
					}
				}
			}
			return true
		})
	}
	return names
}

// dashboardExprs parses the Grafana dashboard, checks its frame (schema
// version, the DS_PROMETHEUS input) and returns every target's expr.
func dashboardExprs(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		SchemaVersion int `json:"schemaVersion"`
		Inputs        []struct {
			Name string `json:"name"`
			Type string `json:"type"`
		} `json:"__inputs"`
		Panels []panel `json:"panels"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	if d.SchemaVersion < 36 {
		t.Errorf("schemaVersion %d, want ≥ 36", d.SchemaVersion)
	}
	hasInput := false
	for _, in := range d.Inputs {
		hasInput = hasInput || (in.Name == "DS_PROMETHEUS" && in.Type == "datasource")
	}
	if !hasInput {
		t.Error("no DS_PROMETHEUS datasource input")
	}
	var exprs []string
	var walk func([]panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			if p.Type != "row" && len(p.Targets) == 0 {
				t.Errorf("panel %q has no query", p.Title)
			}
			for _, tg := range p.Targets {
				exprs = append(exprs, tg.Expr)
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	return exprs
}

type panel struct {
	Title   string `json:"title"`
	Type    string `json:"type"`
	Targets []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
	Panels []panel `json:"panels"`
}

// ruleExprs returns the expr of every rule in alerts.yml. The file is YAML;
// to need no YAML module, it reads the expr: values by their indentation
// (a one-line value, or a | block), which is how alerts.yml is written;
// promtool checks the file as YAML.
func ruleExprs(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(raw), "\n")
	var exprs []string
	for i := 0; i < len(lines); i++ {
		trim := strings.TrimSpace(lines[i])
		v, ok := strings.CutPrefix(trim, "expr:")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		if v != "|" && v != "|-" && v != ">" {
			exprs = append(exprs, v)
			continue
		}
		indent := len(lines[i]) - len(strings.TrimLeft(lines[i], " "))
		var block []string
		for i+1 < len(lines) {
			next := lines[i+1]
			if strings.TrimSpace(next) != "" && len(next)-len(strings.TrimLeft(next, " ")) <= indent {
				break
			}
			block = append(block, strings.TrimSpace(next))
			i++
		}
		exprs = append(exprs, strings.Join(block, " "))
	}
	if len(exprs) == 0 {
		t.Fatal(errors.New("no expr: in " + rulesFile))
	}
	return exprs
}

// TestSourceMetricNames checks the source scan against a scrape of the
// product taken with `agentpulse all --simulate` (testdata/scraped.txt):
// everything scraped must be found in the code.
func TestSourceMetricNames(t *testing.T) {
	known := exportedMetrics(t)
	raw, err := os.ReadFile("testdata/scraped.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range strings.Fields(string(raw)) {
		if !known[n] {
			t.Errorf("%s was scraped from agentpulse all but is not found in the code", n)
		}
	}
}
