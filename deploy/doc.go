// Package deploy holds no code: it is the home of what runs agentpulse
// beyond one process (the container image in Dockerfile, the Kubernetes
// manifests in kubernetes/, Prometheus and Grafana configuration) and of
// the tests that keep them true to the binary: every manifest and the
// repository's docker-compose.yml are parsed, every AGENTPULSE_* variable
// they set must be a flag of the command the container runs (asked of the
// built binary's -h), and every pod of a long-running role must be probed
// on /healthz and /readyz, bounded in resources and run as non-root on a
// read-only root filesystem.
package deploy
