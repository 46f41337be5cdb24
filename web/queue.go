package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"banhao/calendar"
	"banhao/errs"
	"banhao/identity"
	"banhao/queue"
	"banhao/ratings"
)

// Who works the hall: counter staff act at counters; the hall manager sets the hall up.
var (
	counterStaff = roles(identity.Clerk, identity.Approver, identity.HallManager)
	hallManagers = roles(identity.HallManager, identity.Admin)
	hallReaders  = roles(identity.HallManager, identity.Supervisor, identity.Admin, identity.Auditor)
	// ticketIssuers may hand out 绿色通道 tickets.
	ticketIssuers = []identity.Role{identity.Clerk, identity.Approver, identity.HallManager, identity.Admin}
)

func (s *Server) registerQueue() {
	s.handle("GET", "/api/v1/halls", API, public, s.apiHalls)
	s.handle("PUT", "/api/v1/halls/{id}", API, hallManagers, s.apiSaveHall)
	s.handle("GET", "/api/v1/halls/{id}/board", API, public, s.apiBoard)
	s.handle("GET", "/api/v1/halls/{id}/events", API, public, s.apiHallEvents)
	s.handle("GET", "/api/v1/services", API, public, s.apiServices)
	s.handle("PUT", "/api/v1/services/{code}", API, hallManagers, s.apiSaveService)
	s.handle("GET", "/api/v1/services/{code}/slots", API, public, s.apiSlots)
	s.handle("GET", "/api/v1/counters", API, public, s.apiCounters)
	s.handle("PUT", "/api/v1/counters/{id}", API, hallManagers, s.apiSaveCounter)
	s.handle("GET", "/api/v1/counters/{id}", API, counterStaff, s.apiDesk)
	s.handle("POST", "/api/v1/counters/{id}/{action}", API, counterStaff, s.apiCounterAction)
	s.handle("POST", "/api/v1/tickets", API, public, s.apiIssueTicket)
	s.handle("GET", "/api/v1/tickets/{id}", API, public, s.apiTicket)
	s.handle("POST", "/api/v1/appointments", API, public, s.apiBook)
	s.handle("GET", "/api/v1/appointments/{id}", API, public, s.apiAppointment)
	s.handle("POST", "/api/v1/appointments/{id}/cancel", API, public, s.apiCancelAppointment)
	s.handle("POST", "/api/v1/appointments/{id}/checkin", API, public, s.apiCheckIn)
	s.handle("GET", "/api/v1/queue/stats", API, hallReaders, s.apiQueueStats)
	s.handle("POST", "/api/v1/ratings", API, public, s.apiRate)
	s.handle("POST", "/api/v1/halls/{id}/devices", API, hallManagers, s.apiEnrollDevice)
}

// deviceCookie holds a registered kiosk's or rating pad's key in its browser.
const deviceCookie = "banhao_device"

// deviceKey is the key a hall device presents: the X-Device-Key header (API clients) or the
// device cookie (the kiosk's and the pad's browsers).
func deviceKey(r *http.Request) string {
	if k := r.Header.Get("X-Device-Key"); k != "" {
		return strings.TrimSpace(k)
	}
	if c, err := r.Cookie(deviceCookie); err == nil {
		return c.Value
	}
	return ""
}

// setDeviceCookie makes this browser the enrolled device (strict same-site: a page elsewhere
// cannot make the kiosk's browser send it).
func (s *Server) setDeviceCookie(w http.ResponseWriter, r *http.Request, key string) {
	s.setCookie(w, r, &http.Cookie{Name: deviceCookie, Value: key, Path: "/", MaxAge: 5 * 365 * 24 * 3600, HttpOnly: true,
		SameSite: http.SameSiteStrictMode})
}

// apiEnrollDevice registers a kiosk or a counter's rating pad; the answer holds its key, once.
func (s *Server) apiEnrollDevice(w http.ResponseWriter, r *http.Request) error {
	var d queue.Device
	if err := decodeJSON(w, r, &d); err != nil {
		return err
	}
	d.Hall = r.PathValue("id")
	d, err := s.Queue.EnrollDevice(r.Context(), actor(r), d)
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusCreated, d)
}

func (s *Server) apiHalls(w http.ResponseWriter, r *http.Request) error {
	hs, err := s.Queue.Halls(r.Context())
	if err != nil {
		return err
	}
	if hs == nil {
		hs = []queue.Hall{}
	}
	return s.writeJSON(w, 200, map[string]any{"halls": hs})
}

// apiSaveHall creates or updates a hall; fields left out keep their value (or the default).
func (s *Server) apiSaveHall(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	h, err := s.Queue.HallByID(r.Context(), id)
	if errs.Is(err, errs.CodeNotFound) {
		h, err = queue.DefaultHall(id, ""), nil
	}
	if err != nil {
		return err
	}
	if err := decodeJSON(w, r, &h); err != nil {
		return err
	}
	if h.ID != id {
		return errs.Invalid("id", "请求体中的编号与地址不一致")
	}
	if err := s.Queue.SaveHall(r.Context(), actor(r), h); err != nil {
		return err
	}
	saved, err := s.Queue.HallByID(r.Context(), id)
	if err != nil {
		return err
	}
	return s.writeJSON(w, 200, saved)
}

func (s *Server) apiBoard(w http.ResponseWriter, r *http.Request) error {
	b, err := s.Queue.Board(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.writeJSON(w, 200, b)
}

// apiHallEvents streams the hall's events (Server-Sent Events) until the client leaves or the
// server shuts down. A comment every 15 s keeps proxies from closing the stream.
func (s *Server) apiHallEvents(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.Queue.HallByID(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	rc := http.NewResponseController(w)
	events, cancel := s.Queue.Hub.Broker.Subscribe(r.PathValue("id"))
	defer cancel()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	if _, err := fmt.Fprint(w, "retry: 2000\n: connected\n\n"); err != nil {
		return nil
	}
	_ = rc.Flush()
	tick := time.NewTicker(15 * time.Second)
	defer tick.Stop()
	for {
		select {
		case e, ok := <-events:
			if !ok {
				return nil // too slow: the browser reconnects and reloads
			}
			if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", e.Type, e.Data); err != nil {
				return nil
			}
		case <-tick.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return nil
			}
		case <-r.Context().Done():
			return nil
		case <-s.shutdown:
			return nil
		}
		if err := rc.Flush(); err != nil {
			return nil
		}
	}
}

func (s *Server) apiServices(w http.ResponseWriter, r *http.Request) error {
	qs, err := s.Queue.Services(r.Context(), r.URL.Query().Get("hall"))
	if err != nil {
		return err
	}
	if qs == nil {
		qs = []queue.QueueService{}
	}
	return s.writeJSON(w, 200, map[string]any{"services": qs})
}

// apiSaveService creates or updates a queue line; fields left out keep their value (or the
// default; a new line's hall defaults to the only hall).
func (s *Server) apiSaveService(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	q, err := s.Queue.ServiceByCode(r.Context(), code)
	if errs.Is(err, errs.CodeNotFound) {
		q, err = queue.DefaultService(code, ""), nil
		if hs, herr := s.Queue.Halls(r.Context()); herr == nil && len(hs) == 1 {
			q.Hall = hs[0].ID
		}
	}
	if err != nil {
		return err
	}
	if err := decodeJSON(w, r, &q); err != nil {
		return err
	}
	if q.Code != code {
		return errs.Invalid("code", "请求体中的编号与地址不一致")
	}
	if err := s.Queue.SaveService(r.Context(), actor(r), q); err != nil {
		return err
	}
	saved, err := s.Queue.ServiceByCode(r.Context(), code)
	if err != nil {
		return err
	}
	return s.writeJSON(w, 200, saved)
}

func (s *Server) apiSlots(w http.ResponseWriter, r *http.Request) error {
	date := r.URL.Query().Get("date")
	if date == "" {
		date = calendar.DateOf(s.Now(), s.loc()).String()
	}
	slots, err := s.Queue.Slots(r.Context(), r.PathValue("code"), date)
	if err != nil {
		return err
	}
	return s.writeJSON(w, 200, map[string]any{"service": r.PathValue("code"), "date": date, "slots": slots})
}

func (s *Server) apiCounters(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.Queue.Counters(r.Context(), r.URL.Query().Get("hall"))
	if err != nil {
		return err
	}
	if cs == nil {
		cs = []queue.Counter{}
	}
	if _, ok := session(r); !ok {
		for i := range cs {
			cs[i].Staff = "" // who sits where is for staff
		}
	}
	return s.writeJSON(w, 200, map[string]any{"counters": cs})
}

// apiSaveCounter creates or updates a counter; fields left out keep their value. "services"
// alone sets the profile in that order with weight 1.
func (s *Server) apiSaveCounter(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	c, err := s.Queue.CounterByID(r.Context(), id)
	if errs.Is(err, errs.CodeNotFound) {
		c, err = queue.Counter{ID: id, Rule: queue.LongestWait, Open: true}, nil
		if hs, herr := s.Queue.Halls(r.Context()); herr == nil && len(hs) == 1 {
			c.Hall = hs[0].ID
		}
	}
	if err != nil {
		return err
	}
	beforeProfile := c.Profile
	c.Profile, c.Services = nil, nil
	if err := decodeJSON(w, r, &c); err != nil {
		return err
	}
	if c.ID != id {
		return errs.Invalid("id", "请求体中的编号与地址不一致")
	}
	switch {
	case c.Profile != nil:
	case c.Services != nil:
		for _, code := range c.Services {
			c.Profile = append(c.Profile, queue.ProfileEntry{Service: code})
		}
	default:
		c.Profile = beforeProfile
	}
	if err := s.Queue.SaveCounter(r.Context(), actor(r), c); err != nil {
		return err
	}
	saved, err := s.Queue.CounterByID(r.Context(), id)
	if err != nil {
		return err
	}
	return s.writeJSON(w, 200, saved)
}

func (s *Server) apiDesk(w http.ResponseWriter, r *http.Request) error {
	d, err := s.Queue.Desk(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.writeJSON(w, 200, d)
}

func (s *Server) apiCounterAction(w http.ResponseWriter, r *http.Request) error {
	var in queue.ActInput
	if r.ContentLength != 0 {
		if err := decodeJSON(w, r, &in); err != nil {
			return err
		}
	}
	id, action := r.PathValue("id"), r.PathValue("action")
	switch action {
	case "open", "close":
		if err := s.Queue.SetCounterOpen(r.Context(), actor(r), id, action == "open"); err != nil {
			return err
		}
		c, err := s.Queue.CounterByID(r.Context(), id)
		if err != nil {
			return err
		}
		return s.writeJSON(w, 200, c)
	}
	t, ok, err := s.Queue.Act(r.Context(), actor(r), id, queue.Action(action), in)
	if err != nil {
		return err
	}
	if !ok {
		w.WriteHeader(http.StatusNoContent) // nobody waiting
		return nil
	}
	return s.writeJSON(w, 200, t)
}

func (s *Server) apiIssueTicket(w http.ResponseWriter, r *http.Request) error {
	var in queue.IssueInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	in.Key = r.Header.Get("Idempotency-Key")
	t, err := s.issue(r, in, false)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/tickets/"+t.ID)
	if t.Replayed() {
		return s.writeJSON(w, http.StatusOK, t) // the ticket the first request took
	}
	return s.writeJSON(w, http.StatusCreated, t)
}

// issue hands out a ticket to whoever asks: staff, a registered kiosk, or anonymous; page says
// the request came from the hall's or the kiosk's own ticket screens (queue.Requester.KioskPage).
func (s *Server) issue(r *http.Request, in queue.IssueInput, page bool) (queue.Ticket, error) {
	sess, ok := session(r)
	isStaff := ok && allowed(ticketIssuers, sess.User.Role)
	return s.Queue.Issue(r.Context(), queue.Requester{Actor: actor(r), Staff: isStaff, DeviceKey: deviceKey(r), Addr: clientAddr(r), KioskPage: page}, in)
}

func (s *Server) apiTicket(w http.ResponseWriter, r *http.Request) error {
	t, err := s.Queue.Get(r.Context(), r.PathValue("id"), "")
	if err != nil {
		return err
	}
	// Public: a ticket's id is on the hall board, so whoever reads it gets no personal data.
	t.Phone, t.IDNumber = "", ""
	return s.writeJSON(w, 200, t)
}

func (s *Server) apiBook(w http.ResponseWriter, r *http.Request) error {
	var in queue.BookInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	in.Addr = clientAddr(r)
	a, err := s.Queue.Book(r.Context(), actor(r), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/appointments/"+a.ID)
	return s.writeJSON(w, http.StatusCreated, a)
}

func (s *Server) apiAppointment(w http.ResponseWriter, r *http.Request) error {
	a, err := s.Queue.Appointment(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.writeJSON(w, 200, a)
}

func (s *Server) apiCancelAppointment(w http.ResponseWriter, r *http.Request) error {
	a, err := s.Queue.Cancel(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.writeJSON(w, 200, a)
}

func (s *Server) apiCheckIn(w http.ResponseWriter, r *http.Request) error {
	t, err := s.Queue.CheckIn(r.Context(), actor(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/tickets/"+t.ID)
	return s.writeJSON(w, http.StatusCreated, t)
}

// statsQuery reads hall, from, to, by and per (default: the first hall, this month so far).
func (s *Server) statsQuery(r *http.Request) (queue.StatsQuery, error) {
	q := r.URL.Query()
	today := calendar.DateOf(s.Now(), s.loc())
	sq := queue.StatsQuery{Hall: q.Get("hall"), By: q.Get("by"), Per: q.Get("per"), To: today, From: today - calendar.Date(today.Time(s.loc()).Day()-1)}
	if sq.Hall == "" {
		hs, err := s.Queue.Halls(r.Context())
		if err != nil {
			return sq, err
		}
		if len(hs) > 0 {
			sq.Hall = hs[0].ID
		}
	}
	for _, f := range []struct {
		name string
		dst  *calendar.Date
	}{{"from", &sq.From}, {"to", &sq.To}} {
		if v := q.Get(f.name); v != "" {
			d, err := calendar.ParseDate(v)
			if err != nil {
				return sq, errs.Invalid(f.name, "日期须为 YYYY-MM-DD")
			}
			*f.dst = d
		}
	}
	return sq, nil
}

func (s *Server) apiQueueStats(w http.ResponseWriter, r *http.Request) error {
	sq, err := s.statsQuery(r)
	if err != nil {
		return err
	}
	rows, err := s.Queue.Stats(r.Context(), sq)
	if err != nil {
		return err
	}
	if strings.HasSuffix(r.URL.Query().Get("format"), "xlsx") {
		return s.writeStatsExcel(w, r, sq, rows)
	}
	return s.writeJSON(w, 200, map[string]any{"hall": sq.Hall, "from": sq.From, "to": sq.To, "by": sq.By, "per": sq.Per, "rows": rows})
}

func (s *Server) writeStatsExcel(w http.ResponseWriter, r *http.Request, sq queue.StatsQuery, rows []queue.StatRow) error {
	by := sq.By
	if by == "" {
		by = "service"
	}
	b, err := queue.StatsExcel(rows, by)
	if err != nil {
		return err
	}
	if err := s.audited(r, "queue.stats_export", "hall", sq.Hall); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="queue-stats-%s-%s.xlsx"`, sq.From, sq.To))
	_, err = w.Write(b)
	return err
}

func (s *Server) apiRate(w http.ResponseWriter, r *http.Request) error {
	var in ratings.Input
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	rater := ratings.Rater{Actor: actor(r)}
	if _, ok := session(r); ok {
		rater.Staff = true
	} else if r.Header.Get("Authorization") != "" {
		if cs, err := s.authenticateCitizen(r, API); err == nil {
			rater.Actor, rater.Applicant = citizenActor(cs), cs.Principal().IDNumber
		}
	}
	rt, err := s.Ratings.Rate(r.Context(), rater, in)
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusCreated, rt)
}

// jsonString is v as a JavaScript literal for a page's inline script.
func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
