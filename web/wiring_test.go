package web_test

import (
	"slices"
	"testing"

	"banhao/web"
	"banhao/wiring"
)

// TestNewRefusesMissingDependencies: the server is not built without its network, logger or time
// zone (no default network on the database, no slog.Default, no Asia/Shanghai made up here): each
// is named.
func TestNewRefusesMissingDependencies(t *testing.T) {
	_, err := web.New(web.Config{})
	names, ok := wiring.Missing(err)
	for _, want := range []string{"Network", "Logger", "Location", "Cases", "DB"} {
		if !ok || !slices.Contains(names, want) {
			t.Errorf("web.New without %s: %v", want, err)
		}
	}
}
