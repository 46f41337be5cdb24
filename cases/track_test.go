package cases_test

import (
	"context"
	"testing"

	"banhao/cases"
	"banhao/errs"
	"banhao/store"
)

// Public tracking limits wrong guesses at the four phone digits per address; a right answer
// spends nothing, however often it is asked.
func TestTrackPublicLimitsWrongGuesses(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		c, _, err := e.svc.Create(ctx, clerk, cases.CreateInput{Item: e.itemCode(t, "企业设立登记"), Applicant: person}, "")
		if err != nil {
			t.Fatal(err)
		}
		const guesser, owner = "192.0.2.7", "198.51.100.8"
		for i := range 30 { // more than any bucket holds: right answers are given back
			if _, err := e.svc.TrackPublic(ctx, c.Number, "1234", guesser); err != nil {
				t.Fatalf("right answer %d: %v", i+1, err)
			}
		}
		for i := range 10 { // the address's bucket on this number holds ten wrong guesses
			if _, err := e.svc.TrackPublic(ctx, c.Number, "0000", guesser); !errs.Is(err, errs.CodeNotFound) {
				t.Fatalf("wrong guess %d: %v, want not found", i+1, err)
			}
		}
		if _, err := e.svc.TrackPublic(ctx, c.Number, "0001", guesser); !errs.Is(err, errs.CodeTooManyRequests) {
			t.Fatalf("eleventh wrong guess: %v, want too many requests", err)
		}
		if _, err := e.svc.TrackPublic(ctx, c.Number, "1234", guesser); !errs.Is(err, errs.CodeTooManyRequests) {
			t.Fatalf("the limited address is answered before the digits are checked: %v", err)
		}
		if _, err := e.svc.TrackPublic(ctx, c.Number, "1234", owner); err != nil { // the clock stands still
			t.Fatalf("another address: %v", err)
		}
	})
}
