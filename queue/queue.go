package queue

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"banhao/audit"
	"banhao/calendar"
	"banhao/calendar/calstore"
	"banhao/errs"
	"banhao/identity"
	"banhao/notify"
	"banhao/store"
	"banhao/wiring"
)

// Service runs the hall.
type Service struct {
	db     *store.DB
	audit  *audit.Log
	pii    *identity.PII
	cal    *calstore.Service
	outbox *notify.Outbox
	now    func() time.Time
	loc    *time.Location
	limits *identity.Limiter // ticket budgets, shared by every node
	logger *slog.Logger
	Hub    *Hub
}

// Config wires the service; every field is required.
type Config struct {
	DB       *store.DB
	Audit    *audit.Log
	PII      *identity.PII
	Calendar *calstore.Service
	// Outbox carries the visitors' text messages (booked, called, three ahead).
	Outbox   *notify.Outbox
	Now      func() time.Time
	Location *time.Location
	// Logger records what the background work (closing past days) did and could not do.
	Logger *slog.Logger
	Hub    *Hub
}

// New returns the hall service.
func New(c Config) (_ *Service, err error) {
	defer errs.Wrap(&err, "queue.New")
	if err := wiring.Require("queue.New", wiring.Deps{"DB": c.DB, "Audit": c.Audit, "PII": c.PII, "Calendar": c.Calendar, "Outbox": c.Outbox,
		"Now": c.Now, "Location": c.Location, "Logger": c.Logger, "Hub": c.Hub}); err != nil {
		return nil, err
	}
	limits, err := identity.NewLimiter(c.DB, c.Now)
	if err != nil {
		return nil, err
	}
	return &Service{db: c.DB, audit: c.Audit, pii: c.PII, cal: c.Calendar, outbox: c.Outbox, now: c.Now, loc: c.Location, Hub: c.Hub,
		limits: limits, logger: c.Logger}, nil
}

func (s *Service) today() calendar.Date { return calendar.DateOf(s.now(), s.loc) }

// DefaultHall is a new hall's settings: remind at 3 ahead, no-show after 2 recalls, check-in
// from 30 minutes before a slot to 15 after, booking 7 days ahead.
func DefaultHall(id, name string) Hall {
	return Hall{ID: id, Name: name, RemindAhead: 3, RecallsBeforeNoShow: 2, CheckInBefore: 30, CheckInAfter: 15, BookingDays: 7}
}

// DefaultService is a new line's settings: numbers 1–999, open 08:30–17:00, 300 a day, 10
// minutes a visit, no appointments.
func DefaultService(code, hall string) QueueService {
	return QueueService{Code: code, Hall: hall, RangeFrom: 1, RangeTo: 999, Opens: "08:30", Closes: "17:00", DailyLimit: 300,
		ServiceMinutes: 10, SlotMinutes: 30, ApptFrom: "09:00", ApptTo: "17:00", Sections: []string{}}
}

// Hall is a service hall of a center, with its queue settings.
type Hall struct {
	ID                  string `json:"id"`
	Name                string `json:"name"`
	Center              string `json:"center"`
	RemindAhead         int    `json:"remind_ahead"`
	RecallsBeforeNoShow int    `json:"recalls_before_no_show"`
	CheckInBefore       int    `json:"checkin_before_minutes"`
	CheckInAfter        int    `json:"checkin_after_minutes"`
	BookingDays         int    `json:"booking_days"`
}

// QueueService is a line of the hall (usually one per section), with its number range.
type QueueService struct {
	Code           string   `json:"code"`
	Name           string   `json:"name"`
	Prefix         string   `json:"prefix"`
	Hall           string   `json:"hall"`
	RangeFrom      int      `json:"range_from"`
	RangeTo        int      `json:"range_to"`
	Opens          string   `json:"opens"`
	Closes         string   `json:"closes"`
	DailyLimit     int      `json:"daily_limit"`
	ServiceMinutes int      `json:"service_minutes"`
	SlotMinutes    int      `json:"slot_minutes"`
	SlotCapacity   int      `json:"slot_capacity"`
	ApptFrom       string   `json:"appointment_from"`
	ApptTo         string   `json:"appointment_to"`
	Sections       []string `json:"sections"`
}

// Capacity is how many tickets the service can hand out in a day.
func (q QueueService) Capacity() int {
	return min(q.DailyLimit, q.RangeTo-q.RangeFrom+1)
}

// Counter is a window of the hall and its work profile.
type Counter struct {
	ID       string         `json:"id"`
	Name     string         `json:"name"`
	Hall     string         `json:"hall"`
	Services []string       `json:"services"`
	Rule     Rule           `json:"rule"`
	Profile  []ProfileEntry `json:"profile"`
	Open     bool           `json:"open"`
	Staff    string         `json:"staff"`
}

var (
	codeRe   = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)
	prefixRe = regexp.MustCompile(`^[A-Z]{1,2}$`)
)

// ValidateHall checks a hall's settings, naming each field at fault.
func ValidateHall(h Hall) error {
	var v errs.Validation
	v.Check(codeRe.MatchString(h.ID), "id", "编号须为 1–32 位字母、数字、-、_")
	v.Check(strings.TrimSpace(h.Name) != "" && utf8.RuneCountInString(h.Name) <= 100, "name", "名称不能为空，最多 100 字")
	v.Check(h.RemindAhead >= 1 && h.RemindAhead <= 50, "remind_ahead", "提醒人数须在 1–50 之间")
	v.Check(h.RecallsBeforeNoShow >= 0 && h.RecallsBeforeNoShow <= 10, "recalls_before_no_show", "重呼次数须在 0–10 之间")
	v.Check(h.CheckInBefore >= 0 && h.CheckInBefore <= 240, "checkin_before_minutes", "须在 0–240 分钟之间")
	v.Check(h.CheckInAfter >= 0 && h.CheckInAfter <= 240, "checkin_after_minutes", "须在 0–240 分钟之间")
	v.Check(h.BookingDays >= 0 && h.BookingDays <= 60, "booking_days", "可预约天数须在 0–60 之间")
	return v.Err()
}

// ValidateService checks a queue service, naming each field at fault.
func ValidateService(q QueueService) error {
	var v errs.Validation
	v.Check(codeRe.MatchString(q.Code), "code", "编号须为 1–32 位字母、数字、-、_")
	v.Check(strings.TrimSpace(q.Name) != "" && utf8.RuneCountInString(q.Name) <= 100, "name", "名称不能为空，最多 100 字")
	v.Check(prefixRe.MatchString(q.Prefix), "prefix", "号码前缀须为 1–2 个大写字母")
	v.Check(q.RangeFrom >= 1 && q.RangeTo <= 9999 && q.RangeFrom <= q.RangeTo, "range_to", "号段须在 1–9999 之间且起号不大于止号")
	v.Check(q.DailyLimit >= 1, "daily_limit", "每日限额须至少为 1")
	v.Check(q.ServiceMinutes >= 1 && q.ServiceMinutes <= 480, "service_minutes", "平均办理时长须在 1–480 分钟之间")
	opens, err1 := ParseClock(q.Opens)
	closes, err2 := ParseClock(q.Closes)
	v.Check(err1 == nil, "opens", "取号开始时间须为“时:分”，如 08:30")
	v.Check(err2 == nil, "closes", "取号结束时间须为“时:分”，如 08:30")
	if err1 == nil && err2 == nil {
		v.Check(opens < closes, "closes", "取号结束时间须晚于开始时间")
	}
	v.Check(q.SlotCapacity >= 0 && q.SlotCapacity <= 1000, "slot_capacity", "每时段预约容量须在 0–1000 之间（0 表示不开放预约）")
	if q.SlotCapacity > 0 {
		v.Check(q.SlotMinutes >= 5 && q.SlotMinutes <= 240, "slot_minutes", "预约时段长度须在 5–240 分钟之间")
		af, e1 := ParseClock(q.ApptFrom)
		at, e2 := ParseClock(q.ApptTo)
		v.Check(e1 == nil, "appointment_from", "预约开始时间须为“时:分”，如 08:30")
		v.Check(e2 == nil, "appointment_to", "预约结束时间须为“时:分”，如 08:30")
		if e1 == nil && e2 == nil {
			v.Check(af < at, "appointment_to", "预约结束时间须晚于开始时间")
		}
	}
	return v.Err()
}

// ValidateCounter checks a counter and its work profile against the hall's services.
func ValidateCounter(c Counter, services map[string]QueueService) error {
	var v errs.Validation
	v.Check(codeRe.MatchString(c.ID), "id", "编号须为 1–32 位字母、数字、-、_")
	v.Check(strings.TrimSpace(c.Name) != "" && utf8.RuneCountInString(c.Name) <= 50, "name", "名称不能为空，最多 50 字")
	v.Check(RuleNames[c.Rule] != "", "rule", "叫号规则须为"+RuleNames[LongestWait]+"、"+RuleNames[InOrder]+"或"+RuleNames[Weighted])
	v.Check(len(c.Profile) > 0, "profile", "须至少办理一项排队业务")
	seen := map[string]bool{}
	for i, p := range c.Profile {
		f := fmt.Sprintf("profile[%d]", i)
		q, ok := services[p.Service]
		v.Check(ok && q.Hall == c.Hall, f+".service", "排队业务不存在或不属于本大厅："+p.Service)
		v.Check(!seen[p.Service], f+".service", "排队业务重复："+p.Service)
		v.Check(p.Weight >= 0 && p.Weight <= 100, f+".weight", "权重须在 0–100 之间")
		seen[p.Service] = true
	}
	return v.Err()
}

// SaveHall creates or updates a hall.
func (s *Service) SaveHall(ctx context.Context, by audit.Actor, h Hall) (err error) {
	defer errs.Wrap(&err, "queue.SaveHall")
	if err := ValidateHall(h); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO halls (id, center_code, name, remind_ahead, recalls_before_no_show, checkin_before_minutes,
				checkin_after_minutes, booking_days) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, remind_ahead = excluded.remind_ahead,
				recalls_before_no_show = excluded.recalls_before_no_show, checkin_before_minutes = excluded.checkin_before_minutes,
				checkin_after_minutes = excluded.checkin_after_minutes, booking_days = excluded.booking_days`,
			h.ID, h.Center, h.Name, h.RemindAhead, h.RecallsBeforeNoShow, h.CheckInBefore, h.CheckInAfter, h.BookingDays)
		if err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, by, "hall.save", "hall", h.ID, nil, h)
	})
}

// Halls lists the halls.
func (s *Service) Halls(ctx context.Context) (_ []Hall, err error) {
	defer errs.Wrap(&err, "queue.Halls")
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, center_code, remind_ahead, recalls_before_no_show, checkin_before_minutes,
		checkin_after_minutes, booking_days FROM halls ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Hall
	for rows.Next() {
		var h Hall
		if err := rows.Scan(&h.ID, &h.Name, &h.Center, &h.RemindAhead, &h.RecallsBeforeNoShow, &h.CheckInBefore, &h.CheckInAfter, &h.BookingDays); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// HallByID returns one hall.
func (s *Service) HallByID(ctx context.Context, id string) (_ Hall, err error) {
	defer errs.Wrap(&err, "queue.HallByID")
	return s.hall(ctx, s.db, id)
}

func (s *Service) hall(ctx context.Context, q store.Querier, id string) (Hall, error) {
	var h Hall
	err := q.QueryRowContext(ctx, `SELECT id, name, center_code, remind_ahead, recalls_before_no_show, checkin_before_minutes,
		checkin_after_minutes, booking_days FROM halls WHERE id = ?`, id).
		Scan(&h.ID, &h.Name, &h.Center, &h.RemindAhead, &h.RecallsBeforeNoShow, &h.CheckInBefore, &h.CheckInAfter, &h.BookingDays)
	if errors.Is(err, sql.ErrNoRows) {
		return h, errs.NotFound("大厅", id)
	}
	return h, err
}

// SaveService creates or updates a queue service.
func (s *Service) SaveService(ctx context.Context, by audit.Actor, q QueueService) (err error) {
	defer errs.Wrap(&err, "queue.SaveService")
	if q.ApptFrom == "" {
		q.ApptFrom = "09:00"
	}
	if q.ApptTo == "" {
		q.ApptTo = "17:00"
	}
	if q.SlotMinutes == 0 {
		q.SlotMinutes = 30
	}
	if err := ValidateService(q); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *store.Tx) error {
		if _, err := s.hall(ctx, tx, q.Hall); err != nil {
			if errs.Is(err, errs.CodeNotFound) {
				return errs.Invalid("hall", "大厅不存在："+q.Hall)
			}
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO queue_services (code, hall_id, name, prefix, range_from, range_to, opens, closes, daily_limit,
				service_minutes, slot_minutes, slot_capacity, appt_from, appt_to, sections) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (code) DO UPDATE SET name = excluded.name, prefix = excluded.prefix, range_from = excluded.range_from,
				range_to = excluded.range_to, opens = excluded.opens, closes = excluded.closes, daily_limit = excluded.daily_limit,
				service_minutes = excluded.service_minutes, slot_minutes = excluded.slot_minutes, slot_capacity = excluded.slot_capacity,
				appt_from = excluded.appt_from, appt_to = excluded.appt_to, sections = excluded.sections`,
			q.Code, q.Hall, q.Name, q.Prefix, q.RangeFrom, q.RangeTo, q.Opens, q.Closes, q.DailyLimit, q.ServiceMinutes, q.SlotMinutes,
			q.SlotCapacity, q.ApptFrom, q.ApptTo, strings.Join(q.Sections, ","))
		if store.IsUniqueViolation(err) {
			return errs.Invalid("prefix", "号码前缀已被本大厅的其他业务使用："+q.Prefix)
		}
		if err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, by, "queue_service.save", "queue_service", q.Code, nil, q)
	})
}

const serviceCols = `code, hall_id, name, prefix, range_from, range_to, opens, closes, daily_limit, service_minutes, slot_minutes,
	slot_capacity, appt_from, appt_to, sections`

func scanService(sc interface{ Scan(...any) error }) (QueueService, error) {
	var q QueueService
	var sections string
	err := sc.Scan(&q.Code, &q.Hall, &q.Name, &q.Prefix, &q.RangeFrom, &q.RangeTo, &q.Opens, &q.Closes, &q.DailyLimit, &q.ServiceMinutes,
		&q.SlotMinutes, &q.SlotCapacity, &q.ApptFrom, &q.ApptTo, &sections)
	q.Sections = []string{}
	if sections != "" {
		q.Sections = strings.Split(sections, ",")
	}
	return q, err
}

// Services lists the queue services (of one hall when hall is not empty), by prefix.
func (s *Service) Services(ctx context.Context, hall string) (_ []QueueService, err error) {
	defer errs.Wrap(&err, "queue.Services")
	rows, err := s.db.QueryContext(ctx, `SELECT `+serviceCols+` FROM queue_services WHERE ? = '' OR hall_id = ? ORDER BY hall_id, prefix`, hall, hall)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []QueueService
	for rows.Next() {
		q, err := scanService(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, rows.Err()
}

// ServiceByCode returns one queue service.
func (s *Service) ServiceByCode(ctx context.Context, code string) (_ QueueService, err error) {
	defer errs.Wrap(&err, "queue.ServiceByCode")
	return s.service(ctx, s.db, code)
}

func (s *Service) service(ctx context.Context, q store.Querier, code string) (QueueService, error) {
	qs, err := scanService(q.QueryRowContext(ctx, `SELECT `+serviceCols+` FROM queue_services WHERE code = ?`, code))
	if errors.Is(err, sql.ErrNoRows) {
		return qs, errs.NotFound("排队业务", code)
	}
	return qs, err
}

// SaveCounter creates or updates a counter and replaces its work profile.
func (s *Service) SaveCounter(ctx context.Context, by audit.Actor, c Counter) (err error) {
	defer errs.Wrap(&err, "queue.SaveCounter")
	if c.Rule == "" {
		c.Rule = LongestWait
	}
	for i := range c.Profile {
		if c.Profile[i].Weight == 0 {
			c.Profile[i].Weight = 1
		}
	}
	all, err := s.Services(ctx, "")
	if err != nil {
		return err
	}
	byCode := map[string]QueueService{}
	for _, q := range all {
		byCode[q.Code] = q
	}
	if err := ValidateCounter(c, byCode); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *store.Tx) error {
		if _, err := s.hall(ctx, tx, c.Hall); err != nil {
			if errs.Is(err, errs.CodeNotFound) {
				return errs.Invalid("hall", "大厅不存在："+c.Hall)
			}
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO counters (id, hall_id, name, rule, open, updated_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, rule = excluded.rule, updated_at = excluded.updated_at`,
			c.ID, c.Hall, c.Name, string(c.Rule), boolInt(c.Open), s.now().UTC()); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM counter_services WHERE counter_id = ?`, c.ID); err != nil {
			return err
		}
		for i, p := range c.Profile {
			if _, err := tx.ExecContext(ctx, `INSERT INTO counter_services (counter_id, service_code, position, weight) VALUES (?, ?, ?, ?)`,
				c.ID, p.Service, i, p.Weight); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, tx, by, "counter.save", "counter", c.ID, nil, c)
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Counters lists the counters (of one hall when hall is not empty) with their profiles.
func (s *Service) Counters(ctx context.Context, hall string) (_ []Counter, err error) {
	defer errs.Wrap(&err, "queue.Counters")
	rows, err := s.db.QueryContext(ctx, `SELECT c.id, c.hall_id, c.name, c.rule, c.open, c.staff, cs.service_code, cs.weight
		FROM counters c LEFT JOIN counter_services cs ON cs.counter_id = c.id
		WHERE ? = '' OR c.hall_id = ? ORDER BY c.hall_id, c.id, cs.position`, hall, hall)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Counter
	for rows.Next() {
		var c Counter
		var open int
		var svc sql.NullString
		var weight sql.NullInt64
		if err := rows.Scan(&c.ID, &c.Hall, &c.Name, &c.Rule, &open, &c.Staff, &svc, &weight); err != nil {
			return nil, err
		}
		if n := len(out); n == 0 || out[n-1].ID != c.ID {
			c.Open = open == 1
			c.Services, c.Profile = []string{}, []ProfileEntry{}
			out = append(out, c)
		}
		if svc.Valid {
			last := &out[len(out)-1]
			last.Services = append(last.Services, svc.String)
			last.Profile = append(last.Profile, ProfileEntry{Service: svc.String, Weight: int(weight.Int64)})
		}
	}
	slices.SortStableFunc(out, func(a, b Counter) int { return compareIDs(a.ID, b.ID) })
	return out, rows.Err()
}

// compareIDs orders "2" before "10": counters are usually numbered.
func compareIDs(a, b string) int {
	if len(a) != len(b) {
		return len(a) - len(b)
	}
	return strings.Compare(a, b)
}

// CounterByID returns one counter with its profile.
func (s *Service) CounterByID(ctx context.Context, id string) (_ Counter, err error) {
	defer errs.Wrap(&err, "queue.CounterByID")
	return s.counter(ctx, s.db, id)
}

func (s *Service) counter(ctx context.Context, q store.Querier, id string) (Counter, error) {
	var c Counter
	var open int
	err := q.QueryRowContext(ctx, `SELECT id, hall_id, name, rule, open, staff FROM counters WHERE id = ?`, id).
		Scan(&c.ID, &c.Hall, &c.Name, &c.Rule, &open, &c.Staff)
	if errors.Is(err, sql.ErrNoRows) {
		return c, errs.NotFound("窗口", id)
	}
	if err != nil {
		return c, err
	}
	c.Open = open == 1
	rows, err := q.QueryContext(ctx, `SELECT service_code, weight FROM counter_services WHERE counter_id = ? ORDER BY position`, id)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	c.Services, c.Profile = []string{}, []ProfileEntry{}
	for rows.Next() {
		var p ProfileEntry
		if err := rows.Scan(&p.Service, &p.Weight); err != nil {
			return c, err
		}
		c.Services = append(c.Services, p.Service)
		c.Profile = append(c.Profile, p)
	}
	return c, rows.Err()
}

// SetCounterOpen opens or closes a counter (a closed counter is left out of wait estimates).
func (s *Service) SetCounterOpen(ctx context.Context, by audit.Actor, id string, open bool) (err error) {
	defer errs.Wrap(&err, "queue.SetCounterOpen")
	var p pending
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		p = pending{}
		c, err := s.counter(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE counters SET open = ?, staff = ?, updated_at = ? WHERE id = ?`, boolInt(open), by.Username, s.now().UTC(), id); err != nil {
			return err
		}
		action := "counter.close"
		if open {
			action = "counter.open"
		}
		p.add(newEvent(c.Hall, "counter", CounterData{Counter: c.ID, Open: open}))
		return s.audit.Record(ctx, tx, by, action, "counter", id, nil, nil)
	})
	if err == nil {
		s.Hub.committed(&p)
	}
	return err
}

func newID() string {
	var b [10]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
