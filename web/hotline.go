package web

import (
	"cmp"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"banhao/calendar"
	"banhao/cases"
	"banhao/catalog"
	"banhao/errs"
	"banhao/hotline"
	"banhao/identity"
	"banhao/ratings"
)

// The 12345 hotline: API.md's POST /api/v1/hotline/tickets, the list and a ticket's actions
// (dispatch, reply, close with the caller's satisfaction, follow-up), and the operator's pages.

var hotlineViewers = roles(identity.Hotline, identity.Supervisor, identity.Admin, identity.Approver)

func (s *Server) registerHotline() {
	s.registerRatingFollowUp()
	s.registerStats()
	s.handle("POST", "/api/v1/hotline/tickets", API, roles(identity.Hotline, identity.Admin), s.apiHotlineCreate)
	s.handle("GET", "/api/v1/hotline/tickets", API, hotlineViewers, s.apiHotlineList)
	s.handle("GET", "/api/v1/hotline/tickets/{number}", API, hotlineViewers, s.apiHotlineGet)
	s.handle("POST", "/api/v1/hotline/tickets/{number}/{action}", API, hotlineViewers, s.apiHotlineAct)
	s.handle("GET", "/hotline", Page, hotlineViewers, s.pageHotline)
	s.handle("POST", "/hotline/tickets", Page, roles(identity.Hotline, identity.Admin), s.pageHotlineCreate)
	s.handle("GET", "/hotline/{number}", Page, hotlineViewers, s.pageHotlineTicket)
	s.handle("POST", "/hotline/{number}/{action}", Page, hotlineViewers, s.pageHotlineAct)
}

func (s *Server) apiHotlineCreate(w http.ResponseWriter, r *http.Request) error {
	var in hotline.Input
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	t, err := s.Hotline.Create(r.Context(), actor(r), in)
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusCreated, t)
}

func (s *Server) apiHotlineList(w http.ResponseWriter, r *http.Request) error {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	ts, err := s.Hotline.List(r.Context(), actor(r), hotline.Query{Status: r.URL.Query().Get("status"), Limit: limit})
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusOK, map[string]any{"tickets": ts})
}

func (s *Server) apiHotlineGet(w http.ResponseWriter, r *http.Request) error {
	t, err := s.Hotline.Get(r.Context(), actor(r), r.PathValue("number"))
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusOK, t)
}

func (s *Server) apiHotlineAct(w http.ResponseWriter, r *http.Request) error {
	var in hotline.ActInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	t, err := s.Hotline.Act(r.Context(), actor(r), r.PathValue("number"), hotline.Action(r.PathValue("action")), in)
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusOK, t)
}

func (s *Server) pageHotline(w http.ResponseWriter, r *http.Request) error {
	return s.hotlinePage(w, r, http.StatusOK, newForm(nil, nil, nil))
}

// hotlineFields are the 登记来电 form's fields.
var hotlineFields = formFields{
	"caller.name": {"caller_name", "来电人"}, "caller.phone": {"caller_phone", "来电号码"},
	"category": {"category", "类别"}, "content": {"content", "诉求内容"},
}

// hotlinePage is the list of tickets with the 登记来电 form, as typed when a registration failed:
// the operator is still on the line with the caller and retypes nothing.
func (s *Server) hotlinePage(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	st := r.URL.Query().Get("status")
	ts, err := s.Hotline.List(r.Context(), actor(r), hotline.Query{Status: st, Limit: 100})
	if err != nil {
		return err
	}
	sess, _ := session(r)
	return s.renderStatus(w, r, status, "hotline", "12345 工单", map[string]any{"Tickets": ts, "Status": st, "Statuses": hotline.StatusNames,
		"Categories": hotline.Categories, "Operator": sess.User.Role == identity.Hotline || sess.User.Role == identity.Admin, "Form": f})
}

func (s *Server) pageHotlineCreate(w http.ResponseWriter, r *http.Request) error {
	f := r.PostForm
	t, err := s.Hotline.Create(r.Context(), actor(r), hotline.Input{Caller: hotline.Caller{Name: f.Get("caller_name"), Phone: f.Get("caller_phone")},
		Category: f.Get("category"), Content: f.Get("content")})
	if err != nil {
		if _, st := s.errorStatus(w, r, err); st < 500 {
			return s.hotlinePage(w, r, st, newForm(f, hotlineFields, err))
		}
		return err
	}
	http.Redirect(w, r, "/hotline/"+url.PathEscape(t.Number), http.StatusSeeOther)
	return nil
}

func (s *Server) pageHotlineTicket(w http.ResponseWriter, r *http.Request) error {
	return s.hotlineTicketPage(w, r, http.StatusOK, newForm(nil, nil, nil))
}

// hotlineActFields are the fields of a ticket's forms, by action.
var hotlineActFields = map[string]formFields{
	"dispatch": {"department": {"department", "派单至"}},
	"reply":    {"text": {"text", "答复"}},
	"close":    {"satisfaction": {"satisfaction-5", "回访来电人满意度"}},
	"follow":   {"text": {"follow", "整改回访情况"}},
}

// hotlineTicketPage shows a ticket with the form just posted, if any, as typed and its problems.
func (s *Server) hotlineTicketPage(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	t, err := s.Hotline.Get(r.Context(), actor(r), r.PathValue("number"))
	if err != nil {
		return err
	}
	depts, err := s.Catalog.Departments(r.Context())
	if err != nil {
		return err
	}
	sess, _ := session(r)
	return s.renderStatus(w, r, status, "hotline_ticket", "工单 "+t.Number, map[string]any{"T": t, "Departments": catalog.ByName(depts), "Role": string(sess.User.Role),
		"Form": f, "Action": r.PathValue("action")})
}

func (s *Server) pageHotlineAct(w http.ResponseWriter, r *http.Request) error {
	f := r.PostForm
	sat, _ := strconv.Atoi(f.Get("satisfaction"))
	number, action := r.PathValue("number"), r.PathValue("action")
	_, err := s.Hotline.Act(r.Context(), actor(r), number, hotline.Action(action),
		hotline.ActInput{Department: f.Get("department"), Text: f.Get("text"), Satisfaction: sat})
	if err != nil {
		if e, status := s.errorStatus(w, r, err); status != http.StatusInternalServerError && status != http.StatusServiceUnavailable && e.Code != errs.CodeNotFound {
			return s.hotlineTicketPage(w, r, status, newForm(f, hotlineActFields[action], err))
		}
		return err
	}
	http.Redirect(w, r, "/hotline/"+url.PathEscape(number), http.StatusSeeOther)
	return nil
}

// 差评 follow-up: every bad rating (非常不满意, 不满意) waits on the supervisors' list until
// someone records the contact and the remedy.

func (s *Server) registerRatingFollowUp() {
	who := roles(identity.Supervisor, identity.Admin)
	s.handle("GET", "/api/v1/ratings", API, who, s.apiBadRatings)
	s.handle("POST", "/api/v1/ratings/{id}/follow-up", API, who, s.apiRatingFollowUp)
	s.handle("GET", "/ratings", Page, who, s.pageBadRatings)
	s.handle("POST", "/ratings/{id}/follow-up", Page, who, s.pageRatingFollowUp)
}

// apiBadRatings: GET /api/v1/ratings?open=1 — the 差评, those awaiting follow-up first.
func (s *Server) apiBadRatings(w http.ResponseWriter, r *http.Request) error {
	rs, err := s.Ratings.BadRatingsFor(r.Context(), actor(r), r.URL.Query().Get("open") == "1", 200)
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusOK, map[string]any{"ratings": rs})
}

func (s *Server) apiRatingFollowUp(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Text string `json:"text"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return errs.NotFound("评价", r.PathValue("id"))
	}
	if err := s.Ratings.FollowUp(r.Context(), actor(r), id, in.Text); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) pageBadRatings(w http.ResponseWriter, r *http.Request) error {
	return s.badRatingsPage(w, r, http.StatusOK, "", 0, "")
}

// badRatingsPage shows the 差评 with the problem, if any, of the follow-up just posted (for
// the rating it was about, whose text is kept).
func (s *Server) badRatingsPage(w http.ResponseWriter, r *http.Request, status int, problem string, failed int64, text string) error {
	rs, err := s.Ratings.BadRatingsFor(r.Context(), actor(r), false, 200)
	if err != nil {
		return err
	}
	return s.renderStatus(w, r, status, "ratings", "差评回访整改", map[string]any{"Ratings": rs, "Problem": problem, "Failed": failed, "Text": text})
}

func (s *Server) pageRatingFollowUp(w http.ResponseWriter, r *http.Request) error {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	text := r.PostForm.Get("text")
	if err := s.Ratings.FollowUp(r.Context(), actor(r), id, text); err != nil {
		e, status := s.errorStatus(w, r, err)
		if status == http.StatusInternalServerError {
			return err
		}
		return s.badRatingsPage(w, r, status, errMessage(e), id, text)
	}
	http.Redirect(w, r, "/ratings", http.StatusSeeOther)
	return nil
}

// Case statistics for the supervisors (电子监察): per department or item, for a period; and the
// ratings of the same period per department.

func (s *Server) registerStats() {
	who := roles(identity.Supervisor, identity.Admin)
	s.handle("GET", "/api/v1/stats/cases", API, who, s.apiCaseStats)
	s.handle("GET", "/api/v1/stats/ratings", API, who, s.apiRatingStats)
	s.handle("GET", "/api/v1/stats/centers", API, who, s.apiCenterStats)
	s.handle("GET", "/supervise", Page, who, s.pageSupervise)
	s.handle("GET", "/supervise.xlsx", Page, who, s.pageSuperviseExcel)
}

// period reads from and to (default: this month so far).
func (s *Server) period(r *http.Request) (from, to calendar.Date, err error) {
	q := r.URL.Query()
	to = s.today()
	from = calendar.MakeDate(to.Time(time.UTC).Year(), to.Time(time.UTC).Month(), 1)
	var v errs.Validation
	if text := strings.TrimSpace(q.Get("from")); text != "" {
		var e error
		from, e = calendar.ParseDate(text)
		v.Check(e == nil, "from", "起始日期须为有效的日期，如 2026-03-01")
	}
	if text := strings.TrimSpace(q.Get("to")); text != "" {
		var e error
		to, e = calendar.ParseDate(text)
		v.Check(e == nil, "to", "截止日期须为有效的日期，如 2026-03-31")
	}
	if err := v.Err(); err != nil {
		return 0, 0, err
	}
	return from, to, cases.CheckPeriod(from, to)
}

// caseStats reads by (department|item) and the period and counts.
func (s *Server) caseStats(r *http.Request) (by string, from, to calendar.Date, rows []cases.StatsRow, err error) {
	by = r.URL.Query().Get("by")
	if by == "" {
		by = "department"
	}
	if from, to, err = s.period(r); err != nil {
		return "", 0, 0, nil, err
	}
	rows, err = s.Cases.StatsFor(r.Context(), actor(r), by, from, to)
	return by, from, to, rows, err
}

// ratingStats counts the period's ratings per department, with the departments' names.
func (s *Server) ratingStats(r *http.Request, from, to calendar.Date) ([]ratings.SummaryRow, error) {
	rows, err := s.Ratings.SummaryFor(r.Context(), actor(r), from, to)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	if depts, err := s.Catalog.Departments(r.Context()); err == nil {
		for _, d := range depts {
			names[d.Code] = d.Name
		}
	}
	for i := range rows {
		rows[i].Name = "大厅服务（未关联办件）"
		if n, ok := names[rows[i].Department]; ok {
			rows[i].Name = n
		} else if d, err := s.Catalog.Department(r.Context(), rows[i].Department); err == nil {
			rows[i].Name = d.Name
		}
	}
	return rows, nil
}

func (s *Server) apiCaseStats(w http.ResponseWriter, r *http.Request) error {
	by, from, to, rows, err := s.caseStats(r)
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusOK, map[string]any{"by": by, "from": from, "to": to, "rows": rows})
}

func (s *Server) apiRatingStats(w http.ResponseWriter, r *http.Request) error {
	from, to, err := s.period(r)
	if err != nil {
		return err
	}
	rows, err := s.ratingStats(r, from, to)
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusOK, map[string]any{"from": from, "to": to, "rows": rows})
}

// superviseFields are the fields of the period form of /supervise.
var superviseFields = formFields{"by": {"by", "统计维度"}, "from": {"from", "起始日期"}, "to": {"to", "截止日期"}}

// pageSupervise shows the period's figures by department or item, a chart of the cases per day
// and one of the on-time rate per department (supervise.go), and the ratings.
// A period the page cannot count shows the form again as typed, the error next to its field.
func (s *Server) pageSupervise(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	by := cmp.Or(q.Get("by"), "department")
	from, to, err := s.period(r)
	if by != "department" && by != "item" {
		err = errs.Invalid("by", "统计维度须为按部门或按事项")
	}
	if err != nil {
		if _, st := s.errorStatus(w, r, err); st < 500 {
			return s.renderStatus(w, r, st, "supervise", "办件统计", map[string]any{"By": by,
				"Form": newForm(url.Values{"by": {by}, "from": {q.Get("from")}, "to": {q.Get("to")}}, superviseFields, err)})
		}
		return err
	}
	figures, err := s.Cases.FiguresFor(r.Context(), actor(r), from, to) // a county's supervisor: its departments
	if err != nil {
		return err
	}
	days, err := s.Cases.DailyFor(r.Context(), actor(r), from, to)
	if err != nil {
		return err
	}
	rated, err := s.ratingStats(r, from, to)
	if err != nil {
		return err
	}
	centers, err := s.Cases.CenterStats(r.Context(), actor(r), from, to, "") // the network's block (netstats.go)
	if err != nil {
		return err
	}
	rows := figures.By(by)
	shown, empty := withCases(rows)
	return s.render(w, r, "supervise", "办件统计", map[string]any{"By": by, "From": from, "To": to, "Rows": shown, "Empty": empty, "Total": cases.Total(rows), "Centers": centers,
		"Form":    newForm(url.Values{"by": {by}, "from": {from.String()}, "to": {to.String()}}, superviseFields, nil),
		"Ratings": rated, "Days": newDayChart(days), "Rates": newRateChart(figures.By("department")),
		"PostChecks": s.postCheckFigure(r, from, to),
		"Immediate":  s.immediateFigure(r.Context(), actor(r), from, to), // 即办率
		"Rules":      s.rulesFigure(r.Context(), actor(r), from, to),     // 秒批率 (rulesform.go)
		"Payments":   s.paymentFigures(r, from, to),                      // 支付确认 (payments.go)
	})
}

// withCases are the rows with a case in the period or open now, and how many were left out: a
// page of twenty departments of zeros (a phone shows each row as a card) hides the ones that
// have any; the workbook keeps them all.
func withCases(rows []cases.StatsRow) ([]cases.StatsRow, int) {
	out := make([]cases.StatsRow, 0, len(rows))
	for _, r := range rows {
		if r.Submitted+r.InProgress+r.Decided+r.Rejected+r.Yellow+r.Red+r.OnTime+r.Late > 0 {
			out = append(out, r)
		}
	}
	return out, len(rows) - len(out)
}

// A period or grouping it cannot count shows the /supervise form instead, as typed, the error
// next to its field (a download has no page of its own to show it on).
func (s *Server) pageSuperviseExcel(w http.ResponseWriter, r *http.Request) error {
	by, from, to, rows, err := s.caseStats(r)
	if e, ok := errs.As(err); ok && e.Code == errs.CodeInvalid {
		return s.pageSupervise(w, r)
	}
	if err != nil {
		return err
	}
	rated, err := s.ratingStats(r, from, to)
	if err != nil {
		return err
	}
	sheets := []cases.Sheet{ratingsSheet(rated)}
	if centers, err := s.Cases.CenterStats(r.Context(), actor(r), from, to, ""); err != nil {
		return err
	} else if len(centers) > 1 {
		sheets = append(sheets, centersSheet(centers))
	}
	b, err := cases.StatsExcel(rows, by, from, to, sheets...)
	if err != nil {
		return err
	}
	if err := s.audited(r, "cases.stats_export", "cases", by); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="case-stats-%s-%s-%s.xlsx"`, by, from, to))
	_, err = w.Write(b)
	return err
}

// ratingsSheet lays the rating counts out as the workbook's second sheet.
func ratingsSheet(rows []ratings.SummaryRow) cases.Sheet {
	sh := cases.Sheet{Name: "好差评", Header: []any{"部门", "评价数", "好评", "差评", "差评已回访整改", "好评率", "平均分", "部门代码"}}
	for _, r := range rows {
		sh.Rows = append(sh.Rows, []any{r.Name, r.Ratings, r.Good, r.Bad, r.FollowedUp, r.GoodPercent(), fmt.Sprintf("%.2f", r.Average), r.Department})
	}
	return sh
}
