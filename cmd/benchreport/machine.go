package main

import (
	"bufio"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// machine describes where the benchmarks ran.
type machine struct {
	CPU        string // model name
	Cores      int    // logical CPUs the Go runtime may use
	MemoryGiB  float64
	OS         string
	Go         string
	ClickHouse string // the clickhouse-server version, "" when absent
}

// thisMachine reads /proc and asks the tools their versions; what cannot
// be read stays empty.
func thisMachine() machine {
	m := machine{Cores: runtime.NumCPU(), Go: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH}
	m.CPU = procField("/proc/cpuinfo", "model name")
	if kb := procField("/proc/meminfo", "MemTotal"); kb != "" {
		if n, err := strconv.ParseFloat(strings.Fields(kb)[0], 64); err == nil {
			m.MemoryGiB = n / (1 << 20)
		}
	}
	if out, err := exec.Command("uname", "-sr").Output(); err == nil {
		m.OS += ", " + strings.TrimSpace(string(out))
	}
	if out, err := exec.Command("go", "version").Output(); err == nil {
		m.Go = strings.TrimSpace(string(out))
	}
	// clickhouse-server 18.16 has no --version; ask the package manager.
	if out, err := exec.Command("dpkg-query", "-W", "-f", "${Version}", "clickhouse-server").Output(); err == nil {
		m.ClickHouse = "clickhouse-server " + strings.TrimSpace(string(out)) + " (Debian package)"
	} else if out, err := exec.Command("clickhouse-server", "--version").Output(); err == nil {
		m.ClickHouse = strings.TrimSpace(string(out))
	}
	return m
}

// procField returns the value of the first "key: value" line of a /proc
// file.
func procField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
