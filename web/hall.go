package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	qrcode "github.com/skip2/go-qrcode"

	"banhao/calendar"
	"banhao/errs"
	"banhao/queue"
	"banhao/ratings"
)

// The hall's pages: the hall index, the hall's display (board), taking a ticket (kiosk and
// phone), the ticket page on a phone, appointments, the counter desk, the counter's screen and
// rating pad, the manager's settings and statistics. The display, the counter's screen and the
// rating pad are screens in the hall (displayPages): their own full-screen frame, no navigation.
func (s *Server) registerHallPages() {
	s.handle("GET", "/hall", Page, public, s.pageHalls)
	s.handle("GET", "/hall/{id}/display", Page, public, s.pageDisplay)
	s.handle("GET", "/hall/{id}/board", Page, public, s.pageDisplay) // the display's first address, kept for screens set up with it
	s.handle("GET", "/hall/{id}/take", Page, public, s.pageTake)
	s.handle("POST", "/hall/{id}/take", Page, public, s.pageTakePost)
	s.handle("GET", "/hall/{id}/qr.png", Page, public, s.pageHallQR)
	s.handle("GET", "/tickets/{id}", Page, public, s.pageTicket)
	s.handle("GET", "/appointments/new", Page, public, s.pageBook)
	s.handle("POST", "/appointments", Page, public, s.pageBookPost)
	s.handle("GET", "/appointments/{id}", Page, public, s.pageAppointment)
	s.handle("POST", "/appointments/{id}/{action}", Page, public, s.pageAppointmentPost)
	s.handle("GET", "/counter", Page, counterStaff, s.pageCounters)
	s.handle("GET", "/counter/{id}", Page, counterStaff, s.pageDesk)
	s.handle("POST", "/counter/{id}/{action}", Page, counterStaff, s.pageDeskPost)
	s.handle("GET", "/counter/{id}/screen", Page, public, s.pageCounterScreen)
	s.handle("GET", "/counter/{id}/rate", Page, public, s.pageRatingPad)
	s.handle("GET", "/api/v1/counters/{id}/screen", API, public, s.apiCounterScreen)
	s.handle("GET", "/api/v1/counters/{id}/pad", API, public, s.apiRatingPad)
	s.handle("GET", "/hall/manage", Page, hallManagers, s.pageHallManage)
	s.handle("POST", "/hall/manage", Page, hallManagers, s.pageHallManagePost)
	s.handle("GET", "/hall/stats", Page, hallReaders, s.pageHallStats)
}

func (s *Server) pageHalls(w http.ResponseWriter, r *http.Request) error {
	hs, err := s.Queue.Halls(r.Context())
	if err != nil {
		return err
	}
	return s.render(w, r, "hall/index", "服务大厅", map[string]any{"Halls": hs})
}

// displayPages are the screens in the hall: rendered in the display frame
// (templates/display/layout.html with static/display.css and display.js).
var displayPages = map[string]bool{"hall/display": true, "hall/screen": true, "hall/rate": true}

// pageDisplay is the hall's board on a TV (1920 × 1080 or 1080 × 1920): the call now, the calls
// before it, each line's waiting count and estimate, the time; display.js follows the hall's
// events, speaks the calls and reads the whole state again whenever its stream reconnects.
func (s *Server) pageDisplay(w http.ResponseWriter, r *http.Request) error {
	b, err := s.Queue.Board(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	cur, recent := displayCalls(b.Calls)
	data := map[string]any{"Board": b, "Recent": recent, "JSON": jsonString(b)}
	if cur != nil {
		data["Current"], data["Green"] = cur, cur.Priority == string(queue.Green)
	}
	return s.render(w, r, "hall/display", b.Hall.Name+" 叫号", data)
}

// displayShows is how many calls the display lists besides the call now.
const displayShows = 5

// displayCalls splits the latest calls (newest first) as the display shows them: the call now is
// the latest one while its ticket is still at the counter (none: the display is idle), then the
// calls before it. display.js applies the same rule to the calls it receives.
func displayCalls(calls []queue.BoardCall) (*queue.BoardCall, []queue.BoardCall) {
	var cur *queue.BoardCall
	if len(calls) > 0 && calls[0].AtCounter() {
		cur, calls = &calls[0], calls[1:]
	}
	return cur, calls[:min(len(calls), displayShows)]
}

func (s *Server) pageTake(w http.ResponseWriter, r *http.Request) error {
	return s.renderTake(w, r, http.StatusOK, newForm(nil, nil, nil))
}

// takeFields are the fields of the take-a-ticket form.
var takeFields = formFields{"phone": {"phone", "手机号"}, "id_number": {"id_number", "身份证号"}, "priority": {"priority", "绿色通道"},
	"service": {"services", "办理的业务"}, "source": {"", "取号方式"}}

// renderTake is the take-a-ticket form, as typed after a refused one. 绿色通道 is offered only
// where it can be given (queue.greenAllowed): by staff, and on the hall's registered kiosk
// (its card reader vouches for the ID number, 60 or older); elsewhere the page says where to get
// one rather than offering a box that can only be refused.
func (s *Server) renderTake(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	b, berr := s.Queue.Board(r.Context(), r.PathValue("id"))
	if berr != nil {
		return berr
	}
	sess, ok := session(r)
	staff := ok && allowed(ticketIssuers, sess.User.Role)
	kiosk := false
	if k := deviceKey(r); k != "" && !staff {
		d, err := s.Queue.DeviceByKey(r.Context(), k)
		kiosk = err == nil && d.Kind == queue.KioskDevice && d.Hall == b.Hall.ID
	}
	data := map[string]any{"Board": b, "Form": f, "Staff": staff, "Kiosk": kiosk, "Phone": r.URL.Query().Get("via") == "phone"}
	return s.renderStatus(w, r, status, "hall/take", "取号", data)
}

func (s *Server) pageTakePost(w http.ResponseWriter, r *http.Request) error {
	in := queue.IssueInput{Service: r.PostFormValue("service"), Phone: strings.TrimSpace(r.PostFormValue("phone")),
		IDNumber: strings.ToUpper(strings.TrimSpace(r.PostFormValue("id_number"))), Priority: r.PostFormValue("priority"), Source: r.PostFormValue("source")}
	t, err := s.issue(r, in, true)
	if err != nil {
		if _, st := s.errorStatus(w, r, err); st < 500 {
			return s.renderTake(w, r, st, newForm(r.PostForm, takeFields, err))
		}
		return err
	}
	http.Redirect(w, r, "/tickets/"+t.ID, http.StatusSeeOther)
	return nil
}

// pageHallQR is the code posted in the hall: scanning it opens the phone ticket page.
func (s *Server) pageHallQR(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.Queue.HallByID(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	png, err := qrcode.Encode(s.baseURL(r)+"/hall/"+url.PathEscape(r.PathValue("id"))+"/take?via=phone", qrcode.Medium, 320)
	if err != nil { // no code can hold the address: logged, and no image rather than a failure
		s.Logger.Warn("QR code left out", "err", err)
		return errs.NotFound("二维码", "")
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, err = w.Write(png)
	return err
}

func (s *Server) pageTicket(w http.ResponseWriter, r *http.Request) error {
	t, err := s.Queue.Get(r.Context(), r.PathValue("id"), "")
	if err != nil {
		return err
	}
	return s.render(w, r, "hall/ticket", "我的排队号 "+t.Number, map[string]any{"T": t, "JSON": jsonString(t)})
}

func (s *Server) pageBook(w http.ResponseWriter, r *http.Request) error {
	return s.renderBook(w, r, http.StatusOK, queue.BookInput{Service: r.URL.Query().Get("service"), Date: r.URL.Query().Get("date")}, nil)
}

// bookFields are the fields of the booking forms (choosing the day, then the slot and who).
var bookFields = formFields{"service": {"service", "业务"}, "date": {"date", "日期"}, "slot": {"slots", "选择时段"},
	"name": {"name", "姓名"}, "phone": {"book-phone", "手机号"}, "id_number": {"book-id_number", "身份证号"}}

func (s *Server) renderBook(w http.ResponseWriter, r *http.Request, status int, in queue.BookInput, err error) error {
	svcs, serr := s.Queue.Services(r.Context(), "")
	if serr != nil {
		return serr
	}
	var bookable []queue.QueueService
	for _, q := range svcs {
		if q.SlotCapacity > 0 {
			bookable = append(bookable, q)
		}
	}
	today := calendar.DateOf(s.Now(), s.loc())
	if in.Date == "" {
		in.Date = today.String()
	}
	data := map[string]any{"Services": bookable, "In": in, "Today": today.String()}
	if in.Service != "" {
		slots, slotErr := s.Queue.Slots(r.Context(), in.Service, in.Date)
		if slotErr != nil && err == nil {
			err = slotErr
		}
		data["Slots"] = slots
	}
	v := url.Values{}
	if r.Method == http.MethodPost {
		v = r.PostForm
	}
	data["Form"] = newForm(v, bookFields, nil)
	if err != nil {
		_, st := s.errorStatus(w, r, err)
		if st >= 500 {
			return err
		}
		data["Form"] = newForm(v, bookFields, err)
		if status == http.StatusOK && r.Method == http.MethodPost {
			status = st
		}
	}
	return s.renderStatus(w, r, status, "hall/book", "预约办事", data)
}

func (s *Server) pageBookPost(w http.ResponseWriter, r *http.Request) error {
	in := queue.BookInput{Service: r.PostFormValue("service"), Date: r.PostFormValue("date"), Slot: r.PostFormValue("slot"),
		Name: r.PostFormValue("name"), Phone: strings.TrimSpace(r.PostFormValue("phone")), IDNumber: strings.ToUpper(strings.TrimSpace(r.PostFormValue("id_number"))), Addr: clientAddr(r)}
	a, err := s.Queue.Book(r.Context(), actor(r), in)
	if err != nil {
		if _, st := s.errorStatus(w, r, err); st < 500 {
			return s.renderBook(w, r, st, in, err)
		}
		return err
	}
	http.Redirect(w, r, "/appointments/"+a.ID, http.StatusSeeOther)
	return nil
}

func (s *Server) pageAppointment(w http.ResponseWriter, r *http.Request) error {
	a, err := s.Queue.Appointment(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.render(w, r, "hall/appointment", "我的预约", map[string]any{"A": a, "Msg": apptFlashes.text(r)})
}

func (s *Server) pageAppointmentPost(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	switch r.PathValue("action") {
	case "cancel":
		if _, err := s.Queue.Cancel(r.Context(), actor(r), id); err != nil {
			return err
		}
		http.Redirect(w, r, done("/appointments/"+url.PathEscape(id), "cancelled", -1), http.StatusSeeOther)
	case "checkin":
		t, err := s.Queue.CheckIn(r.Context(), actor(r), id)
		if err != nil {
			return err
		}
		http.Redirect(w, r, "/tickets/"+t.ID, http.StatusSeeOther)
	default:
		return errs.NotFound("操作", r.PathValue("action"))
	}
	return nil
}

func (s *Server) pageCounters(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.Queue.Counters(r.Context(), "")
	if err != nil {
		return err
	}
	svcs, err := s.Queue.Services(r.Context(), "")
	if err != nil {
		return err
	}
	lines := map[string]string{} // queue line code → what the page shows: A · 综合受理
	for _, q := range svcs {
		lines[q.Code] = q.Prefix + " · " + q.Name
	}
	halls, err := s.Queue.Halls(r.Context())
	if err != nil {
		return err
	}
	hallNames, hallCenter := map[string]string{}, map[string]string{}
	for _, h := range halls {
		hallNames[h.ID], hallCenter[h.ID] = h.Name, h.Center
	}
	// The counters of the halls of the clerk's own center come first: a township's clerk does not
	// look for their window below the city hall's.
	sess, _ := session(r)
	cs = slices.Clone(cs)
	slices.SortStableFunc(cs, func(a, b queue.Counter) int {
		own := func(c queue.Counter) int {
			if hallCenter[c.Hall] == sess.User.Center {
				return 0
			}
			return 1
		}
		return own(a) - own(b)
	})
	return s.render(w, r, "hall/counters", "窗口叫号", map[string]any{"Counters": cs, "Lines": lines, "HallNames": hallNames})
}

func (s *Server) pageDesk(w http.ResponseWriter, r *http.Request) error {
	d, err := s.Queue.Desk(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	svcs, err := s.Queue.Services(r.Context(), d.Counter.Hall)
	if err != nil {
		return err
	}
	return s.render(w, r, "hall/desk", d.Counter.Name, map[string]any{"D": d, "Services": svcs, "Msg": deskMessage(r)})
}

// deskMessage is what the desk's last action did: its code's text, after the ticket's number
// when the query names one of that form.
func deskMessage(r *http.Request) string {
	msg := deskFlashes.text(r)
	if n := r.URL.Query().Get("ticket"); msg != "" && ticketNumber.MatchString(n) {
		msg = n + " " + msg
	}
	return msg
}

func (s *Server) pageDeskPost(w http.ResponseWriter, r *http.Request) error {
	id, action := r.PathValue("id"), r.PathValue("action")
	to := done("/counter/"+url.PathEscape(id), action, -1)
	switch action {
	case "open", "close":
		if err := s.Queue.SetCounterOpen(r.Context(), actor(r), id, action == "open"); err != nil {
			return err
		}
	default:
		t, ok, err := s.Queue.Act(r.Context(), actor(r), id, queue.Action(action), queue.ActInput{Service: r.PostFormValue("service"), Ticket: r.PostFormValue("ticket")})
		if err != nil {
			return err
		}
		switch {
		case !ok:
			to = done("/counter/"+url.PathEscape(id), "none", -1)
		case t.Status == queue.NoShow:
			to = done("/counter/"+url.PathEscape(id), "no_show", -1) + "&ticket=" + url.QueryEscape(t.Number)
		default:
			to += "&ticket=" + url.QueryEscape(t.Number)
		}
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// pageCounterScreen is the screen above a counter: its name and the number called to it.
func (s *Server) pageCounterScreen(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.Queue.Screen(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.render(w, r, "hall/screen", sc.Name, map[string]any{"S": sc})
}

// apiCounterScreen is the counter screen's state, read again when its event stream reconnects.
func (s *Server) apiCounterScreen(w http.ResponseWriter, r *http.Request) error {
	sc, err := s.Queue.Screen(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.writeJSON(w, http.StatusOK, sc)
}

// padState is what a counter's rating pad may show: whether this device is the counter's
// registered pad and, only then, a fresh one-time grant to rate the visit the counter last
// finished (none when it is rated, too old or followed by another). The pad reads it when it
// opens, whenever its event stream reconnects and when the counter finishes a visit.
func (s *Server) padState(r *http.Request) (queue.Counter, bool, *ratings.Grant, error) {
	c, err := s.Queue.CounterByID(r.Context(), r.PathValue("id"))
	if err != nil {
		return c, false, nil, err
	}
	isPad, err := s.Queue.IsPad(r.Context(), deviceKey(r), c.ID)
	if err != nil || !isPad {
		return c, false, nil, err
	}
	g, found, err := s.Ratings.PadGrant(r.Context(), c.ID)
	if err != nil || !found {
		return c, true, nil, err
	}
	return c, true, &g, nil
}

// grantSeconds is how long a grant has left, by the server's clock (a pad's own clock may be off).
func (s *Server) grantSeconds(g *ratings.Grant) int {
	return max(0, int(g.ExpiresAt.Sub(s.Now()).Seconds()))
}

func (s *Server) pageRatingPad(w http.ResponseWriter, r *http.Request) error {
	c, isPad, g, err := s.padState(r)
	if err != nil {
		return err
	}
	data := map[string]any{"C": c, "Pad": isPad}
	if g != nil {
		data["Grant"], data["ExpiresIn"] = g, s.grantSeconds(g)
	}
	return s.render(w, r, "hall/rate", c.Name+" 服务评价", data)
}

// apiRatingPad is the rating pad's state for its own device (X-Device-Key or its cookie):
// {"counter", "name", "grant": {"ticket", "number", "token", "expires_at"} or null, "expires_in"}.
func (s *Server) apiRatingPad(w http.ResponseWriter, r *http.Request) error {
	c, isPad, g, err := s.padState(r)
	if err != nil {
		return err
	}
	if !isPad {
		return errs.Forbidden("本设备未登记为该窗口的评价器，请大厅管理员在“大厅管理”中登记本设备")
	}
	out := map[string]any{"counter": c.ID, "name": c.Name, "grant": g, "expires_in": 0}
	if g != nil {
		out["expires_in"] = s.grantSeconds(g)
	}
	w.Header().Set("Cache-Control", "no-store")
	return s.writeJSON(w, http.StatusOK, out)
}

// The hall manager's page holds many forms: one per hall, line and counter, one to add each,
// and one to register this browser as a device. Each form's inputs carry ids prefixed by the
// form (hall-main-name, svc-new-prefix…), so that a failed post shows that form again as typed,
// with its errors next to its fields and a summary at the top of the page.

// manageLabels name the fields of the manage page's forms, by form kind.
var manageLabels = map[string]map[string]string{
	"hall": {"id": "编号（字母数字）", "name": "名称", "remind_ahead": "前面剩几人时提醒", "recalls_before_no_show": "重呼几次后过号",
		"checkin_before_minutes": "签到提前（分钟）", "checkin_after_minutes": "签到延后（分钟）", "booking_days": "可预约天数"},
	"service": {"code": "编号", "name": "名称", "prefix": "号码前缀", "range_from": "起号", "range_to": "止号", "opens": "取号开始",
		"closes": "取号结束", "daily_limit": "每日限额", "service_minutes": "平均办理（分钟）", "slot_minutes": "预约时段（分钟）",
		"slot_capacity": "每时段预约容量（0 不开放）", "appointment_from": "预约开始", "appointment_to": "预约结束", "sections": "对应版块"},
	"counter": {"id": "窗口编号", "name": "名称", "rule": "叫号规则", "profile": "办理业务"},
	"device":  {"kind": "类型", "counter": "所属窗口（评价器）", "name": "设备名称"},
}

// manageForm is one form of the manage page: P prefixes its inputs' ids, F holds its values and
// errors.
type manageForm struct {
	P string
	F *form
}

// fields is the formFields of a form of kind what whose ids start with p.
func manageFields(what, p string) formFields {
	ff := formFields{}
	for k, label := range manageLabels[what] {
		ff[k] = formField{ID: p + k, Label: label}
	}
	// A line of a counter's profile, the hall a form belongs to: the field they were typed in.
	if what == "counter" {
		ff["hall"] = formField{ID: p + "name", Label: "窗口"}
	}
	if what == "service" {
		ff["hall"] = formField{ID: p + "name", Label: "排队业务"}
	}
	return ff
}

// formID is the id prefix of a form: its kind and the thing it edits ("new" for a new one).
func formID(what, key string) string {
	if key == "" {
		key = "new"
	}
	return strings.NewReplacer(" ", "_", "#", "_", "\"", "_").Replace(what + "-" + key + "-")
}

type ruleOption struct{ Value, Name string }

// ruleOptions are the call strategies in the order the form offers them.
var ruleOptions = []ruleOption{{string(queue.LongestWait), queue.RuleNames[queue.LongestWait]},
	{string(queue.InOrder), queue.RuleNames[queue.InOrder]}, {string(queue.Weighted), queue.RuleNames[queue.Weighted]}}

func hallValues(h queue.Hall) url.Values {
	return url.Values{"id": {h.ID}, "name": {h.Name}, "center": {h.Center}, "remind_ahead": {strconv.Itoa(h.RemindAhead)},
		"recalls_before_no_show": {strconv.Itoa(h.RecallsBeforeNoShow)}, "checkin_before_minutes": {strconv.Itoa(h.CheckInBefore)},
		"checkin_after_minutes": {strconv.Itoa(h.CheckInAfter)}, "booking_days": {strconv.Itoa(h.BookingDays)}}
}

func serviceValues(q queue.QueueService) url.Values {
	return url.Values{"code": {q.Code}, "hall": {q.Hall}, "name": {q.Name}, "prefix": {q.Prefix}, "range_from": {strconv.Itoa(q.RangeFrom)},
		"range_to": {strconv.Itoa(q.RangeTo)}, "opens": {q.Opens}, "closes": {q.Closes}, "daily_limit": {strconv.Itoa(q.DailyLimit)},
		"service_minutes": {strconv.Itoa(q.ServiceMinutes)}, "slot_minutes": {strconv.Itoa(q.SlotMinutes)},
		"slot_capacity": {strconv.Itoa(q.SlotCapacity)}, "appointment_from": {q.ApptFrom}, "appointment_to": {q.ApptTo}, "sections": q.Sections}
}

// profileText is a counter's profile as the form shows it: each line by its number prefix and
// weight ("A:3,B:1"), in priority order; a line the hall no longer has by its code.
func profileText(profile []queue.ProfileEntry, svcs []queue.QueueService) string {
	parts := make([]string, len(profile))
	for j, p := range profile {
		name := p.Service
		for _, q := range svcs {
			if q.Code == p.Service {
				name = q.Prefix
			}
		}
		parts[j] = name + ":" + strconv.Itoa(p.Weight)
	}
	return strings.Join(parts, ",")
}

func (s *Server) pageHallManage(w http.ResponseWriter, r *http.Request) error {
	return s.hallManagePage(w, r, http.StatusOK, "", nil)
}

// hallManagePage renders the manage page; after a failed post, failed is the id prefix of the
// form at fault and f what was typed into it, with its errors.
func (s *Server) hallManagePage(w http.ResponseWriter, r *http.Request, status int, failed string, f *form) error {
	hs, err := s.Queue.Halls(r.Context())
	if err != nil {
		return err
	}
	svcs, err := s.Queue.Services(r.Context(), "")
	if err != nil {
		return err
	}
	cs, err := s.Queue.Counters(r.Context(), "")
	if err != nil {
		return err
	}
	secs, err := s.Catalog.Sections(r.Context())
	if err != nil {
		return err
	}
	devices, err := s.Queue.Devices(r.Context())
	if err != nil {
		return err
	}
	pick := func(p string, stored url.Values) manageForm {
		if p == failed && f != nil {
			return manageForm{P: p, F: f}
		}
		return manageForm{P: p, F: newForm(stored, nil, nil)}
	}
	type hallForm struct {
		queue.Hall
		M manageForm
	}
	type serviceForm struct {
		queue.QueueService
		M manageForm
	}
	type counterForm struct {
		queue.Counter
		M manageForm
	}
	first := ""
	if len(hs) > 0 {
		first = hs[0].ID
	}
	hallNames := map[string]string{}
	for _, h := range hs {
		hallNames[h.ID] = h.Name
	}
	halls := make([]hallForm, len(hs))
	for i, h := range hs {
		halls[i] = hallForm{h, pick(formID("hall", h.ID), hallValues(h))}
	}
	lines := make([]serviceForm, len(svcs))
	for i, q := range svcs {
		lines[i] = serviceForm{q, pick(formID("service", q.Code), serviceValues(q))}
	}
	counters := make([]counterForm, len(cs))
	for i, c := range cs {
		counters[i] = counterForm{c, pick(formID("counter", c.ID), url.Values{"id": {c.ID}, "hall": {c.Hall}, "name": {c.Name},
			"rule": {string(c.Rule)}, "profile": {profileText(c.Profile, svcs)}})}
	}
	summary := f
	if summary == nil {
		summary = newForm(nil, nil, nil)
	}
	// With several halls on the page, the summary says which hall's form the errors are in.
	for _, h := range hs {
		if f != nil && len(hs) > 1 && failed == formID("hall", h.ID) {
			named := *f
			named.Errors = slices.Clone(f.Errors)
			for i := range named.Errors {
				named.Errors[i].Label = strings.TrimSuffix(h.Name+" · "+named.Errors[i].Label, " · ")
			}
			summary = &named
		}
	}
	return s.renderStatus(w, r, status, "hall/manage", "大厅管理", map[string]any{"Halls": halls, "Services": lines, "Counters": counters,
		"NewHall": pick(formID("hall", ""), url.Values{"remind_ahead": {"3"}, "recalls_before_no_show": {"2"},
			"checkin_before_minutes": {"30"}, "checkin_after_minutes": {"15"}, "booking_days": {"7"}}),
		"NewService": pick(formID("service", ""), url.Values{"hall": {first}, "range_from": {"1"}, "range_to": {"999"}, "opens": {"08:30"},
			"closes": {"17:00"}, "daily_limit": {"300"}, "service_minutes": {"10"}, "slot_minutes": {"30"}, "slot_capacity": {"0"},
			"appointment_from": {"09:00"}, "appointment_to": {"17:00"}}),
		"NewCounter": pick(formID("counter", ""), url.Values{"hall": {first}, "rule": {string(queue.LongestWait)}}),
		"Device":     pick(formID("device", ""), url.Values{"hall": {first}, "kind": {queue.KioskDevice}}),
		"Failed":     summary, "FailedOpen": failed,
		"Rules": ruleOptions, "Sections": secs, "Msg": manageFlashes.text(r), "FirstHall": first, "Devices": devices, "HallNames": hallNames})
}

func formInt(r *http.Request, field string, v *errs.Validation) int {
	s := strings.TrimSpace(r.PostFormValue(field))
	if s == "" { // an emptied field: nothing to call a bad number
		v.Add(field, "必填，请填写整数")
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		v.Add(field, "须为整数")
	}
	return n
}

// alsoInvalid is v's errors (numbers that are no numbers) with those the rules find in the rest
// of the form, so that one post names every field at fault, in the order of the form's fields
// (order; others after them); nil when both are fine.
func alsoInvalid(v *errs.Validation, rules error, order ...string) error {
	if v.Err() == nil {
		return rules
	}
	fields := v.Fields()
	if e, ok := errs.As(rules); ok && e.Code == errs.CodeInvalid {
		bad := map[string]bool{}
		for _, fe := range fields {
			bad[fe.Field] = true
		}
		for _, fe := range e.Fields {
			if !bad[fe.Field] {
				fields = append(fields, fe)
			}
		}
	}
	pos := func(field string) int {
		if i := slices.Index(order, field); i >= 0 {
			return i
		}
		return len(order)
	}
	fields = slices.Clone(fields)
	slices.SortStableFunc(fields, func(a, b errs.FieldError) int { return pos(a.Field) - pos(b.Field) })
	var out errs.Validation
	for _, fe := range fields {
		out.Add(fe.Field, fe.Message)
	}
	return out.Err()
}

// hallFieldOrder and serviceFieldOrder are the fields of the hall and queue-line forms of
// /hall/manage, in the order the forms show them.
var (
	hallFieldOrder    = []string{"id", "name", "remind_ahead", "recalls_before_no_show", "checkin_before_minutes", "checkin_after_minutes", "booking_days", "center"}
	serviceFieldOrder = []string{"code", "name", "prefix", "range_from", "range_to", "opens", "closes", "daily_limit", "service_minutes",
		"slot_minutes", "slot_capacity", "appointment_from", "appointment_to", "sections"}
)

func (s *Server) pageHallManagePost(w http.ResponseWriter, r *http.Request) error {
	var v errs.Validation
	var err error
	what := r.PostFormValue("what")
	key := "" // the thing the form edits; "" for a new one
	switch what {
	case "hall":
		h := queue.Hall{ID: strings.TrimSpace(r.PostFormValue("id")), Name: r.PostFormValue("name"), Center: r.PostFormValue("center"),
			RemindAhead: formInt(r, "remind_ahead", &v), RecallsBeforeNoShow: formInt(r, "recalls_before_no_show", &v),
			CheckInBefore: formInt(r, "checkin_before_minutes", &v), CheckInAfter: formInt(r, "checkin_after_minutes", &v),
			BookingDays: formInt(r, "booking_days", &v)}
		if r.PostFormValue("existing") != "" {
			key = h.ID
		}
		if err = alsoInvalid(&v, queue.ValidateHall(h), hallFieldOrder...); err == nil {
			err = s.Queue.SaveHall(r.Context(), actor(r), h)
		}
	case "service":
		q := queue.QueueService{Code: strings.TrimSpace(r.PostFormValue("code")), Hall: r.PostFormValue("hall"), Name: r.PostFormValue("name"),
			Prefix: strings.ToUpper(strings.TrimSpace(r.PostFormValue("prefix"))), RangeFrom: formInt(r, "range_from", &v), RangeTo: formInt(r, "range_to", &v),
			Opens: strings.TrimSpace(r.PostFormValue("opens")), Closes: strings.TrimSpace(r.PostFormValue("closes")), DailyLimit: formInt(r, "daily_limit", &v),
			ServiceMinutes: formInt(r, "service_minutes", &v), SlotMinutes: formInt(r, "slot_minutes", &v), SlotCapacity: formInt(r, "slot_capacity", &v),
			ApptFrom: strings.TrimSpace(r.PostFormValue("appointment_from")), ApptTo: strings.TrimSpace(r.PostFormValue("appointment_to"))}
		for _, sec := range r.PostForm["sections"] {
			for _, code := range strings.Split(sec, ",") {
				if code = strings.TrimSpace(code); code != "" {
					q.Sections = append(q.Sections, code)
				}
			}
		}
		if r.PostFormValue("existing") != "" {
			key = q.Code
		}
		if err = alsoInvalid(&v, queue.ValidateService(q), serviceFieldOrder...); err == nil {
			err = s.Queue.SaveService(r.Context(), actor(r), q)
		}
	case "counter":
		c := queue.Counter{ID: strings.TrimSpace(r.PostFormValue("id")), Hall: r.PostFormValue("hall"), Name: r.PostFormValue("name"),
			Rule: queue.Rule(r.PostFormValue("rule")), Open: true}
		if r.PostFormValue("existing") != "" {
			key = c.ID
		}
		var svcs []queue.QueueService
		if svcs, err = s.Queue.Services(r.Context(), c.Hall); err == nil {
			c.Profile, err = parseProfile(r.PostFormValue("profile"), svcs)
		}
		if err == nil {
			err = s.Queue.SaveCounter(r.Context(), actor(r), c)
		}
	case "device":
		// This browser becomes the kiosk or pad: its key goes into its cookie and nowhere else.
		var d queue.Device
		d, err = s.Queue.EnrollDevice(r.Context(), actor(r), queue.Device{Hall: r.PostFormValue("hall"), Kind: r.PostFormValue("kind"),
			Counter: r.PostFormValue("counter"), Name: r.PostFormValue("name")})
		if err == nil {
			s.setDeviceCookie(w, r, d.Key)
		}
	case "revoke_device":
		err = s.Queue.RevokeDevice(r.Context(), actor(r), r.PostFormValue("id"))
	default:
		return errs.Invalid("what", "未知的设置")
	}
	if err != nil {
		if _, st := s.errorStatus(w, r, err); st < 500 && what != "revoke_device" {
			p := formID(what, key)
			return s.hallManagePage(w, r, st, p, newForm(r.PostForm, manageFields(what, p), err))
		}
		return err
	}
	http.Redirect(w, r, done("/hall/manage", what, -1), http.StatusSeeOther)
	return nil
}

// parseProfile reads "A:3,B:1": the hall's lines in priority order, each by its number prefix
// (or its code) and a weight.
func parseProfile(s string, svcs []queue.QueueService) ([]queue.ProfileEntry, error) {
	var out []queue.ProfileEntry
	for i, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' }) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		code, w, found := strings.Cut(strings.ReplaceAll(part, "：", ":"), ":")
		code = strings.TrimSpace(code)
		p := queue.ProfileEntry{Service: code, Weight: 1}
		known := false
		for _, q := range svcs {
			if strings.EqualFold(q.Prefix, code) || q.Code == code {
				p.Service, known = q.Code, true
			}
		}
		if !known {
			return nil, errs.Invalid("profile", fmt.Sprintf("第 %d 项“%s”不是本大厅的排队业务（请填号码前缀，如 A）", i+1, code))
		}
		if found {
			n, err := strconv.Atoi(strings.TrimSpace(w))
			if err != nil {
				return nil, errs.Invalid("profile", fmt.Sprintf("第 %d 项的权重须为整数（格式：号码前缀:权重，逗号分隔，如 A:3,B:1）", i+1))
			}
			p.Weight = n
		}
		out = append(out, p)
	}
	return out, nil
}

func (s *Server) pageHallStats(w http.ResponseWriter, r *http.Request) error {
	sq, err := s.statsQuery(r)
	if err != nil {
		return err
	}
	rows, err := s.Queue.Stats(r.Context(), sq)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("format") == "xlsx" {
		return s.writeStatsExcel(w, r, sq, rows)
	}
	if sq.By == "" {
		sq.By = "service"
	}
	if sq.Per == "" {
		sq.Per = "day"
	}
	q := r.URL.Query()
	q.Set("format", "xlsx")
	q.Set("from", sq.From.String())
	q.Set("to", sq.To.String())
	halls, err := s.Queue.Halls(r.Context())
	if err != nil {
		return err
	}
	return s.render(w, r, "hall/stats", "排队统计", map[string]any{"Q": sq, "Rows": rows, "Excel": "/hall/stats?" + q.Encode(), "Halls": halls})
}
