package queue

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"banhao/audit"
	"banhao/calendar"
	"banhao/errs"
	"banhao/identity"
	"banhao/ids"
	"banhao/notify"
	"banhao/store"
)

// IssueInput asks for a ticket (API.md POST /api/v1/tickets).
type IssueInput struct {
	Service  string `json:"service"`
	Phone    string `json:"phone,omitempty"`
	IDNumber string `json:"id_number,omitempty"`
	Priority string `json:"priority,omitempty"`
	// Source is where the ticket was taken: kiosk (default), phone or window; a citizen's is set
	// by Issue from who asked (a registered kiosk, an applicant there or the kiosk's own pages:
	// kiosk; else phone).
	Source string `json:"source,omitempty"`
	// Key (the Idempotency-Key header) makes a retried request return the ticket it took.
	Key string `json:"-"`
}

// Ticket is a queue ticket as shown to its holder and to staff.
type Ticket struct {
	ID                   string   `json:"id"`
	Number               string   `json:"number"`
	Service              string   `json:"service"`
	ServiceName          string   `json:"service_name"`
	Hall                 string   `json:"hall"`
	Status               Status   `json:"status"`
	StatusName           string   `json:"status_name"`
	Priority             Priority `json:"priority"`
	Source               string   `json:"source"`
	Ahead                int      `json:"ahead"`
	EstimatedWaitMinutes int      `json:"estimated_wait_minutes"`
	// EstimatedWaitText is the estimate as people read it (WaitText), while the ticket waits.
	EstimatedWaitText string `json:"estimated_wait_text,omitempty"`
	// AheadText is the place in line as people read it (AheadText), while the ticket waits.
	AheadText       string     `json:"ahead_text,omitempty"`
	Counter         string     `json:"counter"`
	CounterName     string     `json:"counter_name,omitempty"`
	Recalls         int        `json:"recalls"`
	Day             string     `json:"day"`
	ArrivedAt       time.Time  `json:"arrived_at"`
	CalledAt        *time.Time `json:"called_at,omitempty"`
	FinishedAt      *time.Time `json:"finished_at,omitempty"`
	Phone           string     `json:"phone,omitempty"`
	IDNumber        string     `json:"id_number,omitempty"`
	TransferredFrom string     `json:"transferred_from,omitempty"`
	TransferredTo   string     `json:"transferred_to,omitempty"`
	Appointment     string     `json:"appointment,omitempty"`

	replayed bool
	key      string
	rank     int
	orderUS  int64
	seq      int64
	phoneEnc string
	idEnc    string
	staff    string
	serving  *time.Time
	entered  time.Time
}

// Replayed reports whether Issue returned the ticket an earlier request with the same key took.
func (t Ticket) Replayed() bool { return t.replayed }

// Sources of tickets.
var sources = []string{"kiosk", "phone", "window"}

// Requester is who asks for a ticket, as the web layer authenticated them.
type Requester struct {
	Actor audit.Actor
	// Staff is a signed-in clerk or hall manager (the guide desk): not limited, may give 绿色通道.
	Staff bool
	// Applicant is a signed-in applicant's session at the kiosk: the ID number is the account's.
	Applicant bool
	// DeviceKey is what the device presented (X-Device-Key or the device cookie), if anything.
	DeviceKey string
	// Addr is the client address, for the anonymous budget.
	Addr string
	// KioskPage: the request came from the kiosk's own pages (/kiosk, the hall's take screen),
	// which may label an anonymous ticket "kiosk"; the API's body may not.
	KioskPage bool
}

// Issue hands out a ticket. Staff may issue 绿色通道 tickets; a citizen gets one when the ID
// number shows 60 years or more and was read by a registered kiosk's card reader or comes from
// the signed-in account. Anonymous callers and kiosks spend from their ticket budgets.
func (s *Service) Issue(ctx context.Context, req Requester, in IssueInput) (_ Ticket, err error) {
	defer errs.Wrap(&err, "queue.Issue")
	by := req.Actor
	if len(in.Key) > 200 {
		return Ticket{}, errs.Invalid("Idempotency-Key", "最长 200 个字符")
	}
	if in.Key != "" {
		in.Key = keyScope(req) + "/" + in.Key
		if t, found, err := s.byKey(ctx, in.Key, by); found || err != nil {
			return t, err
		}
	}
	now := s.now()
	today := calendar.DateOf(now, s.loc)
	var v errs.Validation
	v.Check(in.Service != "", "service", "请选择排队业务")
	if in.Priority == "" {
		in.Priority = string(Normal)
	}
	if in.Source == "" {
		in.Source = "kiosk"
	}
	v.Check(in.Priority == string(Normal) || in.Priority == string(Green), "priority", "优先级须为普通或绿色通道")
	v.Check(slices.Contains(sources, in.Source), "source", "取号方式须为取号机、手机或窗口")
	v.Check(in.Phone == "" || ids.ValidPhone(in.Phone), "phone", "手机号须为 11 位手机号或带区号的固定电话")
	v.Check(in.IDNumber == "" || ids.ValidIDNumber(in.IDNumber), "id_number", "居民身份证号码无效（18 位，校验码须符合 GB 11643）")
	if err := v.Err(); err != nil {
		return Ticket{}, err
	}
	svc, err := s.ServiceByCode(ctx, in.Service)
	if errs.Is(err, errs.CodeNotFound) {
		svc, err = s.serviceByPrefix(ctx, in.Service)
	}
	if errs.Is(err, errs.CodeNotFound) {
		return Ticket{}, errs.Invalid("service", "排队业务不存在："+in.Service)
	}
	if err != nil {
		return Ticket{}, err
	}
	kiosk := ""
	if req.DeviceKey != "" && !req.Staff {
		d, err := s.DeviceByKey(ctx, req.DeviceKey)
		if err != nil {
			return Ticket{}, err
		}
		if d.Kind == KioskDevice && d.Hall == svc.Hall {
			kiosk = d.ID
		}
	}
	if !req.Staff { // a citizen's ticket says how it was taken: never at a window
		switch {
		case kiosk != "" || req.Applicant:
			in.Source = "kiosk"
		case in.Source != "kiosk" || !req.KioskPage:
			in.Source = "phone" // the phone page or the API, without a registered device
		}
	}
	if err := greenAllowed(Priority(in.Priority), req.Staff, kiosk != "" || req.Applicant, in.IDNumber, today); err != nil {
		return Ticket{}, err
	}
	if err := s.checkHours(svc, now); err != nil {
		return Ticket{}, err
	}
	if err := s.spendBudget(ctx, req, kiosk); err != nil {
		return Ticket{}, err
	}
	t := Ticket{ID: newID(), Service: svc.Code, ServiceName: svc.Name, Hall: svc.Hall, Status: Waiting, Priority: Priority(in.Priority),
		Source: in.Source, Day: today.String(), ArrivedAt: now.UTC(), entered: now.UTC(), orderUS: now.UnixMicro(), key: in.Key}
	t.rank = t.Priority.rank()
	if in.Phone != "" {
		t.phoneEnc = s.pii.Seal(in.Phone)
	}
	if in.IDNumber != "" {
		t.idEnc = s.pii.Seal(in.IDNumber)
	}
	var p pending
	phoneIdx := s.index(in.Phone)
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		if phoneIdx != "" {
			// One place per phone in a line: a script cannot empty the day's numbers with one phone.
			var number string
			err := tx.QueryRowContext(ctx, `SELECT number FROM tickets WHERE phone_idx = ? AND day = ? AND service_code = ?
				AND status IN ('waiting', 'called') LIMIT 1`, phoneIdx, t.Day, svc.Code).Scan(&number)
			if err == nil {
				return &errs.Error{Code: errs.CodeConflict, Message: "该手机号在“" + svc.Name + "”已有排队号 " + number + "，无需重复取号",
					Fields: []errs.FieldError{{Field: "phone", Message: "已有排队号 " + number}}}
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		return s.insertTicket(ctx, tx, by, svc, &t, phoneIdx, s.index(in.IDNumber), &p)
	})
	if store.IsUniqueViolation(err) && in.Key != "" {
		// The same request, sent twice at once: the other one took the ticket.
		if t, found, err := s.byKey(ctx, in.Key, by); found || err != nil {
			return t, err
		}
	}
	if err != nil {
		return Ticket{}, err
	}
	s.Hub.committed(&p)
	return s.present(t, identity.Role(by.Role)), nil
}

// greenAllowed is the 绿色通道 rule: staff give it; a citizen gets it at 60 or older, and only
// when the ID number is trusted (read by a registered kiosk's card reader, or the signed-in
// account's). A number typed on a phone or into the API proves nothing.
func greenAllowed(p Priority, staff, trustedID bool, idNumber string, today calendar.Date) error {
	if p != Green || staff {
		return nil
	}
	if !trustedID {
		return &errs.Error{Code: errs.CodeForbidden, Message: "绿色通道号请到导办台领取，或在大厅自助取号机上刷身份证领取（手机或网上取号不能凭输入的身份证号领取）",
			Fields: []errs.FieldError{{Field: "priority", Message: "须由导办人员发放或在自助取号机上刷身份证"}}}
	}
	if !Elderly(idNumber, today) {
		return &errs.Error{Code: errs.CodeForbidden, Message: "绿色通道号须由导办或窗口人员发放（60 岁以上老人可在自助取号机上刷身份证领取）",
			Fields: []errs.FieldError{{Field: "priority", Message: "无权领取绿色通道号"}}}
	}
	return nil
}

// spendBudget takes a ticket from the caller's budget: a registered kiosk's own, else the
// client address's; staff and signed-in applicants are not limited.
func (s *Service) spendBudget(ctx context.Context, req Requester, kiosk string) error {
	if req.Staff || req.Applicant {
		return nil
	}
	b := identity.Bucket{Key: "ticket:a:" + req.Addr, Burst: AnonymousBudget.Burst, Every: AnonymousBudget.Every}
	if kiosk != "" {
		b = identity.Bucket{Key: "ticket:d:" + kiosk, Burst: KioskBudget.Burst, Every: KioskBudget.Every}
	}
	ok, err := s.limits.Spend(ctx, b)
	if err != nil {
		return err
	}
	if !ok {
		return errs.TooManyRequestsAfter(fmt.Sprintf("取号过于频繁，请 %d 秒后再试，或到导办台取号", int(b.Every/time.Second)), b.Every)
	}
	return nil
}

// keyScope is whose an Idempotency-Key is: the signed-in account's, the registered device's,
// or the client address's — the same key from someone else is another request and never hands
// them the first caller's ticket.
func keyScope(req Requester) string {
	switch {
	case req.Actor.Username != "" && req.Actor.Username != "anonymous":
		return req.Actor.Username
	case req.DeviceKey != "":
		return "d:" + identity.TokenHash(req.DeviceKey)[:16]
	}
	return "a:" + req.Addr
}

// byKey returns the ticket an earlier request with this Idempotency-Key took.
func (s *Service) byKey(ctx context.Context, key string, by audit.Actor) (Ticket, bool, error) {
	var id string
	err := s.db.QueryRowContext(ctx, `SELECT id FROM tickets WHERE idempotency_key = ?`, key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return Ticket{}, false, nil
	}
	if err != nil {
		return Ticket{}, false, err
	}
	t, err := s.Get(ctx, id, identity.Role(by.Role))
	t.replayed = true
	return t, err == nil, err
}

// serviceByPrefix finds the one line whose number prefix is p ("A"), as people name lines.
func (s *Service) serviceByPrefix(ctx context.Context, p string) (QueueService, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+serviceCols+` FROM queue_services WHERE prefix = ? LIMIT 2`, p)
	if err != nil {
		return QueueService{}, err
	}
	defer rows.Close()
	var found []QueueService
	for rows.Next() {
		q, err := scanService(rows)
		if err != nil {
			return q, err
		}
		found = append(found, q)
	}
	if len(found) != 1 { // none, or one per hall: the code is needed
		return QueueService{}, errs.NotFound("排队业务", p)
	}
	return found[0], rows.Err()
}

// checkHours refuses a ticket outside the service's hours.
func (s *Service) checkHours(svc QueueService, now time.Time) error {
	opens, err1 := ParseClock(svc.Opens)
	closes, err2 := ParseClock(svc.Closes)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("queue service %s: bad hours %q–%q", svc.Code, svc.Opens, svc.Closes)
	}
	if c := ClockOf(now, s.loc); c < opens || c >= closes {
		return errs.Conflict(fmt.Sprintf("“%s”的取号时间为 %s–%s，现在不在取号时间内", svc.Name, svc.Opens, svc.Closes))
	}
	return nil
}

// insertTicket numbers and stores a new ticket (t.rank, t.orderUS, t.ArrivedAt set by the caller).
func (s *Service) insertTicket(ctx context.Context, tx *store.Tx, by audit.Actor, svc QueueService, t *Ticket, phoneIdx, idIdx string, p *pending) error {
	n, err := tx.Count(ctx, "ticket:"+svc.Code+":"+t.Day)
	if err != nil {
		return err
	}
	if int(n) > svc.Capacity() {
		return errs.Conflict(fmt.Sprintf("“%s”今日号源（%d 个）已发完，请预约其他日期或改日办理", svc.Name, svc.Capacity()))
	}
	t.seq = n
	if t.Number == "" {
		t.Number = FormatNumber(svc.Prefix, svc.RangeFrom+int(n)-1)
	}
	hall, err := s.hall(ctx, tx, svc.Hall)
	if err != nil {
		return err
	}
	if t.Ahead, err = s.ahead(ctx, tx, t); err != nil {
		return err
	}
	if t.EstimatedWaitMinutes, err = s.estimate(ctx, tx, svc, t.Ahead); err != nil {
		return err
	}
	reminded := boolInt(t.Ahead <= hall.RemindAhead) // close already: nothing to remind
	if err := tx.ExecLater(ctx, `INSERT INTO tickets (id, hall_id, service_code, day, seq, number, priority, rank, source, appointment_id,
			arrived_at, entered_at, order_us, status, phone_enc, phone_idx, id_enc, id_idx, reminded, estimate_minutes, transferred_from,
			idempotency_key, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'waiting', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, svc.Hall, svc.Code, t.Day, t.seq, t.Number, string(t.Priority), t.rank, t.Source, nullString(t.Appointment),
		t.ArrivedAt, t.entered, t.orderUS, t.phoneEnc, phoneIdx, t.idEnc, idIdx, reminded, t.EstimatedWaitMinutes,
		nullString(t.TransferredFrom), nullString(t.key), by.Username); err != nil {
		return err
	}
	if err := s.audit.Record(ctx, tx, by, "ticket.issue", "ticket", t.ID, nil, map[string]any{"number": t.Number, "service": svc.Code,
		"priority": t.Priority, "source": t.Source, "ahead": t.Ahead}); err != nil {
		return err
	}
	return s.queueChanged(ctx, tx, p, svc.Hall, svc.Code)
}

func (s *Service) index(v string) string {
	if v == "" {
		return ""
	}
	return s.pii.Index(v)
}

func nullString(v string) any {
	if v == "" {
		return nil
	}
	return v
}

// ahead counts the waiting tickets of t's service that are called before t.
func (s *Service) ahead(ctx context.Context, q store.Querier, t *Ticket) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets WHERE service_code = ? AND day = ? AND status = 'waiting'
		AND (rank < ? OR (rank = ? AND (order_us < ? OR (order_us = ? AND seq < ?))))`,
		t.Service, t.Day, t.rank, t.rank, t.orderUS, t.orderUS, t.seq).Scan(&n)
	return n, err
}

// estimate is the wait for someone with ahead people in front in svc: the open counters that
// serve it and the recent handling time of this service at this hour.
func (s *Service) estimate(ctx context.Context, q store.Querier, svc QueueService, ahead int) (int, error) {
	if ahead == 0 {
		return 0, nil
	}
	var counters float64
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(1.0 / (SELECT COUNT(*) FROM counter_services x WHERE x.counter_id = c.id)), 0)
		FROM counter_services cs JOIN counters c ON c.id = cs.counter_id WHERE cs.service_code = ? AND c.open = 1`, svc.Code).Scan(&counters); err != nil {
		return 0, err
	}
	avg, err := s.averageVisit(ctx, q, svc)
	if err != nil {
		return 0, err
	}
	return Estimate(ahead, counters, avg), nil
}

// averageVisit is the recent handling time of the service at this hour of the day, else at any
// hour, else the service's configured average.
func (s *Service) averageVisit(ctx context.Context, q store.Querier, svc QueueService) (time.Duration, error) {
	hour := s.now().In(s.loc).Hour()
	var avg sql.NullFloat64
	err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(CASE WHEN hour = ? THEN avg_seconds END), SUM(avg_seconds * n) / SUM(n))
		FROM service_hour_stats WHERE service_code = ?`, hour, svc.Code).Scan(&avg)
	if err != nil {
		return 0, err
	}
	if avg.Valid && avg.Float64 > 0 {
		return time.Duration(avg.Float64 * float64(time.Second)), nil
	}
	return time.Duration(svc.ServiceMinutes) * time.Minute, nil
}

// queueChanged stages a queue event with the service's waiting count.
func (s *Service) queueChanged(ctx context.Context, tx *store.Tx, p *pending, hall, service string) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets WHERE service_code = ? AND day = ? AND status = 'waiting'`,
		service, s.today().String()).Scan(&n); err != nil {
		return err
	}
	p.add(newEvent(hall, "queue", QueueData{Service: service, Waiting: n}))
	return nil
}

const ticketCols = `t.id, t.number, t.service_code, q.name, t.hall_id, t.status, t.priority, t.rank, t.source, t.counter_id, COALESCE(c.name, ''),
	t.recalls, t.day, t.arrived_at, t.entered_at, t.order_us, t.seq, t.called_at, t.serving_at, t.finished_at, t.phone_enc, t.id_enc,
	COALESCE(t.transferred_from, ''), COALESCE(t.transferred_to, ''), COALESCE(t.appointment_id, ''), t.estimate_minutes, t.staff`

const ticketFrom = ` FROM tickets t JOIN queue_services q ON q.code = t.service_code LEFT JOIN counters c ON c.id = t.counter_id `

func scanTicket(sc interface{ Scan(...any) error }) (Ticket, error) {
	var t Ticket
	var called, serving, finished sql.NullTime
	err := sc.Scan(&t.ID, &t.Number, &t.Service, &t.ServiceName, &t.Hall, &t.Status, &t.Priority, &t.rank, &t.Source, &t.Counter, &t.CounterName,
		&t.Recalls, &t.Day, &t.ArrivedAt, &t.entered, &t.orderUS, &t.seq, &called, &serving, &finished, &t.phoneEnc, &t.idEnc,
		&t.TransferredFrom, &t.TransferredTo, &t.Appointment, &t.EstimatedWaitMinutes, &t.staff)
	if called.Valid {
		t.CalledAt = &called.Time
	}
	if serving.Valid {
		t.serving = &serving.Time
	}
	if finished.Valid {
		t.FinishedAt = &finished.Time
	}
	return t, err
}

func (s *Service) ticket(ctx context.Context, q store.Querier, id string) (Ticket, error) {
	t, err := scanTicket(q.QueryRowContext(ctx, `SELECT `+ticketCols+ticketFrom+`WHERE t.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return t, errs.NotFound("号票", id)
	}
	return t, err
}

// Get returns a ticket with its live position and estimate (for the holder's phone: personal
// data masked).
func (s *Service) Get(ctx context.Context, id string, viewer identity.Role) (_ Ticket, err error) {
	defer errs.Wrap(&err, "queue.Get")
	t, err := s.ticket(ctx, s.db, id)
	if err != nil {
		return t, err
	}
	if t.Status == Waiting {
		if t.Ahead, err = s.ahead(ctx, s.db, &t); err != nil {
			return t, err
		}
		svc, err := s.ServiceByCode(ctx, t.Service)
		if err != nil {
			return t, err
		}
		if t.EstimatedWaitMinutes, err = s.estimate(ctx, s.db, svc, t.Ahead); err != nil {
			return t, err
		}
	} else {
		t.EstimatedWaitMinutes = 0
	}
	return s.present(t, viewer), nil
}

// present fills the shown fields: names and masked personal data.
func (s *Service) present(t Ticket, viewer identity.Role) Ticket {
	t.StatusName = StatusNames[t.Status]
	t.EstimatedWaitText, t.AheadText = "", ""
	if t.Status == Waiting {
		t.EstimatedWaitText, t.AheadText = WaitText(t.EstimatedWaitMinutes), AheadText(t.Ahead)
	}
	open := func(enc string, mask func(string) string) string {
		if enc == "" {
			return ""
		}
		v, err := s.pii.Open(enc)
		if err != nil {
			return "（无法解密）"
		}
		return mask(v)
	}
	t.Phone = open(t.phoneEnc, identity.MaskPhone)
	t.IDNumber = open(t.idEnc, identity.MaskID)
	return t
}

// ActInput carries the parameters of counter actions.
type ActInput struct {
	// Service is the target of a transfer.
	Service string `json:"service,omitempty"`
	// Ticket names the parked ticket to resume (the counter's only one by default).
	Ticket string `json:"ticket,omitempty"`
}

// errRetry makes a call start over when another node took the ticket first.
var errRetry = errors.New("queue: ticket taken, retry")

// Act runs a counter action and returns the ticket it concerned. For call, ok is false when
// nobody is waiting for the counter's services.
func (s *Service) Act(ctx context.Context, by audit.Actor, counterID string, a Action, in ActInput) (t Ticket, ok bool, err error) {
	defer errs.Wrap(&err, "queue.Act")
	if !slices.Contains(Actions, a) {
		return t, false, errs.NotFound("窗口操作", string(a))
	}
	for attempt := 0; attempt < 20; attempt++ {
		var p pending
		err = s.db.Tx(ctx, func(tx *store.Tx) error {
			p = pending{}
			var err error
			t, ok, err = s.act(ctx, tx, by, counterID, a, in, &p)
			return err
		})
		if errors.Is(err, errRetry) {
			continue
		}
		if err != nil {
			return Ticket{}, false, err
		}
		s.Hub.committed(&p)
		return s.present(t, identity.Role(by.Role)), ok, nil
	}
	return Ticket{}, false, errs.Conflict("窗口繁忙，请重试")
}

func (s *Service) act(ctx context.Context, tx *store.Tx, by audit.Actor, counterID string, a Action, in ActInput, p *pending) (Ticket, bool, error) {
	c, hall, calls, err := s.station(ctx, tx, counterID)
	if err != nil {
		return Ticket{}, false, err
	}
	if a == Call {
		return s.call(ctx, tx, by, c, hall, calls, p)
	}
	var t Ticket
	if a == Resume {
		if t, err = s.parkedTicket(ctx, tx, c, in.Ticket); err != nil {
			return t, false, err
		}
		if cur, found, err := s.activeTicket(ctx, tx, c.ID); err != nil {
			return t, false, err
		} else if found {
			return t, false, errs.Conflict(fmt.Sprintf("窗口正在办理 %s，请先办结或暂挂", cur.Number))
		}
	} else {
		cur, found, err := s.activeTicket(ctx, tx, c.ID)
		if err != nil {
			return t, false, err
		}
		if !found {
			return t, false, errs.Conflict("窗口当前没有叫号或办理中的号票")
		}
		t = cur
	}
	to, err := Next(t.Status, a)
	if err != nil {
		return t, false, err
	}
	before := t.Status
	now := s.now().UTC()
	switch a {
	case Recall:
		if t.Recalls >= hall.RecallsBeforeNoShow {
			// Called as often as the hall allows: the citizen did not come.
			to = NoShow
			if err := s.close(ctx, tx, &t, NoShow, now); err != nil {
				return t, false, err
			}
			break
		}
		t.Recalls++
		if _, err := tx.ExecContext(ctx, `UPDATE tickets SET recalls = ? WHERE id = ?`, t.Recalls, t.ID); err != nil {
			return t, false, err
		}
		p.add(s.callEvent(t, c, true, now))
	case Start:
		t.serving = &now
		if _, err := tx.ExecContext(ctx, `UPDATE tickets SET status = 'serving', serving_at = ? WHERE id = ?`, now, t.ID); err != nil {
			return t, false, err
		}
	case Finish, MarkGone:
		if err := s.close(ctx, tx, &t, to, now); err != nil {
			return t, false, err
		}
	case Park:
		if _, err := tx.ExecContext(ctx, `UPDATE tickets SET status = 'parked' WHERE id = ?`, t.ID); err != nil {
			return t, false, err
		}
	case Resume:
		if _, err := tx.ExecContext(ctx, `UPDATE tickets SET status = 'serving', serving_at = COALESCE(serving_at, ?) WHERE id = ?`, now, t.ID); err != nil {
			return t, false, err
		}
	case Transfer:
		nt, err := s.transfer(ctx, tx, by, &t, in.Service, now, p)
		if err != nil {
			return t, false, err
		}
		if err := s.audit.Record(ctx, tx, by, "ticket.transfer", "ticket", t.ID, map[string]any{"status": before, "service": t.Service},
			map[string]any{"status": Transferred, "to": nt.ID, "service": nt.Service}); err != nil {
			return t, false, err
		}
		t.Status, t.TransferredTo = Transferred, nt.ID
		p.add(newEvent(c.Hall, "ticket", TicketData{Ticket: t.ID, Number: t.Number, Service: t.Service, Status: t.Status, Counter: c.ID}))
		return t, true, nil
	}
	t.Status = to
	if err := s.audit.Record(ctx, tx, by, "ticket."+string(a), "ticket", t.ID, map[string]any{"status": before},
		map[string]any{"status": to, "counter": c.ID, "recalls": t.Recalls}); err != nil {
		return t, false, err
	}
	ev := newEvent(c.Hall, "ticket", TicketData{Ticket: t.ID, Number: t.Number, Service: t.Service, Status: t.Status, Counter: c.ID})
	if to == Done {
		ev.Type = "finish"
	}
	p.add(ev)
	return t, true, nil
}

// station reads a counter with its profile, its hall and its calls per service today, in one
// query.
func (s *Service) station(ctx context.Context, tx *store.Tx, id string) (Counter, Hall, map[string]int, error) {
	today := s.today().String()
	rows, err := tx.QueryContext(ctx, `SELECT c.id, c.hall_id, c.name, c.rule, c.open, c.staff, h.name, h.center_code, h.remind_ahead,
			h.recalls_before_no_show, h.checkin_before_minutes, h.checkin_after_minutes, h.booking_days,
			cs.service_code, cs.weight, cs.calls_day, cs.calls
		FROM counters c JOIN halls h ON h.id = c.hall_id LEFT JOIN counter_services cs ON cs.counter_id = c.id
		WHERE c.id = ? ORDER BY cs.position`, id)
	if err != nil {
		return Counter{}, Hall{}, nil, err
	}
	defer rows.Close()
	var c Counter
	var h Hall
	calls := map[string]int{}
	found := false
	for rows.Next() {
		var open int
		var svc, day sql.NullString
		var weight, n sql.NullInt64
		if err := rows.Scan(&c.ID, &c.Hall, &c.Name, &c.Rule, &open, &c.Staff, &h.Name, &h.Center, &h.RemindAhead, &h.RecallsBeforeNoShow,
			&h.CheckInBefore, &h.CheckInAfter, &h.BookingDays, &svc, &weight, &day, &n); err != nil {
			return c, h, nil, err
		}
		found, c.Open, h.ID = true, open == 1, c.Hall
		if svc.Valid {
			c.Services = append(c.Services, svc.String)
			c.Profile = append(c.Profile, ProfileEntry{Service: svc.String, Weight: int(weight.Int64)})
			if day.String == today {
				calls[svc.String] = int(n.Int64)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return c, h, nil, err
	}
	if !found {
		return c, h, nil, errs.NotFound("窗口", id)
	}
	return c, h, calls, nil
}

// close ends a ticket as done or no-show and, for a visit, feeds the service's average.
func (s *Service) close(ctx context.Context, tx *store.Tx, t *Ticket, to Status, now time.Time) error {
	var serviceSeconds any
	if to == Done {
		from := t.CalledAt
		if t.serving != nil {
			from = t.serving
		}
		if from != nil {
			secs := max(0, int(now.Sub(*from).Seconds()))
			serviceSeconds = secs
			hour := from.In(s.loc).Hour()
			if err := tx.ExecLater(ctx, `INSERT INTO service_hour_stats (service_code, hour, avg_seconds, n) VALUES (?, ?, ?, 1)
				ON CONFLICT (service_code, hour) DO UPDATE SET n = service_hour_stats.n + 1,
					avg_seconds = service_hour_stats.avg_seconds + (excluded.avg_seconds - service_hour_stats.avg_seconds)
						/ (CASE WHEN service_hour_stats.n < 19 THEN service_hour_stats.n + 1 ELSE 20 END)`,
				t.Service, hour, float64(secs)); err != nil {
				return err
			}
		}
	}
	t.FinishedAt = &now
	return tx.ExecLater(ctx, `UPDATE tickets SET status = ?, finished_at = ?, service_seconds = ? WHERE id = ?`, string(to), now, serviceSeconds, t.ID)
}

// activeTicket is the ticket the counter has called or is serving.
func (s *Service) activeTicket(ctx context.Context, tx *store.Tx, counter string) (Ticket, bool, error) {
	t, err := scanTicket(tx.QueryRowContext(ctx, `SELECT `+ticketCols+ticketFrom+`WHERE t.counter_id = ? AND t.status IN ('called', 'serving')`, counter))
	if errors.Is(err, sql.ErrNoRows) {
		return t, false, nil
	}
	return t, err == nil, err
}

func (s *Service) parkedTicket(ctx context.Context, tx *store.Tx, c Counter, id string) (Ticket, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+ticketCols+ticketFrom+`WHERE t.counter_id = ? AND t.status = 'parked' AND (? = '' OR t.id = ?)`, c.ID, id, id)
	if err != nil {
		return Ticket{}, err
	}
	defer rows.Close()
	var found []Ticket
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return t, err
		}
		found = append(found, t)
	}
	if err := rows.Err(); err != nil {
		return Ticket{}, err
	}
	switch {
	case len(found) == 0:
		return Ticket{}, errs.Conflict("本窗口没有暂挂的号票" + map[bool]string{true: "：" + id, false: ""}[id != ""])
	case len(found) > 1:
		return Ticket{}, errs.Invalid("ticket", "本窗口有多个暂挂号票，请指明要恢复的号票")
	}
	return found[0], nil
}

// call calls the next ticket the counter's rule picks, finishing its current one first. The
// services' rows are locked in code order, so calls on one service are serialised on every node
// (two counters never get the same ticket) and never deadlock.
func (s *Service) call(ctx context.Context, tx *store.Tx, by audit.Actor, c Counter, hall Hall, calls map[string]int, p *pending) (Ticket, bool, error) {
	if len(c.Profile) == 0 {
		return Ticket{}, false, errs.Conflict("窗口未配置办理业务，请先在大厅管理中设置")
	}
	codes := slices.Clone(c.Services)
	slices.Sort(codes)
	args := make([]any, len(codes))
	for i, code := range codes {
		args[i] = code
	}
	now := s.now().UTC()
	today := calendar.DateOf(now, s.loc).String()
	// The first waiting ticket of each service, read after the services' rows are locked.
	var q strings.Builder
	hargs := make([]any, 0, 2*len(codes))
	for i, code := range codes {
		if i > 0 {
			q.WriteString(" UNION ALL ")
		}
		q.WriteString(`SELECT * FROM (SELECT ` + ticketCols + ticketFrom + `WHERE t.service_code = ? AND t.day = ? AND t.status = 'waiting'
			ORDER BY t.rank, t.order_us, t.seq LIMIT 1) h` + strconv.Itoa(i))
		hargs = append(hargs, code, today)
	}
	callSeq := map[string]int64{}
	heads := map[string]Head{}
	headTickets := map[string]Ticket{}
	var cur Ticket
	found := false
	// Lock, heads and the counter's current ticket: one round trip on PostgreSQL, in this order.
	err := tx.ReadTogether(ctx,
		store.Read{Query: `SELECT code, call_seq FROM queue_services WHERE code IN (` + store.In(len(codes)) + `) ORDER BY code` + tx.ForNoKeyUpdate(),
			Args: args, Row: func(scan func(...any) error) error {
				var code string
				var n int64
				err := scan(&code, &n)
				callSeq[code] = n
				return err
			}},
		store.Read{Query: q.String(), Args: hargs, Row: func(scan func(...any) error) error {
			t, err := scanTicket(store.ScanFunc(scan))
			heads[t.Service], headTickets[t.Service] = Head{Rank: t.rank, OrderUS: t.orderUS, Seq: t.seq}, t
			return err
		}},
		store.Read{Query: `SELECT ` + ticketCols + ticketFrom + `WHERE t.counter_id = ? AND t.status IN ('called', 'serving')`, Args: []any{c.ID},
			Row: func(scan func(...any) error) (err error) {
				cur, err = scanTicket(store.ScanFunc(scan))
				found = true
				return err
			}})
	if err != nil {
		return Ticket{}, false, err
	}
	code, ok := Pick(c.Rule, c.Profile, heads, calls)
	if !ok {
		return Ticket{}, false, nil
	}
	if found {
		// "Next" ends the visit at the counter (with nobody waiting it stays).
		if err := s.close(ctx, tx, &cur, Done, now); err != nil {
			return Ticket{}, false, err
		}
		if err := s.audit.Record(ctx, tx, by, "ticket.finish", "ticket", cur.ID, map[string]any{"status": cur.Status},
			map[string]any{"status": Done, "counter": c.ID, "by": "call"}); err != nil {
			return Ticket{}, false, err
		}
		p.add(newEvent(c.Hall, "finish", TicketData{Ticket: cur.ID, Number: cur.Number, Service: cur.Service, Status: Done, Counter: c.ID}))
	}
	seq := callSeq[code] + 1
	t := headTickets[code]
	res, err := tx.ExecContext(ctx, `UPDATE tickets SET status = 'called', counter_id = ?, staff = ?, called_at = ?, call_seq = ?, wait_seconds = ?
		WHERE id = ? AND status = 'waiting'`, c.ID, by.Username, now, seq, max(0, int(now.Sub(t.entered).Seconds())), t.ID)
	if err != nil {
		return Ticket{}, false, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return Ticket{}, false, errRetry
	}
	t.Status, t.Counter, t.CounterName, t.CalledAt, t.staff = Called, c.ID, c.Name, &now, by.Username
	if err := tx.ExecLater(ctx, `UPDATE queue_services SET call_seq = ? WHERE code = ?`, seq, code); err != nil {
		return Ticket{}, false, err
	}
	if err := tx.ExecLater(ctx, `UPDATE counter_services SET calls = CASE WHEN calls_day = ? THEN calls + 1 ELSE 1 END, calls_day = ?
		WHERE counter_id = ? AND service_code = ?`, today, today, c.ID, code); err != nil {
		return Ticket{}, false, err
	}
	if !c.Open || c.Staff != by.Username {
		if err := tx.ExecLater(ctx, `UPDATE counters SET open = 1, staff = ?, updated_at = ? WHERE id = ?`, by.Username, now, c.ID); err != nil {
			return Ticket{}, false, err
		}
	}
	if err := s.audit.Record(ctx, tx, by, "ticket.call", "ticket", t.ID, map[string]any{"status": Waiting},
		map[string]any{"status": Called, "counter": c.ID, "number": t.Number}); err != nil {
		return t, false, err
	}
	p.add(s.callEvent(t, c, false, now))
	if err := s.tell(ctx, tx, t, "ticket.called", fmt.Sprintf("请 %s 号到 %s 办理", t.Number, c.Name)); err != nil {
		return t, false, err
	}
	if err := s.remind(ctx, tx, hall, code, today); err != nil {
		return t, false, err
	}
	return t, true, s.queueChanged(ctx, tx, p, c.Hall, code)
}

func (s *Service) callEvent(t Ticket, c Counter, recall bool, now time.Time) Event {
	return newEvent(c.Hall, "call", CallData{Number: t.Number, Counter: c.ID, CounterName: c.Name, Service: t.Service, Ticket: t.ID,
		Priority: string(t.Priority), Recall: recall, At: now.Format(time.RFC3339)})
}

// remind tells the holders of the first tickets of a service (those with at most RemindAhead
// people in front) that their turn is near, once each, when they left a phone number.
func (s *Service) remind(ctx context.Context, tx *store.Tx, hall Hall, service, day string) error {
	rows, err := tx.QueryContext(ctx, `SELECT id, number, reminded, phone_enc FROM tickets WHERE service_code = ? AND day = ? AND status = 'waiting'
		ORDER BY rank, order_us, seq LIMIT ?`, service, day, hall.RemindAhead+1)
	if err != nil {
		return err
	}
	type due struct {
		t     Ticket
		ahead int
	}
	var dues []due
	for i := 0; rows.Next(); i++ {
		var t Ticket
		var reminded int
		if err := rows.Scan(&t.ID, &t.Number, &reminded, &t.phoneEnc); err != nil {
			rows.Close()
			return err
		}
		if reminded == 0 {
			dues = append(dues, due{t, i})
		}
	}
	rows.Close()
	for _, d := range dues {
		if err := tx.ExecLater(ctx, `UPDATE tickets SET reminded = 1 WHERE id = ?`, d.t.ID); err != nil {
			return err
		}
		if err := s.tell(ctx, tx, d.t, "ticket.near", fmt.Sprintf("您的 %s 号%s，请留意大厅叫号", d.t.Number, AheadText(d.ahead))); err != nil {
			return err
		}
	}
	return nil
}

// tell writes a message for the ticket's holder when they left a phone number; the SMS channel
// finds the number through the ticket, so the outbox keeps no personal data.
func (s *Service) tell(ctx context.Context, tx *store.Tx, t Ticket, event, text string) error {
	if t.phoneEnc == "" {
		return nil
	}
	return s.outbox.Add(ctx, tx, notify.Message{Recipient: "ticket:" + t.ID, Event: event, Subject: text, Body: text,
		Payload: map[string]any{"ticket": t.ID, "number": t.Number}})
}

// Phone is the phone number behind a "ticket:ID" or "appointment:ID" recipient (for the SMS
// channel).
func (s *Service) Phone(ctx context.Context, recipient string) (_ string, err error) {
	defer errs.Wrap(&err, "queue.Phone")
	return Phone(ctx, s.db, s.pii, recipient)
}

// Phone is the method for a process that has the database and the key but no service yet: the
// SMS channel is built before the services that write to its outbox.
func Phone(ctx context.Context, db *store.DB, pii *identity.PII, recipient string) (_ string, err error) {
	defer errs.Wrap(&err, "queue.Phone")
	var enc string
	switch {
	case len(recipient) > 7 && recipient[:7] == "ticket:":
		err = db.QueryRowContext(ctx, `SELECT phone_enc FROM tickets WHERE id = ?`, recipient[7:]).Scan(&enc)
	case len(recipient) > 12 && recipient[:12] == "appointment:":
		err = db.QueryRowContext(ctx, `SELECT phone_enc FROM appointments WHERE id = ?`, recipient[12:]).Scan(&enc)
	default:
		return "", fmt.Errorf("queue: no phone for recipient %q", recipient)
	}
	if err != nil {
		return "", err
	}
	if enc == "" {
		return "", fmt.Errorf("queue: %s left no phone number", recipient)
	}
	return pii.Open(enc)
}

// transfer moves the ticket to another service of the hall, keeping its number and arrival time.
func (s *Service) transfer(ctx context.Context, tx *store.Tx, by audit.Actor, t *Ticket, to string, now time.Time, p *pending) (Ticket, error) {
	if to == "" {
		return Ticket{}, errs.Invalid("service", "请选择转移到的排队业务")
	}
	if to == t.Service {
		return Ticket{}, errs.Invalid("service", "不能转移到原业务")
	}
	svc, err := s.service(ctx, tx, to)
	if errs.Is(err, errs.CodeNotFound) || (err == nil && svc.Hall != t.Hall) {
		return Ticket{}, errs.Invalid("service", "排队业务不存在或不属于本大厅："+to)
	}
	if err != nil {
		return Ticket{}, err
	}
	if err := s.close(ctx, tx, t, Transferred, now); err != nil {
		return Ticket{}, err
	}
	nt := Ticket{ID: newID(), Number: t.Number, Service: svc.Code, ServiceName: svc.Name, Hall: svc.Hall, Status: Waiting, Priority: t.Priority,
		Source: "transfer", Day: t.Day, ArrivedAt: t.ArrivedAt, entered: now, orderUS: t.orderUS, rank: t.rank, seq: t.seq,
		phoneEnc: t.phoneEnc, idEnc: t.idEnc, TransferredFrom: t.ID, Appointment: t.Appointment}
	if nt.Ahead, err = s.ahead(ctx, tx, &nt); err != nil {
		return nt, err
	}
	if nt.EstimatedWaitMinutes, err = s.estimate(ctx, tx, svc, nt.Ahead); err != nil {
		return nt, err
	}
	var phoneIdx, idIdx string
	if err := tx.QueryRowContext(ctx, `SELECT phone_idx, id_idx FROM tickets WHERE id = ?`, t.ID).Scan(&phoneIdx, &idIdx); err != nil {
		return nt, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO tickets (id, hall_id, service_code, day, seq, number, priority, rank, source, appointment_id,
			arrived_at, entered_at, order_us, status, phone_enc, phone_idx, id_enc, id_idx, reminded, estimate_minutes, transferred_from, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'transfer', ?, ?, ?, ?, 'waiting', ?, ?, ?, ?, 0, ?, ?, ?)`,
		nt.ID, nt.Hall, nt.Service, nt.Day, nt.seq, nt.Number, string(nt.Priority), nt.rank, nullString(nt.Appointment),
		nt.ArrivedAt, nt.entered, nt.orderUS, nt.phoneEnc, phoneIdx, nt.idEnc, idIdx, nt.EstimatedWaitMinutes, t.ID, by.Username); err != nil {
		return nt, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE tickets SET transferred_to = ? WHERE id = ?`, nt.ID, t.ID); err != nil {
		return nt, err
	}
	return nt, s.queueChanged(ctx, tx, p, svc.Hall, svc.Code)
}
