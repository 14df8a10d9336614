// Package openapitest checks, in tests, that a package's routes are
// operations of schemas/openapi.yaml. It owns no state; every function is
// safe for concurrent use by parallel tests.
package openapitest
