package main

import (
	"context"
	"io"
	"strings"
	"testing"
)

// TestFlagErrorsNameTheFlag: a bad value of a rollup or learner flag is a
// usage error (exit 2) naming the flag, in `process` and `all` alike.
func TestFlagErrorsNameTheFlag(t *testing.T) {
	cases := []struct {
		args []string
		flag string
	}{
		{[]string{"--rollup-lateness", "-1h"}, "--rollup-lateness"},
		{[]string{"--rollup-interval", "0s"}, "--rollup-interval"},
		{[]string{"--learn-lateness", "0s"}, "--learn-lateness"},
		{[]string{"--learn-checkpoint-interval", "-1s"}, "--learn-checkpoint-interval"},
		{[]string{"--learn-checkpoint-records", "0"}, "--learn-checkpoint-records"},
	}
	for _, tc := range cases {
		for name, run := range map[string]func(context.Context, []string, io.Writer) error{"process": runProcess, "all": runAll} {
			args := tc.args
			if name == "all" {
				args = append(args, "--data-dir", t.TempDir())
			}
			err := run(context.Background(), args, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.flag) || exitCode(err) != 2 {
				t.Errorf("%s %v: err = %v (exit %d), want a usage error naming %s", name, tc.args, err, exitCode(err), tc.flag)
			}
		}
	}
}
