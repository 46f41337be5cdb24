package ratings_test

import (
	"context"
	"testing"
	"time"

	"banhao/audit"
	"banhao/errs"
	"banhao/ratings"
	"banhao/store"
	"banhao/store/storetest"
)

func TestRateChecksInput(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		now := func() time.Time { return time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC) }
		s := ratings.New(db, audit.New([]byte("ratings-test-key-ratings-test-key"), now), now)
		ctx := context.Background()
		for _, c := range []struct {
			in    ratings.Input
			field string
		}{
			{ratings.Input{Level: 5}, "case"},
			{ratings.Input{Case: "x", Ticket: "y", Level: 5}, "case"},
			{ratings.Input{Ticket: "y", Level: 0}, "level"},
			{ratings.Input{Ticket: "y", Level: 6}, "level"},
			{ratings.Input{Ticket: "y", Level: 3, Channel: "fax"}, "channel"},
			{ratings.Input{Ticket: "no-such-ticket", Level: 3}, "ticket"},
			{ratings.Input{Case: "no-such-case", Level: 3}, "case"},
		} {
			_, err := s.Rate(ctx, audit.System, c.in)
			e, ok := errs.As(err)
			if !ok || e.Code != errs.CodeInvalid || len(e.Fields) == 0 || e.Fields[0].Field != c.field {
				t.Errorf("%+v: %v, want a fault in %s", c.in, err, c.field)
			}
		}
		if !ratings.Bad(2) || ratings.Bad(3) || ratings.LevelNames[5] != "非常满意" {
			t.Error("levels")
		}
	})
}
