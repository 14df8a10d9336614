package chtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"
)

// process is a started server process of a test (ClickHouse, ZooKeeper)
// whose output goes to a log file in its directory.
type process struct {
	dir     string
	logName string // the log file's name in dir
	cmd     *exec.Cmd
	done    chan struct{} // closed when the process has exited
	exit    error         // its exit status, once done is closed

	closeOnce sync.Once
}

// startProcess starts cmd in dir with its output in dir/logName.
func startProcess(cmd *exec.Cmd, dir, logName string) (*process, error) {
	logFile, err := os.Create(filepath.Join(dir, logName))
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", logName, err)
	}
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s: %w", cmd.Path, err)
	}
	p := &process{dir: dir, logName: logName, cmd: cmd, done: make(chan struct{})}
	go func() { p.exit = cmd.Wait(); logFile.Close(); close(p.done) }()
	return p, nil
}

// logTail returns the last n bytes of the process's log.
func (p *process) logTail(n int) string {
	b, _ := os.ReadFile(filepath.Join(p.dir, p.logName))
	return string(tail(b, n))
}

// Log returns the end of the server's log (for a failing test's message).
func (p *process) Log() string { return p.logTail(4000) }

// Close stops the server (SIGTERM, then SIGKILL after 10 s) and waits; a
// second call does nothing.
func (p *process) Close() error {
	p.closeOnce.Do(func() {
		_ = p.cmd.Process.Signal(os.Interrupt)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	return nil
}
