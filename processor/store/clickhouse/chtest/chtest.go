// Package chtest starts throwaway ClickHouse servers for tests and
// benchmarks: Debian's clickhouse-server (18.16) or a current `clickhouse`
// binary, on a free loopback port, in a temporary directory, removed after.
//
// When no binary is found the test is skipped with the reason, unless real
// services are required (CI=true or AGENTPULSE_REQUIRE_SERVICES=1), in which
// case it fails. AGENTPULSE_TEST_CLICKHOUSE_ADDR points the tests at a
// server that is already running instead.
package chtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// ErrNoBinary is returned when neither clickhouse-server nor clickhouse is
// installed.
var ErrNoBinary = errors.New("no clickhouse-server or clickhouse binary found (Debian: apt-get install clickhouse-server)")

// Server is one running ClickHouse server.
type Server struct {
	// Addr is host:port of the native protocol.
	Addr string
	*process
}

// Required reports whether a missing service must fail the tests rather
// than skip them.
func Required() bool {
	return os.Getenv("CI") == "true" || os.Getenv("AGENTPULSE_REQUIRE_SERVICES") == "1"
}

// Start returns the address of a ClickHouse server for tb: the one named by
// AGENTPULSE_TEST_CLICKHOUSE_ADDR, or a new throwaway server stopped when tb
// ends. It skips (or fails when Required) when no server can be had.
func Start(tb testing.TB) string {
	tb.Helper()
	if addr := os.Getenv("AGENTPULSE_TEST_CLICKHOUSE_ADDR"); addr != "" {
		return addr
	}
	srv, err := StartServer(tb.TempDir())
	if err != nil {
		if errors.Is(err, ErrNoBinary) && !Required() {
			tb.Skipf("skipping: %v", err)
		}
		tb.Fatalf("start clickhouse: %v", err)
	}
	tb.Cleanup(func() { _ = srv.Close() })
	return srv.Addr
}

// StartServer starts a server whose files live in dir and waits until it
// answers a ping (up to 60 s). Close stops it.
func StartServer(dir string) (*Server, error) { return StartServerWith(dir, Options{}) }

// Options adjust a server of StartServerWith.
type Options struct {
	// TCPPort is the native-protocol port; zero picks a free one.
	TCPPort int
	// Extra is XML added inside the configuration's root element, such as
	// a <remote_servers> section.
	Extra string
	// Users, when set, is the whole users configuration (users.xml) in
	// place of the default one, such as one whose profile sets a setting.
	Users string
}

// UsersXML is the users configuration of a server without /etc's: user
// default without password from loopback, profile default with profile
// (XML elements, such as "<readonly>1</readonly>") in it.
func UsersXML(profile string) string {
	return strings.Replace(usersXML, "<profiles><default/></profiles>", "<profiles><default>"+profile+"</default></profiles>", 1)
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort() (int, error) { return freePort() }

// StartServerWith is StartServer with options.
func StartServerWith(dir string, o Options) (*Server, error) {
	bin, args, err := findBinary()
	if err != nil {
		return nil, err
	}
	tcpPort := o.TCPPort
	if tcpPort == 0 {
		if tcpPort, err = freePort(); err != nil {
			return nil, err
		}
	}
	httpPort, err := freePort()
	if err != nil {
		return nil, err
	}
	config := filepath.Join(dir, "config.xml")
	if err := os.WriteFile(config, []byte(configXML(dir, tcpPort, httpPort, o.Extra, o.Users)), 0o644); err != nil {
		return nil, fmt.Errorf("write clickhouse config: %w", err)
	}
	proc, err := startProcess(exec.Command(bin, append(args, "--config-file="+config)...), dir, "server.log")
	if err != nil {
		return nil, err
	}
	s := &Server{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(tcpPort)), process: proc}
	// A server configured with ZooKeeper is ready once its session is up:
	// 18.16 crashes (null pointer in zkutil::ZooKeeper::createImpl) when an
	// ON CLUSTER statement is its first use of ZooKeeper before that.
	probe := "SELECT 1"
	if strings.Contains(o.Extra, "<zookeeper>") {
		probe = "SELECT count() FROM system.zookeeper WHERE path = '/'"
	}
	if err := s.waitReady(60*time.Second, probe); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("clickhouse on %s not ready: %w\nserver log:\n%s", s.Addr, err, s.logTail(2000))
	}
	return s, nil
}

// Pid is the server process's id (for benchmarks that read its CPU time).
func (s *Server) Pid() int { return s.cmd.Process.Pid }

func (s *Server) waitReady(limit time.Duration, probe string) error {
	deadline := time.Now().Add(limit)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("server exited: %v", s.exit)
		default:
		}
		conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{s.Addr}, DialTimeout: time.Second})
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			err = conn.Exec(ctx, probe)
			cancel()
			conn.Close()
			if err == nil {
				return nil
			}
		}
		last = err
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("no answer within %s: %w", limit, last)
}

// findBinary prefers Debian's clickhouse-server, then a current single
// `clickhouse` binary run as `clickhouse server`.
func findBinary() (string, []string, error) {
	for _, name := range []string{"clickhouse-server", "/usr/sbin/clickhouse-server", "/usr/bin/clickhouse-server"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil, nil
		}
	}
	if p, err := exec.LookPath("clickhouse"); err == nil {
		return p, []string{"server"}, nil
	}
	return "", nil, ErrNoBinary
}

// configXML is the smallest config both 18.16 and current releases accept.
func configXML(dir string, tcpPort, httpPort int, extra, usersText string) string {
	users := "/etc/clickhouse-server/users.xml"
	if usersText != "" {
		users = filepath.Join(dir, "users.xml")
		_ = os.WriteFile(users, []byte(usersText), 0o644)
	} else if _, err := os.Stat(users); err != nil {
		users = filepath.Join(dir, "users.xml")
		_ = os.WriteFile(users, []byte(usersXML), 0o644)
	}
	return fmt.Sprintf(`<yandex>
  <logger><level>warning</level><console>1</console></logger>
  <tcp_port>%d</tcp_port>
  <http_port>%d</http_port>
  <listen_host>127.0.0.1</listen_host>
  <path>%s/</path>
  <tmp_path>%s/</tmp_path>
  <users_config>%s</users_config>
  <mark_cache_size>268435456</mark_cache_size>
%s
</yandex>
`, tcpPort, httpPort, filepath.Join(dir, "data"), filepath.Join(dir, "tmp"), users, extra)
}

const usersXML = `<yandex>
  <profiles><default/></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default/></quotas>
</yandex>
`

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
