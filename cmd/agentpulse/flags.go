package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

// envPrefix is the prefix of every environment fallback: --http-addr reads
// AGENTPULSE_HTTP_ADDR when the flag is not given.
const envPrefix = "AGENTPULSE_"

// envName returns the environment variable that backs a flag.
func envName(flagName string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// parseFlags parses args into fs, after first applying the AGENTPULSE_*
// environment fallback of every flag the command line does not set. A
// command-line flag always wins over its environment variable.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if err != nil || set[f.Name] {
			return
		}
		if v, ok := os.LookupEnv(envName(f.Name)); ok {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s: invalid value %q for --%s: %w", envName(f.Name), v, f.Name, e)
			}
		}
	})
	return err
}
