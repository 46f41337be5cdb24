package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"banhao/calendar"
	"banhao/cases"
	"banhao/errs"
	"banhao/identity"
	"banhao/store"
)

// calendarMax is the largest calendar file (a year is a few KiB); calendarLimit its routes' body.
const calendarMax = 1 << 20

var calendarLimit = maxBody(calendarMax + partOverhead + pageBody)

func (s *Server) registerCalendar() {
	admin := roles(identity.Admin)
	s.handle("GET", "/api/v1/calendar/deadline", API, public, s.apiDeadline)
	s.handle("GET", "/api/v1/calendar/days", API, public, s.apiCalendarDays)
	s.handle("PUT", "/api/v1/calendar/days/{date}", API, admin, s.apiSetDay)
	s.handle("POST", "/api/v1/calendar/import", API, admin, s.apiCalendarImport, calendarLimit)
	s.handle("GET", "/admin/calendar", Page, admin, s.adminCalendar)
	s.handle("POST", "/admin/calendar", Page, admin, s.adminCalendarSet)
	s.handle("POST", "/admin/calendar/import", Page, admin, s.adminCalendarImport, calendarLimit)
}

func dateParam(r *http.Request, name string) (calendar.Date, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, errs.Invalid(name, "必填，格式 YYYY-MM-DD")
	}
	d, err := calendar.ParseDate(v)
	if err != nil {
		return 0, errs.Invalid(name, err.Error())
	}
	if d < calendar.First || d > calendar.Last {
		return 0, errs.Invalid(name, "日期须在 2000–2099 之间")
	}
	return d, nil
}

// apiDeadline: the due date of N working days counted from the day after from.
func (s *Server) apiDeadline(w http.ResponseWriter, r *http.Request) error {
	from, err := dateParam(r, "from")
	if err != nil {
		return err
	}
	if r.URL.Query().Get("days") == "" {
		return errs.Invalid("days", "必填：工作日天数")
	}
	days, err := intParam(r, "days", 0, 3650)
	if err != nil {
		return err
	}
	cal, err := s.Calendar.Calendar(r.Context())
	if err != nil {
		return err
	}
	due, err := cal.AddWorkingDays(from, days)
	if err != nil {
		return errs.Invalid("days", "截止日期超出日历范围（2099 年以后）")
	}
	out := map[string]any{"from": from, "days": days, "due": due}
	if year, ok := calendar.Uncovered(cal, due); ok { // counted Monday to Friday: said, not hidden
		out["uncovered_year"] = year
		out["note"] = calendar.UncoveredNote(year)
	}
	return s.writeJSON(w, 200, out)
}

func (s *Server) apiCalendarDays(w http.ResponseWriter, r *http.Request) error {
	cal, err := s.Calendar.Calendar(r.Context())
	if err != nil {
		return err
	}
	year, err := intParam(r, "year", 0, 2099)
	if err != nil {
		return err
	}
	out := []calendar.Override{}
	for _, o := range cal.Overrides() {
		if year == 0 || strings.HasPrefix(o.Date.String(), strconv.Itoa(year)+"-") {
			out = append(out, o)
		}
	}
	return s.writeJSON(w, 200, map[string]any{"days": out})
}

func (s *Server) apiSetDay(w http.ResponseWriter, r *http.Request) error {
	d, err := calendar.ParseDate(r.PathValue("date"))
	if err != nil {
		return errs.Invalid("date", err.Error())
	}
	var in struct {
		Kind string `json:"kind"`
		Name string `json:"name"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	o := calendar.Override{Date: d, Kind: calendar.Kind(in.Kind), Name: strings.TrimSpace(in.Name)}
	ch, err := s.setCalendar(r, []calendar.Override{o})
	if err != nil {
		if e, ok := errs.As(err); ok && len(e.Fields) > 0 { // days[0].name → name
			f := e.Fields[0]
			return errs.Invalid(f.Field[strings.LastIndex(f.Field, ".")+1:], f.Message)
		}
		return err
	}
	cal, err := s.Calendar.Calendar(r.Context())
	if err != nil {
		return err
	}
	day, working := cal.Day(d)
	return s.writeJSON(w, 200, ch.json(map[string]any{"date": d, "kind": day.Kind, "name": day.Name, "working_day": working}))
}

// calendarChange is what a saved calendar change did to deadlines: those it moved, or — when
// counting them again failed — that the days are saved and the recompute will be retried.
type calendarChange struct {
	moved   cases.Recomputed
	tickets int // 12345 tickets whose reply deadline moved (hotline.RecomputeDue)
	retry   bool
}

// count is how many deadlines moved: cases, post-checks and 12345 tickets.
func (c calendarChange) count() int { return c.moved.Cases + c.moved.PostChecks + c.tickets }

// calendarRetryNote is what an admin is told when the days are saved and the recompute failed.
const calendarRetryNote = "日历已保存；在办件期限的重新计算未完成，系统将在几秒后自动重试"

// json is out with the change's outcome: recomputed, or recompute_pending and a note.
func (c calendarChange) json(out map[string]any) map[string]any {
	out["recomputed"], out["recomputed_hotline"] = c.moved, c.tickets
	if c.retry {
		out["recompute_pending"], out["note"] = true, calendarRetryNote
	}
	return out
}

// setCalendar changes the days (the city's admins only: cases.MayChangeCalendar) and then counts
// again the deadlines the change may have moved (open cases, open post-checks:
// cases.RecomputeDeadlines; dispatched 12345 tickets: hotline.RecomputeDue), so no stored
// deadline stays counted on the calendar as it was.
// The change's transaction also schedules a second pass a few seconds later
// (cases.ScheduleRecompute): it retries a recompute that failed here, and catches a step that
// read the old calendar and committed after this pass listed its cases. The recompute here is
// not the browser's to cancel (it is idempotent; the days are already saved).
func (s *Server) setCalendar(r *http.Request, days []calendar.Override) (calendarChange, error) {
	ctx, by := r.Context(), actor(r)
	if err := s.Cases.MayChangeCalendar(ctx, by); err != nil {
		return calendarChange{}, err
	}
	changed := make([]calendar.Date, len(days))
	for i, d := range days {
		changed[i] = d.Date
	}
	if err := s.Calendar.Set(ctx, by, days, func(tx *store.Tx) error { return s.Cases.ScheduleRecompute(ctx, tx, changed) }); err != nil {
		return calendarChange{}, err
	}
	ctx = context.WithoutCancel(ctx)
	moved, err := s.Cases.RecomputeDeadlines(ctx, by, changed)
	var tickets int
	if err == nil {
		tickets, err = s.Hotline.RecomputeDue(ctx, by, changed)
	}
	if err != nil {
		s.Logger.Warn("calendar saved, deadline recompute failed; its job retries", "days", len(changed), "err", err)
		return calendarChange{retry: true}, nil
	}
	return calendarChange{moved: moved, tickets: tickets}, nil
}

// calendarFile reads an uploaded schedule: multipart field "file" or a raw text/csv body.
func calendarFile(w http.ResponseWriter, r *http.Request) ([]calendar.Override, error) {
	var src io.Reader = r.Body // bounded by the route's limit
	if isMultipart(r) {
		f, _, err := formFile(r, "file")
		if err != nil {
			return nil, err
		}
		if f == nil {
			return nil, errs.Invalid("file", "请选择日历 CSV 文件")
		}
		defer f.Close()
		src = io.LimitReader(f, calendarMax+1)
	}
	data, err := io.ReadAll(src) // a body over the limit is 413, not a CSV error
	if err != nil {
		return nil, err
	}
	if len(data) > calendarMax {
		return nil, &errs.Error{Code: errs.CodeTooLarge, Message: fmt.Sprintf("日历文件超过 %d KiB", calendarMax>>10)}
	}
	days, err := calendar.ParseCSV(bytes.NewReader(data))
	if err != nil {
		return nil, errs.Invalid("file", err.Error())
	}
	if len(days) == 0 {
		return nil, errs.Invalid("file", "文件中没有日期")
	}
	return days, nil
}

func (s *Server) apiCalendarImport(w http.ResponseWriter, r *http.Request) error {
	days, err := calendarFile(w, r)
	if err != nil {
		return err
	}
	ch, err := s.setCalendar(r, days)
	if err != nil {
		return err
	}
	return s.writeJSON(w, 200, ch.json(map[string]any{"days": len(days)}))
}

type monthView struct {
	Name  string
	Weeks [][]dayCell
}

type dayCell struct {
	Day     int
	Date    string
	Working bool
	Kind    string
	Name    string
}

// calendarFields are the fields of the calendar's two forms: one day (its override is days[0]),
// and the import of a file (whose days are its rows).
var calendarFields = formFields{"date": {"date", "日期"}, "kind": {"kind", "类型"}, "name": {"name", "名称"},
	"days[0].date": {"date", "日期"}, "days[0].kind": {"kind", "类型"}, "days[0].name": {"name", "名称"}}

var calendarImportFields = formFields{"file": {"file", "导入下一年度放假安排"}, "days": {"file", "导入下一年度放假安排"}}

func (s *Server) calendarPage(w http.ResponseWriter, r *http.Request, status int, year int, f *form, flash string) error {
	cal, err := s.Calendar.Calendar(r.Context())
	if err != nil {
		return err
	}
	var months []monthView
	for m := 1; m <= 12; m++ {
		mv := monthView{Name: fmt.Sprintf("%d 月", m)}
		first := calendar.MakeDate(year, timeMonth(m), 1)
		week := make([]dayCell, 7)
		offset := (int(first.Weekday()) + 6) % 7 // Monday first
		for d := first; d.String()[:7] == first.String()[:7]; d++ {
			col := (offset + int(d-first)) % 7
			o, working := cal.Day(d)
			week[col] = dayCell{Day: int(d-first) + 1, Date: d.String(), Working: working, Kind: string(o.Kind), Name: o.Name}
			if col == 6 {
				mv.Weeks = append(mv.Weeks, week)
				week = make([]dayCell, 7)
			}
		}
		if week[0].Day != 0 || week[6].Day != 0 || hasDay(week) {
			mv.Weeks = append(mv.Weeks, week)
		}
		months = append(months, mv)
	}
	// A county's admin sees the city's calendar without its forms, and why.
	readOnly := ""
	if err := s.Cases.MayChangeCalendar(r.Context(), actor(r)); errs.Is(err, errs.CodeForbidden) {
		readOnly = err.(*errs.Error).Message
	} else if err != nil {
		return err
	}
	return s.renderStatus(w, r, status, "admin/calendar", "工作日历", map[string]any{"Year": year, "Prev": year - 1, "Next": year + 1,
		"Months": months, "Form": f, "Flash": flash, "ReadOnly": readOnly})
}

func timeMonth(m int) time.Month { return time.Month(m) }

func hasDay(week []dayCell) bool {
	for _, c := range week {
		if c.Day != 0 {
			return true
		}
	}
	return false
}

func (s *Server) adminCalendar(w http.ResponseWriter, r *http.Request) error {
	year, _ := strconv.Atoi(r.URL.Query().Get("year"))
	if year < 2000 || year > 2099 {
		year = s.Now().In(s.loc()).Year()
	}
	return s.calendarPage(w, r, http.StatusOK, year, newForm(nil, nil, nil), calFlashes.text(r))
}

func (s *Server) adminCalendarSet(w http.ResponseWriter, r *http.Request) error {
	d, err := calendar.ParseDate(r.PostFormValue("date"))
	year := s.Now().In(s.loc()).Year()
	if err != nil {
		return s.calendarPage(w, r, http.StatusBadRequest, year, newForm(r.PostForm, calendarFields, errs.Invalid("date", "请填写日期（年-月-日）")), "")
	}
	year, _ = strconv.Atoi(d.String()[:4])
	o := calendar.Override{Date: d, Kind: calendar.Kind(r.PostFormValue("kind")), Name: strings.TrimSpace(r.PostFormValue("name"))}
	ch, err := s.setCalendar(r, []calendar.Override{o})
	if err != nil {
		if _, st := s.errorStatus(w, r, err); st < 500 {
			return s.calendarPage(w, r, st, year, newForm(r.PostForm, calendarFields, err), "")
		}
		return err
	}
	if ch.retry {
		http.Redirect(w, r, done(fmt.Sprintf("/admin/calendar?year=%d", year), "day_retry", -1), http.StatusSeeOther)
		return nil
	}
	if n := ch.count(); n > 0 {
		http.Redirect(w, r, done(fmt.Sprintf("/admin/calendar?year=%d", year), "day_recomputed", n), http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, done(fmt.Sprintf("/admin/calendar?year=%d", year), "day", -1), http.StatusSeeOther)
	return nil
}

func (s *Server) adminCalendarImport(w http.ResponseWriter, r *http.Request) error {
	year := s.Now().In(s.loc()).Year()
	days, err := calendarFile(w, r)
	var ch calendarChange
	if err == nil {
		ch, err = s.setCalendar(r, days)
	}
	if err != nil {
		if _, st := s.errorStatus(w, r, err); st < 500 {
			return s.calendarPage(w, r, st, year, newForm(nil, calendarImportFields, rowErrors(err, nil)), "")
		}
		return err
	}
	year, _ = strconv.Atoi(days[0].Date.String()[:4])
	if ch.retry {
		http.Redirect(w, r, done(fmt.Sprintf("/admin/calendar?year=%d", year), "days_retry", len(days)), http.StatusSeeOther)
		return nil
	}
	if n := ch.count(); n > 0 {
		http.Redirect(w, r, done(fmt.Sprintf("/admin/calendar?year=%d", year), "days_recomputed", len(days), n), http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, done(fmt.Sprintf("/admin/calendar?year=%d", year), "days", len(days)), http.StatusSeeOther)
	return nil
}
