//go:build !unix

package store

// lockFile is a no-op where flock is not available: start one process first to migrate.
func lockFile(string) (func(), error) { return func() {}, nil }
