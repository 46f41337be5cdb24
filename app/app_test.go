package app_test

import (
	"context"
	"log/slog"
	"slices"
	"testing"
	"time"

	"banhao/app"
	"banhao/audit"
	"banhao/calendar/calstore"
	"banhao/catalog"
	"banhao/files"
	"banhao/identity"
	"banhao/notify"
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

// TestConstructorsRefuseMissingDependencies: the capabilities' constructors refuse a nil
// dependency at construction, naming each, rather than fail later on a nil dereference.
func TestConstructorsRefuseMissingDependencies(t *testing.T) {
	db, log := &store.DB{}, wiring.Must(audit.New([]byte("app-test-key"), time.Now))
	for _, c := range []struct {
		who  string
		err  error
		want []string
	}{
		{"audit.New", second(audit.New(nil, nil)), []string{"key", "now"}},
		{"catalog.NewService", second(catalog.NewService(nil, log, nil)), []string{"db", "now"}},
		{"identity.NewService", second(identity.NewService(db, nil, time.Now)), []string{"log"}},
		{"identity.NewLimiter", second(identity.NewLimiter(nil, time.Now)), []string{"db"}},
		{"calstore.New", second(calstore.New(db, nil, nil)), []string{"log", "now"}},
		{"files.New", second(files.New(nil, log, t.TempDir(), time.Now)), []string{"db"}},
		{"files.NewIn", second(files.NewIn(db, log, files.Place{}, nil)), []string{"now"}},
		{"notify.NewOutbox", second(notify.NewOutbox(notify.Config{DB: db, Now: time.Now})), []string{"Channels", "Jobs", "Logger"}},
	} {
		if names, ok := wiring.Missing(c.err); !ok || !slices.Equal(names, c.want) {
			t.Errorf("%s: err = %v, want %v named", c.who, c.err, c.want)
		}
	}
}

func second[T any](_ T, err error) error { return err }
