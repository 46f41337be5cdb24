package cases

import (
	"context"

	"banhao/audit"
	"banhao/calendar"
)

// CenterCounts are a period's center lines as kept (accepting center, deciding region → the six
// counts), for comparing with a count over the cases.
func CenterCounts(ctx context.Context, s *Service, from, to calendar.Date) (map[[2]string][6]int, error) {
	lines, err := s.centerLines(ctx, from, to)
	out := map[[2]string][6]int{}
	for _, l := range lines {
		if l.n != (line{}) {
			out[[2]string{l.Center, l.Region}] = l.n
		}
	}
	return out, err
}

// ReadAsCreated reads a case afresh and presents it to by as Create presents the case it built.
func ReadAsCreated(ctx context.Context, s *Service, by audit.Actor, number string) (Case, error) {
	c, err := s.load(ctx, s.db, number)
	if err != nil {
		return Case{}, err
	}
	return s.present(ctx, by, c, false), nil
}

// Every step given a passed-on case in these tests reads it afresh too and fails when the two
// differ (passon.go).
func init() { verifyPassedOn = true }
