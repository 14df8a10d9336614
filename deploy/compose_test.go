package deploy

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// composeFile is the repository's docker-compose.yml.
const composeFile = "../docker-compose.yml"

type composeService struct {
	Image       string            `yaml:"image"`
	Build       map[string]string `yaml:"build"`
	Command     []string          `yaml:"command"`
	Environment map[string]string `yaml:"environment"`
	Ports       []string          `yaml:"ports"`
	Volumes     []string          `yaml:"volumes"`
	Profiles    []string          `yaml:"profiles"`
	Healthcheck map[string]any    `yaml:"healthcheck"`
	DependsOn   map[string]struct {
		Condition string `yaml:"condition"`
	} `yaml:"depends_on"`
	ContainerName string `yaml:"container_name"`
	ReadOnly      bool   `yaml:"read_only"`
}

func loadCompose(t *testing.T) map[string]composeService {
	t.Helper()
	b, err := os.ReadFile(composeFile)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Services map[string]composeService `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &f); err != nil { // resolves the <<: merges
		t.Fatalf("%s: %v", composeFile, err)
	}
	return f.Services
}

// agentpulseService reports whether s runs the image of deploy/Dockerfile.
func agentpulseService(s composeService) bool {
	return s.Build["dockerfile"] == "deploy/Dockerfile"
}

// TestComposeRunsRealCommands: each agentpulse service runs a real
// subcommand and gets only AGENTPULSE_* variables that are its flags;
// the roles are separate services, started in order.
func TestComposeRunsRealCommands(t *testing.T) {
	c := loadCLI(t)
	services := loadCompose(t)
	want := map[string]string{"migrate": "migrate", "ingest": "ingest", "processor": "process", "server": "serve"}
	for name, cmd := range want {
		s, ok := services[name]
		switch {
		case !ok:
			t.Errorf("no %s service", name)
		case !agentpulseService(s):
			t.Errorf("%s: not built from deploy/Dockerfile", name)
		case len(s.Command) == 0 || s.Command[0] != cmd:
			t.Errorf("%s: command %v, want agentpulse %s", name, s.Command, cmd)
		}
	}
	for name, s := range services {
		if !agentpulseService(s) {
			continue
		}
		if len(s.Command) == 0 || !c.commands[s.Command[0]] {
			t.Errorf("%s: command %v is not an agentpulse command", name, s.Command)
			continue
		}
		for k := range s.Environment {
			if strings.HasPrefix(k, "AGENTPULSE_") && !c.hasEnv(s.Command[0], k) {
				t.Errorf("%s: %s is no flag of agentpulse %s", name, k, s.Command[0])
			}
		}
		if !s.ReadOnly {
			t.Errorf("%s: read_only is not true", name)
		}
	}
	for _, name := range []string{"processor", "server"} {
		if services[name].DependsOn["migrate"].Condition != "service_completed_successfully" {
			t.Errorf("%s: does not wait for migrate to succeed", name)
		}
	}
	// --scale processor=N: no fixed name, no published host port.
	if p := services["processor"]; p.ContainerName != "" || len(p.Ports) > 0 {
		t.Errorf("processor: container_name %q, ports %v: it cannot be scaled", p.ContainerName, p.Ports)
	}
	for _, name := range []string{"kafka", "clickhouse"} {
		if services[name].Healthcheck == nil {
			t.Errorf("%s: no healthcheck for the others' depends_on", name)
		}
	}
}

// TestComposeObservabilityProfile: Prometheus scrapes every agentpulse
// service that listens, Grafana is provisioned with the dashboard, both
// only in the observability profile, and every mounted file exists.
func TestComposeObservabilityProfile(t *testing.T) {
	services := loadCompose(t)
	for _, name := range []string{"prometheus", "grafana"} {
		if p := services[name].Profiles; len(p) != 1 || p[0] != "observability" {
			t.Errorf("%s: profiles %v, want [observability]", name, p)
		}
	}
	b, err := os.ReadFile("prometheus/prometheus.yml")
	if err != nil {
		t.Fatal(err)
	}
	var prom struct {
		RuleFiles     []string `yaml:"rule_files"`
		ScrapeConfigs []struct {
			DNS []struct {
				Names []string `yaml:"names"`
				Port  int      `yaml:"port"`
			} `yaml:"dns_sd_configs"`
		} `yaml:"scrape_configs"`
	}
	if err := yaml.Unmarshal(b, &prom); err != nil {
		t.Fatal(err)
	}
	scraped := map[string]bool{}
	for _, sc := range prom.ScrapeConfigs {
		for _, d := range sc.DNS {
			for _, n := range d.Names {
				scraped[n] = true
			}
		}
	}
	for name, s := range services {
		if agentpulseService(s) && s.Environment["AGENTPULSE_HTTP_ADDR"] != "" && !scraped[name] {
			t.Errorf("prometheus.yml does not scrape the %s service", name)
		}
	}
	for name, s := range services {
		for _, v := range s.Volumes {
			src, _, _ := strings.Cut(v, ":")
			if !strings.HasPrefix(src, "./") {
				continue // a named volume
			}
			rel := strings.TrimPrefix(src, "./")
			if _, err := os.Stat(filepath.Join("..", rel)); err != nil {
				t.Errorf("%s: mounts %s: %v", name, rel, err)
			}
		}
	}
	dash := false
	for _, v := range services["grafana"].Volumes {
		dash = dash || strings.HasPrefix(v, "./deploy/grafana/agentpulse.json:")
	}
	if !dash {
		t.Error("grafana: deploy/grafana/agentpulse.json is not mounted")
	}
}

// TestComposeConfigValidates asks Debian's docker-compose (v1) to validate
// the file, as `docker compose` v2 would. Missing docker-compose skips,
// and fails when services are required (CI).
func TestComposeConfigValidates(t *testing.T) {
	if _, err := exec.LookPath("docker-compose"); err != nil {
		if os.Getenv("CI") == "true" || os.Getenv("AGENTPULSE_REQUIRE_SERVICES") == "1" {
			t.Fatal("docker-compose is not installed (apt-get install docker-compose) and services are required")
		}
		t.Skip("docker-compose not installed (apt-get install docker-compose)")
	}
	for _, args := range [][]string{{"config", "-q"}, {"--profile", "observability", "config", "-q"}} {
		cmd := exec.Command("docker-compose", append([]string{"-f", composeFile}, args...)...)
		cmd.Env = append(os.Environ(), "AGENTPULSE_AUTH_SECRET=test-secret-of-at-least-32-bytes-long")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("docker-compose %v: %v\n%s", args, err, out)
		}
	}
	// Without the auth secret the file refuses to resolve: ingest and
	// server would otherwise each generate their own and reject each
	// other's tokens.
	cmd := exec.Command("docker-compose", "-f", composeFile, "config", "-q")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AGENTPULSE_AUTH_SECRET=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "AGENTPULSE_AUTH_SECRET") {
		t.Errorf("docker-compose config without AGENTPULSE_AUTH_SECRET: err %v, output %s; want a refusal naming it", err, out)
	}
}

// TestDockerfile checks the image recipe as text: no engine runs here to
// build it.
func TestDockerfile(t *testing.T) {
	f, err := os.Open("Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var from []string
	var user, entrypoint, expose, build string
	sc := bufio.NewScanner(f)
	cont := ""
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		if strings.HasSuffix(line, "\\") {
			cont += strings.TrimSuffix(line, "\\") + " "
			continue
		}
		line, cont = cont+line, ""
		word, rest, _ := strings.Cut(line, " ")
		switch strings.ToUpper(word) {
		case "FROM":
			from = append(from, rest)
		case "USER":
			user = rest
		case "ENTRYPOINT":
			entrypoint = rest
		case "EXPOSE":
			expose = rest
		case "RUN":
			if strings.Contains(rest, "go build") {
				build = rest
			}
		case "HEALTHCHECK":
			t.Error("HEALTHCHECK: the distroless image has no shell or client to run one")
		}
	}
	if len(from) < 2 || !strings.HasPrefix(from[0], "golang:") {
		t.Errorf("FROM %v: want a golang builder stage and a final stage", from)
	}
	final := from[len(from)-1]
	if !strings.Contains(final, "distroless/static") && final != "scratch" {
		t.Errorf("final stage FROM %s: want a static distroless or scratch image", final)
	}
	if !strings.Contains(build, "CGO_ENABLED=0") || !strings.Contains(build, "-trimpath") {
		t.Errorf("go build %q: want CGO_ENABLED=0 and -trimpath (a static, reproducible binary)", build)
	}
	if user == "" || user == "root" || strings.HasPrefix(user, "0") {
		t.Errorf("USER %q: want a non-root user", user)
	}
	if !strings.Contains(entrypoint, "agentpulse") || !strings.Contains(expose, "8080") {
		t.Errorf("ENTRYPOINT %s, EXPOSE %s: want the binary and 8080", entrypoint, expose)
	}
	// .dockerignore keeps local state (the broker's log, built binaries)
	// out of the build context.
	ignore, err := os.ReadFile("../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{".git", "data/", "bin/"} {
		if !strings.Contains(string(ignore), p+"\n") {
			t.Errorf(".dockerignore does not exclude %s", p)
		}
	}
}
