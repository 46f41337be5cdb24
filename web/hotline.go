package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"banhao/calendar"
	"banhao/cases"
	"banhao/errs"
	"banhao/hotline"
	"banhao/identity"
)

// The 12345 hotline: API.md's POST /api/v1/hotline/tickets, the list and a ticket's actions
// (dispatch, reply, close with the caller's satisfaction, follow-up), and the operator's pages.

var hotlineViewers = roles(identity.Hotline, identity.Supervisor, identity.Admin, identity.Approver)

func (s *Server) registerHotline() {
	if s.Ratings != nil {
		s.registerRatingFollowUp()
	}
	if s.Cases != nil {
		s.registerStats()
	}
	if s.Hotline == nil {
		return
	}
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
	status := r.URL.Query().Get("status")
	ts, err := s.Hotline.List(r.Context(), actor(r), hotline.Query{Status: status, Limit: 100})
	if err != nil {
		return err
	}
	sess, _ := session(r)
	return s.render(w, r, "hotline", "12345 工单", map[string]any{"Tickets": ts, "Status": status, "Statuses": hotline.StatusNames,
		"Categories": hotline.Categories, "Operator": sess.User.Role == identity.Hotline || sess.User.Role == identity.Admin})
}

func (s *Server) pageHotlineCreate(w http.ResponseWriter, r *http.Request) error {
	f := r.PostForm
	t, err := s.Hotline.Create(r.Context(), actor(r), hotline.Input{Caller: hotline.Caller{Name: f.Get("caller_name"), Phone: f.Get("caller_phone")},
		Category: f.Get("category"), Content: f.Get("content")})
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/hotline/"+url.PathEscape(t.Number), http.StatusSeeOther)
	return nil
}

func (s *Server) pageHotlineTicket(w http.ResponseWriter, r *http.Request) error {
	t, err := s.Hotline.Get(r.Context(), actor(r), r.PathValue("number"))
	if err != nil {
		return err
	}
	depts, err := s.Catalog.Departments(r.Context())
	if err != nil {
		return err
	}
	sess, _ := session(r)
	return s.render(w, r, "hotline_ticket", "工单 "+t.Number, map[string]any{"T": t, "Departments": depts, "Role": string(sess.User.Role),
		"Problem": r.URL.Query().Get("problem")})
}

func (s *Server) pageHotlineAct(w http.ResponseWriter, r *http.Request) error {
	f := r.PostForm
	sat, _ := strconv.Atoi(f.Get("satisfaction"))
	number := r.PathValue("number")
	_, err := s.Hotline.Act(r.Context(), actor(r), number, hotline.Action(r.PathValue("action")),
		hotline.ActInput{Department: f.Get("department"), Text: f.Get("text"), Satisfaction: sat})
	return redirectWithProblem(w, r, "/hotline/"+url.PathEscape(number), err)
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
	rs, err := s.Ratings.BadRatings(r.Context(), r.URL.Query().Get("open") == "1", 200)
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
	rs, err := s.Ratings.BadRatings(r.Context(), false, 200)
	if err != nil {
		return err
	}
	return s.render(w, r, "ratings", "差评回访整改", map[string]any{"Ratings": rs, "Problem": r.URL.Query().Get("problem")})
}

func (s *Server) pageRatingFollowUp(w http.ResponseWriter, r *http.Request) error {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return redirectWithProblem(w, r, "/ratings", s.Ratings.FollowUp(r.Context(), actor(r), id, r.PostForm.Get("text")))
}

// Case statistics for the supervisors (电子监察): per department or item, for a period.

func (s *Server) registerStats() {
	who := roles(identity.Supervisor, identity.Admin)
	s.handle("GET", "/api/v1/stats/cases", API, who, s.apiCaseStats)
	s.handle("GET", "/supervise", Page, who, s.pageSupervise)
	s.handle("GET", "/supervise.xlsx", Page, who, s.pageSuperviseExcel)
}

// caseStats reads by (department|item) and the period (default: this month so far) and counts.
func (s *Server) caseStats(r *http.Request) (by string, from, to calendar.Date, rows []cases.StatsRow, err error) {
	q := r.URL.Query()
	by = q.Get("by")
	if by == "" {
		by = "department"
	}
	to = s.today()
	from = calendar.MakeDate(to.Time(time.UTC).Year(), to.Time(time.UTC).Month(), 1)
	if v := q.Get("from"); v != "" {
		if from, err = calendar.ParseDate(v); err != nil {
			return "", 0, 0, nil, errs.Invalid("from", err.Error())
		}
	}
	if v := q.Get("to"); v != "" {
		if to, err = calendar.ParseDate(v); err != nil {
			return "", 0, 0, nil, errs.Invalid("to", err.Error())
		}
	}
	rows, err = s.Cases.Stats(r.Context(), by, from, to)
	return by, from, to, rows, err
}

func (s *Server) apiCaseStats(w http.ResponseWriter, r *http.Request) error {
	by, from, to, rows, err := s.caseStats(r)
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusOK, map[string]any{"by": by, "from": from, "to": to, "rows": rows})
}

func (s *Server) pageSupervise(w http.ResponseWriter, r *http.Request) error {
	by, from, to, rows, err := s.caseStats(r)
	if err != nil {
		return err
	}
	return s.render(w, r, "supervise", "办件统计", map[string]any{"By": by, "From": from, "To": to, "Rows": rows, "Total": cases.Total(rows)})
}

func (s *Server) pageSuperviseExcel(w http.ResponseWriter, r *http.Request) error {
	by, from, to, rows, err := s.caseStats(r)
	if err != nil {
		return err
	}
	b, err := cases.StatsExcel(rows, by, from, to)
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
