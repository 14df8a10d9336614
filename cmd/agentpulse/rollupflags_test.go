package main

import (
	"context"
	"io"
	"strings"
	"testing"
)

func TestRollupFlagErrorsNameTheFlag(t *testing.T) {
	cases := []struct {
		args []string
		flag string
	}{
		{[]string{"--rollup-lateness", "-1h"}, "--rollup-lateness"},
		{[]string{"--rollup-interval", "0s"}, "--rollup-interval"},
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
