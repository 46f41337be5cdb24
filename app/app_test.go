package app_test

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"time"

	"banhao/app"
	"banhao/store"
	"banhao/wiring"
)

// TestNewRefusesMissingDependencies: the composition root refuses a configuration without a
// bank (payments.NoBank is the stand-in where none is configured) or a clock, naming each, before
// it touches the database.
func TestNewRefusesMissingDependencies(t *testing.T) {
	_, err := app.New(context.Background(), app.Config{DB: &store.DB{}, Location: time.UTC, Logger: slog.New(slog.DiscardHandler)})
	if names, ok := wiring.Missing(err); !ok || !slices.Equal(names, []string{"Bank", "Now"}) {
		t.Fatalf("err = %v, want Bank and Now named", err)
	}
}
