package queue

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"banhao/calendar"
	"banhao/errs"
)

// Visit is one ticket as statistics see it.
type Visit struct {
	Service, Counter, Staff string
	Day                     string
	Hour                    int // hour of the day the ticket entered the queue
	Status                  Status
	Called                  bool
	WaitSeconds             int // entered → called
	ServiceSeconds          int // called (or started) → finished, for done tickets
}

// StatRow is one line of the statistics: a service, counter or staff member in a day or hour.
type StatRow struct {
	Key           string  `json:"key"`
	Name          string  `json:"name"`
	Period        string  `json:"period"`
	Arrivals      int     `json:"arrivals"`
	Called        int     `json:"called"`
	Served        int     `json:"served"`
	NoShows       int     `json:"no_shows"`
	AvgWaitMin    float64 `json:"avg_wait_minutes"`
	MaxWaitMin    float64 `json:"max_wait_minutes"`
	AvgServiceMin float64 `json:"avg_service_minutes"`
	Within15Share float64 `json:"served_within_15_minutes"`
	// AppointmentNoShows counts appointments nobody checked in for (per service only).
	AppointmentNoShows int `json:"appointment_no_shows"`
	totalWait          int
	totalService       int
	within15, maxW     int
}

// Aggregate groups visits by service, counter or staff and by day or hour. Arrivals count every
// ticket; waits are of called tickets; service times of finished ones. Counters and staff only
// see the tickets they called.
func Aggregate(visits []Visit, by, per string) []StatRow {
	rows := map[[2]string]*StatRow{}
	for _, v := range visits {
		key := v.Service
		switch by {
		case "counter":
			key = v.Counter
		case "staff":
			key = v.Staff
		}
		if by != "service" && !v.Called {
			continue
		}
		period := v.Day
		if per == "hour" {
			period = fmt.Sprintf("%s %02d:00", v.Day, v.Hour)
		}
		k := [2]string{key, period}
		r := rows[k]
		if r == nil {
			r = &StatRow{Key: key, Period: period}
			rows[k] = r
		}
		r.Arrivals++
		if v.Called {
			r.Called++
			r.totalWait += v.WaitSeconds
			r.maxW = max(r.maxW, v.WaitSeconds)
			if v.WaitSeconds <= 15*60 {
				r.within15++
			}
		}
		switch v.Status {
		case Done:
			r.Served++
			r.totalService += v.ServiceSeconds
		case NoShow:
			r.NoShows++
		}
	}
	out := make([]StatRow, 0, len(rows))
	for _, r := range rows {
		if r.Called > 0 {
			r.AvgWaitMin = round1(float64(r.totalWait) / float64(r.Called) / 60)
			r.MaxWaitMin = round1(float64(r.maxW) / 60)
			r.Within15Share = math.Round(float64(r.within15)/float64(r.Called)*1000) / 1000
		}
		if r.Served > 0 {
			r.AvgServiceMin = round1(float64(r.totalService) / float64(r.Served) / 60)
		}
		out = append(out, *r)
	}
	sortRows(out)
	return out
}

// sortRows orders statistics by period, then by key ("2" before "10").
func sortRows(rows []StatRow) {
	slices.SortFunc(rows, func(a, b StatRow) int {
		if a.Period != b.Period {
			return strings.Compare(a.Period, b.Period)
		}
		return compareIDs(a.Key, b.Key)
	})
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

// StatsQuery selects statistics.
type StatsQuery struct {
	Hall     string
	From, To calendar.Date
	By       string // service (default), counter, staff
	Per      string // day (default), hour
}

// Stats computes the hall's statistics for a period of at most 366 days.
func (s *Service) Stats(ctx context.Context, q StatsQuery) (_ []StatRow, err error) {
	defer errs.Wrap(&err, "queue.Stats")
	if q.By == "" {
		q.By = "service"
	}
	if q.Per == "" {
		q.Per = "day"
	}
	var v errs.Validation
	v.Check(q.By == "service" || q.By == "counter" || q.By == "staff", "by", "统计方式须为按业务、按窗口或按工作人员")
	v.Check(q.Per == "day" || q.Per == "hour", "per", "时间粒度须为按日或按小时")
	v.Check(q.From <= q.To, "to", "结束日期不能早于开始日期")
	v.Check(q.To-q.From <= 366, "to", "统计区间最长一年")
	if err := v.Err(); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT service_code, counter_id, staff, day, entered_at, status, called_at, wait_seconds, service_seconds
		FROM tickets WHERE hall_id = ? AND day >= ? AND day <= ?`, q.Hall, q.From.String(), q.To.String())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var visits []Visit
	for rows.Next() {
		var v Visit
		var entered time.Time
		var called sql.NullTime
		var wait, svc sql.NullInt64
		if err := rows.Scan(&v.Service, &v.Counter, &v.Staff, &v.Day, &entered, &v.Status, &called, &wait, &svc); err != nil {
			return nil, err
		}
		v.Hour = entered.In(s.loc).Hour()
		v.Called = called.Valid
		v.WaitSeconds, v.ServiceSeconds = int(wait.Int64), int(svc.Int64)
		visits = append(visits, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := Aggregate(visits, q.By, q.Per)
	if q.By == "service" {
		if out, err = s.missedAppointments(ctx, q, out); err != nil {
			return nil, err
		}
	}
	names := map[string]string{}
	switch q.By {
	case "service":
		svcs, err := s.Services(ctx, q.Hall)
		if err != nil {
			return nil, err
		}
		for _, x := range svcs {
			names[x.Code] = x.Prefix + " " + x.Name
		}
	case "counter":
		cs, err := s.Counters(ctx, q.Hall)
		if err != nil {
			return nil, err
		}
		for _, x := range cs {
			names[x.ID] = x.Name
		}
	}
	for i := range out {
		out[i].Name = names[out[i].Key]
		if out[i].Name == "" {
			out[i].Name = out[i].Key
		}
	}
	return out, nil
}

// StatsExcel writes statistics as an Excel workbook.
func StatsExcel(rows []StatRow, by string) (_ []byte, err error) {
	defer errs.Wrap(&err, "queue.StatsExcel")
	f := excelize.NewFile()
	defer f.Close()
	sheet := "排队统计"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	heads := map[string]string{"service": "排队业务", "counter": "窗口", "staff": "工作人员"}
	header := []any{"时间", heads[by], "取号", "叫号", "办结", "过号", "平均等候（分钟）", "最长等候（分钟）", "平均办理（分钟）", "15 分钟内叫号占比", "预约未到"}
	if err := f.SetSheetRow(sheet, "A1", &header); err != nil {
		return nil, err
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		line := []any{r.Period, r.Name, r.Arrivals, r.Called, r.Served, r.NoShows, r.AvgWaitMin, r.MaxWaitMin, r.AvgServiceMin, r.Within15Share, r.AppointmentNoShows}
		if err := f.SetSheetRow(sheet, cell, &line); err != nil {
			return nil, err
		}
	}
	_ = f.SetColWidth(sheet, "A", "B", 18)
	_ = f.SetColWidth(sheet, "C", "K", 14)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// missedAppointments adds to the service rows the appointments whose check-in window passed
// without a check-in.
func (s *Service) missedAppointments(ctx context.Context, q StatsQuery, rows []StatRow) ([]StatRow, error) {
	hall, err := s.HallByID(ctx, q.Hall)
	if err != nil {
		return nil, err
	}
	res, err := s.db.QueryContext(ctx, `SELECT a.service_code, a.day, a.slot FROM appointments a JOIN queue_services q ON q.code = a.service_code
		WHERE q.hall_id = ? AND a.day >= ? AND a.day <= ? AND a.status = 'booked'`, q.Hall, q.From.String(), q.To.String())
	if err != nil {
		return nil, err
	}
	defer res.Close()
	index := map[[2]string]int{}
	for i, r := range rows {
		index[[2]string{r.Key, r.Period}] = i
	}
	now := s.now()
	for res.Next() {
		var svc, day, slot string
		if err := res.Scan(&svc, &day, &slot); err != nil {
			return nil, err
		}
		d, err1 := calendar.ParseDate(day)
		c, err2 := ParseClock(slot)
		if err1 != nil || err2 != nil {
			continue
		}
		if _, to := CheckInWindow(At(d, c, s.loc), hall.CheckInBefore, hall.CheckInAfter); !now.After(to) {
			continue
		}
		period := day
		if q.Per == "hour" {
			period = fmt.Sprintf("%s %02d:00", day, int(c)/60)
		}
		k := [2]string{svc, period}
		i, ok := index[k]
		if !ok {
			rows = append(rows, StatRow{Key: svc, Period: period})
			i = len(rows) - 1
			index[k] = i
		}
		rows[i].AppointmentNoShows++
	}
	if err := res.Err(); err != nil {
		return nil, err
	}
	sortRows(rows)
	return rows, nil
}
