package chtest

import (
	"bufio"
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
)

// ErrNoZooKeeper is returned when ZooKeeper (its jar and a java runtime)
// is not installed.
var ErrNoZooKeeper = errors.New("no ZooKeeper found (Debian: apt-get install zookeeper, which brings a java runtime)")

// zooKeeperJars are where distributions put the server's jar; its manifest
// names every library it needs, so `java -cp <jar>` is the whole classpath.
var zooKeeperJars = []string{
	"/usr/share/java/zookeeper.jar", // Debian, Ubuntu
	"/usr/share/zookeeper/zookeeper.jar",
}

const slf4jSimple = "/usr/share/java/slf4j-simple.jar"

// ZooKeeper is one running standalone ZooKeeper server: the coordination
// service ClickHouse's distributed DDL queue (ON CLUSTER) and replicated
// tables need.
type ZooKeeper struct {
	// Addr is host:port of its client port.
	Addr string
	*process
}

// Host and Port split Addr, for a <zookeeper><node> element.
func (z *ZooKeeper) Host() string { h, _, _ := net.SplitHostPort(z.Addr); return h }

// Port is the client port of Addr.
func (z *ZooKeeper) Port() int {
	_, p, _ := net.SplitHostPort(z.Addr)
	n, _ := strconv.Atoi(p)
	return n
}

// ClickHouseXML is the configuration a ClickHouse server needs to use z:
// the <zookeeper> node and the <distributed_ddl> queue's path (Options.Extra).
func (z *ZooKeeper) ClickHouseXML() string {
	return fmt.Sprintf(`<zookeeper><node><host>%s</host><port>%d</port></node><session_timeout_ms>30000</session_timeout_ms></zookeeper>
<distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>`, z.Host(), z.Port())
}

// StartZooKeeper returns a throwaway standalone ZooKeeper for tb, on a
// free loopback port with its data in a temporary directory, stopped when
// tb ends. It skips (or fails when Required) when ZooKeeper is not
// installed. It starts in about a second; a test binary that needs it in
// several tests shares one (each ClickHouse cluster keeps its queue and
// tables under paths of its own).
func StartZooKeeper(tb testing.TB) *ZooKeeper {
	tb.Helper()
	z, err := StartZooKeeperIn(tb.TempDir())
	if err != nil {
		if errors.Is(err, ErrNoZooKeeper) && !Required() {
			tb.Skipf("skipping: %v", err)
		}
		tb.Fatalf("start zookeeper: %v", err)
	}
	tb.Cleanup(func() { _ = z.Close() })
	return z
}

// StartZooKeeperIn starts a server whose files live in dir and waits until
// it serves sessions (four-letter command srvr) (up to 60 s). Close stops it.
func StartZooKeeperIn(dir string) (*ZooKeeper, error) {
	java, err := exec.LookPath("java")
	if err != nil {
		return nil, fmt.Errorf("java: %w: %w", err, ErrNoZooKeeper)
	}
	jar := ""
	for _, j := range zooKeeperJars {
		if _, err := os.Stat(j); err == nil {
			jar = j
			break
		}
	}
	if jar == "" {
		return nil, ErrNoZooKeeper
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	// Standalone, no admin web server (its fixed port 8080 would clash
	// between test binaries), only the srvr probe of the four-letter words.
	cfg := fmt.Sprintf("tickTime=500\ninitLimit=10\nsyncLimit=5\ndataDir=%s\nclientPort=%d\nclientPortAddress=127.0.0.1\n"+
		"admin.enableServer=false\n4lw.commands.whitelist=srvr\nmaxClientCnxns=0\n",
		filepath.Join(dir, "data"), port)
	cfgFile := filepath.Join(dir, "zoo.cfg")
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o644); err != nil {
		return nil, fmt.Errorf("write zookeeper config: %w", err)
	}
	// A small heap and the quick-start JIT: the server holds a few
	// thousand nodes at most in a test.
	// slf4j-simple, when installed, writes the server's log (warnings and
	// up) to zookeeper.log; without a binding it logs nothing.
	cp := jar
	if _, err := os.Stat(slf4jSimple); err == nil {
		cp += string(os.PathListSeparator) + slf4jSimple
	}
	cmd := exec.Command(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
		"-Dzookeeper.admin.enableServer=false", "-Dzookeeper.4lw.commands.whitelist=srvr",
		"-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
		"-cp", cp, "org.apache.zookeeper.server.ZooKeeperServerMain", cfgFile)
	proc, err := startProcess(cmd, dir, "zookeeper.log")
	if err != nil {
		return nil, err
	}
	z := &ZooKeeper{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), process: proc}
	if err := z.waitReady(60 * time.Second); err != nil {
		_ = z.Close()
		return nil, fmt.Errorf("zookeeper on %s not ready: %w\nlog:\n%s", z.Addr, err, z.logTail(2000))
	}
	return z, nil
}

func (z *ZooKeeper) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-z.done:
			return fmt.Errorf("server exited: %v", z.exit)
		default:
		}
		// ruok answers imok while the server still refuses sessions
		// ("ZooKeeperServer not running"); srvr answers its version only
		// once it serves them.
		var answer string
		answer, last = z.fourLetters("srvr")
		if last == nil && strings.HasPrefix(answer, "Zookeeper version") {
			return nil
		}
		if last == nil {
			last = fmt.Errorf("srvr answered %q", answer)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("no answer within %s: %w", limit, last)
}

// fourLetters sends one of ZooKeeper's four-letter commands and returns
// the answer.
func (z *ZooKeeper) fourLetters(cmd string) (string, error) {
	c, err := net.DialTimeout("tcp", z.Addr, time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte(cmd)); err != nil {
		return "", err
	}
	b, err := bufio.NewReader(c).ReadString(0)
	if err != nil && len(b) == 0 {
		return "", err
	}
	return strings.TrimSpace(b), nil
}
