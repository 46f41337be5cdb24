package cases

import (
	"context"
	"fmt"
	"strings"

	"banhao/audit"
	"banhao/calendar"
	"banhao/errs"
	"banhao/network"
)

// What a supervisor or an admin of a county sees of the department and item figures: the
// departments of their region and below (network.SupervisedRegion), as the centers' figures
// show their centers only. The city's (an account of no center or of the main center) sees all.

// overseen are the departments by oversees, nil for all.
func (s *Service) overseen(ctx context.Context, by audit.Actor) (map[string]bool, error) {
	if by.Center == "" {
		return nil, nil
	}
	centers, err := s.net.Centers(ctx)
	if err != nil {
		return nil, err
	}
	scope := network.SupervisedRegion(centers, by.Center)
	if scope == "" {
		return nil, nil
	}
	depts, err := s.cat.Departments(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, d := range depts {
		if network.Oversees(scope, d.RegionCode) {
			out[d.Code] = true
		}
	}
	return out, nil
}

// FiguresFor are Figures over the departments by oversees.
func (s *Service) FiguresFor(ctx context.Context, by audit.Actor, from, to calendar.Date) (_ Figures, err error) {
	defer errs.Wrap(&err, "cases.FiguresFor")
	f, err := s.Figures(ctx, from, to)
	if err != nil {
		return f, err
	}
	depts, err := s.overseen(ctx, by)
	if err != nil || depts == nil {
		return f, err
	}
	kept := f.lines[:0:0]
	for _, l := range f.lines {
		if depts[l.dept] {
			kept = append(kept, l)
		}
	}
	f.lines = kept
	return f, nil
}

// StatsFor are Stats over the departments by oversees.
func (s *Service) StatsFor(ctx context.Context, by audit.Actor, group string, from, to calendar.Date) (_ []StatsRow, err error) {
	defer errs.Wrap(&err, "cases.StatsFor")
	if group != "department" && group != "item" {
		return s.Stats(ctx, group, from, to) // its refusal
	}
	f, err := s.FiguresFor(ctx, by, from, to)
	if err != nil {
		return nil, err
	}
	return f.By(group), nil
}

// DailyFor is Daily over the departments by oversees.
func (s *Service) DailyFor(ctx context.Context, by audit.Actor, from, to calendar.Date) (_ []DayCount, err error) {
	defer errs.Wrap(&err, "cases.DailyFor")
	depts, err := s.overseen(ctx, by)
	if err != nil || depts == nil {
		if err != nil {
			return nil, err
		}
		return s.Daily(ctx, from, to)
	}
	if err := CheckPeriod(from, to); err != nil {
		return nil, err
	}
	out := make([]DayCount, int(to-from)+1)
	for i := range out {
		out[i].Day = from.AddDays(i)
	}
	if len(depts) == 0 {
		return out, nil
	}
	in := make([]string, 0, len(depts))
	codes := make([]any, 0, len(depts))
	for d := range depts {
		in, codes = append(in, "?"), append(codes, d)
	}
	list := `department_code IN (` + strings.Join(in, ", ") + `)`
	args := append(append([]any{from.String(), to.String()}, codes...), from.String(), to.String())
	args = append(args, codes...)
	rows, err := s.db.QueryContext(ctx, `SELECT day, SUM(submitted) FROM (
		SELECT day, submitted FROM case_stats WHERE day >= ? AND day <= ? AND `+list+`
		UNION ALL SELECT day, submitted FROM case_stats_delta WHERE day >= ? AND day <= ? AND `+list+`) AS l GROUP BY day`, args...)
	if err != nil {
		return nil, fmt.Errorf("cases per day: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var d calendar.Date
		var n int
		if err := rows.Scan(&d, &n); err != nil {
			return nil, err
		}
		if i := int(d - from); i >= 0 && i < len(out) {
			out[i].Submitted = n
		}
	}
	return out, rows.Err()
}

// inDepts is the SQL condition keeping the rows whose column col is one of depts (" AND col IN
// (…)"), with its arguments: "" for nil (the whole network), never true for an empty set.
func inDepts(col string, depts map[string]bool) (string, []any) {
	if depts == nil {
		return "", nil
	}
	if len(depts) == 0 {
		return " AND 1 = 0", nil
	}
	marks := make([]string, 0, len(depts))
	args := make([]any, 0, len(depts))
	for d := range depts {
		marks, args = append(marks, "?"), append(args, d)
	}
	return " AND " + col + " IN (" + strings.Join(marks, ", ") + ")", args
}

// ImmediateStatsFor is 即办率 over the departments by oversees (a county's supervisor: its
// county's and townships' departments; the whole network for the city's).
func (s *Service) ImmediateStatsFor(ctx context.Context, by audit.Actor, from, to calendar.Date) (_ ImmediateFigures, err error) {
	defer errs.Wrap(&err, "cases.ImmediateStatsFor")
	depts, err := s.overseen(ctx, by)
	if err != nil {
		return ImmediateFigures{}, err
	}
	return s.immediateStats(ctx, from, to, "", depts)
}

// RulesStatsFor is 秒批率 over the departments by oversees.
func (s *Service) RulesStatsFor(ctx context.Context, by audit.Actor, from, to calendar.Date) (_ RulesFigures, err error) {
	defer errs.Wrap(&err, "cases.RulesStatsFor")
	depts, err := s.overseen(ctx, by)
	if err != nil {
		return RulesFigures{}, err
	}
	return s.rulesStats(ctx, from, to, "", depts)
}

// PostCheckFiguresFor are PostCheckFigures over the cases of the departments by oversees.
func (s *Service) PostCheckFiguresFor(ctx context.Context, by audit.Actor, from, to calendar.Date) (due, onTime int, err error) {
	defer errs.Wrap(&err, "cases.PostCheckFiguresFor")
	depts, err := s.overseen(ctx, by)
	if err != nil {
		return 0, 0, err
	}
	return s.postCheckFigures(ctx, from, to, depts)
}

// PaymentsFor are Payments over the cases of the departments by oversees.
func (s *Service) PaymentsFor(ctx context.Context, by audit.Actor, from, to calendar.Date) (_ PaymentFigures, err error) {
	defer errs.Wrap(&err, "cases.PaymentsFor")
	depts, err := s.overseen(ctx, by)
	if err != nil {
		return PaymentFigures{}, err
	}
	return s.payments(ctx, from, to, depts)
}
