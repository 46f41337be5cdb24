package cases

import (
	"bytes"
	"context"
	"fmt"
	"sort"

	"github.com/xuri/excelize/v2"

	"banhao/calendar"
	"banhao/errs"
)

// StatsRow counts the cases of one department or item submitted in a period, by where they
// stand today: the supervisors' view (电子监察).
type StatsRow struct {
	Key        string `json:"key"`
	Name       string `json:"name"`
	Submitted  int    `json:"submitted"`
	InProgress int    `json:"in_progress"` // submitted, in correction, accepted or suspended
	Decided    int    `json:"decided"`     // decided or delivered
	Rejected   int    `json:"rejected"`    // rejected, withdrawn or terminated
	Yellow     int    `json:"yellow"`      // accepted and near the deadline
	Red        int    `json:"red"`         // accepted and past the deadline
	OnTime     int    `json:"on_time"`     // decided on or before the due day
	Late       int    `json:"late"`        // decided after the due day
	// OnTimeRate is OnTime over the cases decided (按时办结率), absent while none is.
	OnTimeRate *float64 `json:"on_time_rate"`
}

// rate fills OnTimeRate from the counts.
func (r *StatsRow) rate() {
	r.OnTimeRate = nil
	if n := r.OnTime + r.Late; n > 0 {
		v := float64(r.OnTime) / float64(n)
		r.OnTimeRate = &v
	}
}

// OnTimePercent is the on-time rate as a percentage with one decimal, or "—".
func (r StatsRow) OnTimePercent() string {
	if r.OnTimeRate == nil {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", *r.OnTimeRate*100)
}

// Stats groups the cases submitted between from and to (inclusive days) by "department" or
// "item", bundles' parent cases left out (their children count), busiest first.
func (s *Service) Stats(ctx context.Context, by string, from, to calendar.Date) ([]StatsRow, error) {
	var key, name string
	switch by {
	case "department":
		key, name = "c.department_code", "c.department_code"
	case "item":
		key, name = "c.item_code", "MAX(c.item_name)"
	default:
		return nil, errs.Invalid("by", "须为 department 或 item")
	}
	if to < from || int(to-from) > 366 {
		return nil, errs.Invalid("to", "统计期间须在一年以内，且截止日不早于起始日")
	}
	today := s.today().String()
	start := from.Time(s.loc).UTC()
	end := to.AddDays(1).Time(s.loc).UTC()
	rows, err := s.db.QueryContext(ctx, `SELECT `+key+`, `+name+`, COUNT(*),
		SUM(CASE WHEN c.status IN ('submitted', 'correction', 'accepted', 'suspended') THEN 1 ELSE 0 END),
		SUM(CASE WHEN c.status IN ('decided', 'delivered') THEN 1 ELSE 0 END),
		SUM(CASE WHEN c.status IN ('rejected', 'withdrawn', 'terminated') THEN 1 ELSE 0 END),
		SUM(CASE WHEN c.status = 'accepted' AND c.yellow_from <= ? AND c.red_from > ? THEN 1 ELSE 0 END),
		SUM(CASE WHEN c.status = 'accepted' AND c.red_from <= ? THEN 1 ELSE 0 END),
		SUM(CASE WHEN c.decided_on IS NOT NULL AND c.due IS NOT NULL AND c.decided_on <= c.due THEN 1 ELSE 0 END),
		SUM(CASE WHEN c.decided_on IS NOT NULL AND c.due IS NOT NULL AND c.decided_on > c.due THEN 1 ELSE 0 END)
		FROM cases c WHERE c.submitted_at >= ? AND c.submitted_at < ? AND (c.bundle_code IS NULL OR c.parent_number IS NOT NULL)
		GROUP BY `+key, today, today, today, start, end)
	if err != nil {
		return nil, fmt.Errorf("case statistics: %w", err)
	}
	defer rows.Close()
	out := []StatsRow{}
	for rows.Next() {
		var r StatsRow
		if err := rows.Scan(&r.Key, &r.Name, &r.Submitted, &r.InProgress, &r.Decided, &r.Rejected, &r.Yellow, &r.Red, &r.OnTime, &r.Late); err != nil {
			return nil, err
		}
		r.rate()
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if by == "department" {
		for i := range out {
			if d, err := s.cat.Department(ctx, out[i].Key); err == nil {
				out[i].Name = d.Name
			}
		}
	}
	sortStats(out)
	return out, nil
}

// Total adds rows up.
func Total(rows []StatsRow) StatsRow {
	var t StatsRow
	for _, r := range rows {
		t.Submitted += r.Submitted
		t.InProgress += r.InProgress
		t.Decided += r.Decided
		t.Rejected += r.Rejected
		t.Yellow += r.Yellow
		t.Red += r.Red
		t.OnTime += r.OnTime
		t.Late += r.Late
	}
	t.rate()
	return t
}

// sortStats orders rows busiest first, then by key.
func sortStats(rows []StatsRow) {
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].Submitted != rows[j].Submitted {
			return rows[i].Submitted > rows[j].Submitted
		}
		return rows[i].Key < rows[j].Key
	})
}

// Sheet is a further sheet of the statistics workbook: a header row and rows of values.
type Sheet struct {
	Name   string
	Header []any
	Rows   [][]any
}

// StatsExcel writes case statistics as an Excel workbook, one row a department or item, with a
// total; more sheets (the period's ratings, say) follow the first.
func StatsExcel(rows []StatsRow, by string, from, to calendar.Date, more ...Sheet) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "办件统计"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	what := map[string]string{"department": "部门", "item": "事项"}[by]
	title := []any{fmt.Sprintf("%s 至 %s 提交的办件（按今天所处状态）", from, to)}
	header := []any{what + "代码", what, "提交", "办理中", "已办结", "不予受理/撤回/终止", "黄色预警", "红色超期", "按时办结", "超期办结", "按时办结率"}
	if err := f.SetSheetRow(sheet, "A1", &title); err != nil {
		return nil, err
	}
	if err := f.SetSheetRow(sheet, "A2", &header); err != nil {
		return nil, err
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+3)
		line := []any{r.Key, r.Name, r.Submitted, r.InProgress, r.Decided, r.Rejected, r.Yellow, r.Red, r.OnTime, r.Late, r.OnTimePercent()}
		if err := f.SetSheetRow(sheet, cell, &line); err != nil {
			return nil, err
		}
	}
	total := Total(rows)
	cell, _ := excelize.CoordinatesToCellName(1, len(rows)+3)
	line := []any{"", "合计", total.Submitted, total.InProgress, total.Decided, total.Rejected, total.Yellow, total.Red, total.OnTime, total.Late, total.OnTimePercent()}
	if err := f.SetSheetRow(sheet, cell, &line); err != nil {
		return nil, err
	}
	_ = f.SetColWidth(sheet, "A", "B", 28)
	_ = f.SetColWidth(sheet, "C", "K", 14)
	for _, m := range more {
		if _, err := f.NewSheet(m.Name); err != nil {
			return nil, err
		}
		for i, row := range append([][]any{m.Header}, m.Rows...) {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow(m.Name, cell, &row); err != nil {
				return nil, err
			}
		}
		_ = f.SetColWidth(m.Name, "A", "B", 28)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
