package cases

// 即办率 (issue 16): the share of the cases of 即办 items decided on the day they were accepted —
// at the window in one step (一柜办结) or by the department the same day. Each such case is
// recorded when it is accepted (immediate_cases, in the acceptance's transaction); the figure
// of a period reads the rows of its days by index, with each case's decision day by key.

import (
	"context"
	"fmt"

	"banhao/calendar"
	"banhao/catalog"
	"banhao/errs"
)

// ImmediateFigures is 即办率 for a period: the cases of 即办 items accepted on its days whose
// outcome is known, and how many of them were decided on the day of acceptance. A case accepted
// before today counts, decided that day or not; one accepted today counts once decided (until
// the day is over it may still be).
type ImmediateFigures struct {
	Accepted int     `json:"accepted"`
	SameDay  int     `json:"same_day"`
	Rate     float64 `json:"rate"`
}

// RateText is 即办率 in words: 66.7%（2/3）, or — when no case counts.
func (f ImmediateFigures) RateText() string {
	if f.Accepted == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f%%（%d/%d）", f.Rate*100, f.SameDay, f.Accepted)
}

// Percent is 即办率 as a headline figure: 66.7%, or — when no case counts.
func (f ImmediateFigures) Percent() string {
	if f.Accepted == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", f.Rate*100)
}

// recordImmediate notes, in the acceptance's transaction, a case of a 即办 item accepted on day.
func (st *step) recordImmediate(day calendar.Date) error {
	if st.c.isParent() || st.item.HandlingMode != catalog.ModeImmediate {
		return nil
	}
	return st.tx.ExecLater(st.ctx, `INSERT INTO immediate_cases (case_number, department_code, item_code, accepted_on) VALUES (?, ?, ?, ?)
		ON CONFLICT (case_number) DO NOTHING`, st.c.Number, st.c.Department.Code, st.c.Item, day.String())
}

// ImmediateStats counts the 即办 cases accepted on the days from to to (inclusive; department
// "" for all).
func (s *Service) ImmediateStats(ctx context.Context, from, to calendar.Date, department string) (_ ImmediateFigures, err error) {
	defer errs.Wrap(&err, "cases.ImmediateStats")
	return s.immediateStats(ctx, from, to, department, nil)
}

// immediateStats is ImmediateStats over depts (nil: all).
func (s *Service) immediateStats(ctx context.Context, from, to calendar.Date, department string, depts map[string]bool) (ImmediateFigures, error) {
	var f ImmediateFigures
	if err := CheckPeriod(from, to); err != nil {
		return f, err
	}
	today := s.today().String()
	cond, in := inDepts("i.department_code", depts)
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN c.decided_on = i.accepted_on THEN 1 ELSE 0 END), 0)
		FROM immediate_cases i JOIN cases c ON c.number = i.case_number
		WHERE i.accepted_on >= ? AND i.accepted_on <= ? AND (i.accepted_on < ? OR c.decided_on IS NOT NULL) AND (? = '' OR i.department_code = ?)`+cond,
		append([]any{from.String(), to.String(), today, department, department}, in...)...).Scan(&f.Accepted, &f.SameDay)
	if f.Accepted > 0 {
		f.Rate = float64(f.SameDay) / float64(f.Accepted)
	}
	return f, err
}
