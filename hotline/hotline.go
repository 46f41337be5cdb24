// Package hotline handles 12345 requests (HotlineTicket): an operator takes the call, answers it
// at once or dispatches it to the competent department, the department replies within its
// limit, the operator closes it with the caller's satisfaction, and every dissatisfied caller's
// ticket is followed up by a supervisor before it closes.
package hotline

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"banhao/audit"
	"banhao/calendar"
	"banhao/calendar/calstore"
	"banhao/errs"
	"banhao/identity"
	"banhao/ids"
	"banhao/notify"
	"banhao/store"
	"banhao/wiring"
)

// Categories of a request.
var Categories = []string{"咨询", "求助", "投诉", "举报", "建议"}

// Status of a ticket.
type Status string

// The statuses.
const (
	Received   Status = "received"
	Dispatched Status = "dispatched"
	Replied    Status = "replied"
	FollowUp   Status = "follow_up"
	Closed     Status = "closed"
)

// StatusNames are the Chinese names.
var StatusNames = map[Status]string{Received: "已受理", Dispatched: "已派单", Replied: "已答复", FollowUp: "待回访整改", Closed: "已办结"}

// Action on a ticket.
type Action string

// The actions.
const (
	Dispatch Action = "dispatch" // to a department (again, when it was the wrong one)
	Reply    Action = "reply"    // the answer: by the department, or by the operator at once
	Close    Action = "close"    // with the caller's satisfaction, 1–5
	Follow   Action = "follow"   // a supervisor's follow-up of a dissatisfied caller
)

// ReplyWorkingDays is the department's limit to answer a dispatched ticket.
const ReplyWorkingDays = 5

// Next is the rule of the ticket's life: which action is allowed in which status, and where it
// leads. A close with satisfaction 1 or 2 (差评) leads to a follow-up, not to the end.
func Next(s Status, a Action, satisfaction int) (Status, error) {
	switch {
	case a == Dispatch && (s == Received || s == Dispatched):
		return Dispatched, nil
	case a == Reply && (s == Received || s == Dispatched):
		return Replied, nil
	case a == Close && s == Replied:
		if satisfaction <= 2 {
			return FollowUp, nil
		}
		return Closed, nil
	case a == Follow && s == FollowUp:
		return Closed, nil
	}
	return s, errs.Conflict(fmt.Sprintf("工单状态为「%s」，不能%s", StatusNames[s], actionNames[a]))
}

var actionNames = map[Action]string{Dispatch: "派单", Reply: "答复", Close: "办结回访", Follow: "整改回访"}

// Caller is who called.
type Caller struct {
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

// Input is a new ticket (API.md POST /api/v1/hotline/tickets).
type Input struct {
	Caller   Caller `json:"caller"`
	Category string `json:"category"`
	Content  string `json:"content"`
}

// Event is one line of a ticket's history.
type Event struct {
	At         time.Time `json:"at"`
	Action     string    `json:"action"`
	ActionName string    `json:"action_name"`
	Actor      string    `json:"actor"`
	Status     Status    `json:"status"`
	StatusName string    `json:"status_name"`
	Detail     string    `json:"detail,omitempty"`
}

// Ticket is a 12345 ticket.
type Ticket struct {
	Number     string `json:"number"`
	Caller     Caller `json:"caller"`
	Category   string `json:"category"`
	Content    string `json:"content"`
	Status     Status `json:"status"`
	StatusName string `json:"status_name"`
	Department string `json:"department,omitempty"`
	// DepartmentName is the department as people read it.
	DepartmentName string         `json:"department_name,omitempty"`
	Due            *calendar.Date `json:"due,omitempty"`
	Overdue        bool           `json:"overdue"`
	Reply          string         `json:"reply,omitempty"`
	Satisfaction   *int           `json:"satisfaction,omitempty"`
	FollowUp       string         `json:"follow_up,omitempty"`
	CreatedAt      time.Time      `json:"created_at"`
	Events         []Event        `json:"events,omitempty"`
}

// Service keeps the tickets.
type Service struct {
	db    *store.DB
	audit *audit.Log
	pii   *identity.PII
	cal   *calstore.Service
	now   func() time.Time
	loc   *time.Location
	// jobs and outbox remind departments of reply limits.
	jobs   Jobs
	outbox *notify.Outbox
	logger *slog.Logger
}

// Config wires the service; every field is required.
type Config struct {
	DB       *store.DB
	Audit    *audit.Log
	PII      *identity.PII
	Calendar *calstore.Service
	Now      func() time.Time
	Location *time.Location
	// Jobs schedule the reply-limit reminders (jobs.Discard where none should run); Outbox
	// carries them.
	Jobs   Jobs
	Outbox *notify.Outbox
	// Logger records what the background work (the reminder sweep) could not do.
	Logger *slog.Logger
}

// New returns the hotline service.
func New(c Config) (_ *Service, err error) {
	defer errs.Wrap(&err, "hotline.New")
	if err := wiring.Require("hotline.New", wiring.Deps{"DB": c.DB, "Audit": c.Audit, "PII": c.PII, "Calendar": c.Calendar, "Now": c.Now,
		"Location": c.Location, "Jobs": c.Jobs, "Outbox": c.Outbox, "Logger": c.Logger}); err != nil {
		return nil, err
	}
	return &Service{db: c.DB, audit: c.Audit, pii: c.PII, cal: c.Calendar, now: c.Now, loc: c.Location, jobs: c.Jobs, outbox: c.Outbox, logger: c.Logger}, nil
}

func (s *Service) today() calendar.Date { return calendar.DateOf(s.now(), s.loc) }

// Create takes a request and returns its number.
func (s *Service) Create(ctx context.Context, by audit.Actor, in Input) (_ Ticket, err error) {
	defer errs.Wrap(&err, "hotline.Create")
	in.Caller.Name, in.Caller.Phone = strings.TrimSpace(in.Caller.Name), strings.TrimSpace(in.Caller.Phone)
	in.Category, in.Content = strings.TrimSpace(in.Category), strings.TrimSpace(in.Content)
	var v errs.Validation
	v.Check(in.Caller.Name != "" && utf8.RuneCountInString(in.Caller.Name) <= 50, "caller.name", "来电人姓名须为 1–50 字（可填“匿名”）")
	v.Check(ids.ValidPhone(in.Caller.Phone), "caller.phone", "来电号码须为手机号或带区号的固定电话")
	v.Check(slices.Contains(Categories, in.Category), "category", "类别须为 "+strings.Join(Categories, "、"))
	v.Check(in.Content != "" && utf8.RuneCountInString(in.Content) <= 2000, "content", "诉求内容须为 1–2000 字")
	if err := v.Err(); err != nil {
		return Ticket{}, err
	}
	now := s.now().UTC()
	t := Ticket{Caller: in.Caller, Category: in.Category, Content: in.Content, Status: Received, StatusName: StatusNames[Received], CreatedAt: now}
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		day := s.today()
		n, err := tx.Count(ctx, "hotline:"+day.String())
		if err != nil {
			return err
		}
		t.Number = fmt.Sprintf("12345-%s-%05d", strings.ReplaceAll(day.String(), "-", ""), n)
		if _, err := tx.ExecContext(ctx, `INSERT INTO hotline_tickets (number, caller_name, caller_phone_enc, caller_phone_idx, category, content, status,
			created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.Number, in.Caller.Name, s.pii.Seal(in.Caller.Phone),
			s.pii.Index(in.Caller.Phone), in.Category, in.Content, string(Received), by.Username, now, now); err != nil {
			return err
		}
		return s.event(ctx, tx, by, t.Number, "create", Received, map[string]string{"category": in.Category})
	})
	t.Caller.Phone = identity.MaskPhone(t.Caller.Phone)
	return t, err
}

func (s *Service) event(ctx context.Context, tx *store.Tx, by audit.Actor, number, action string, status Status, detail any) error {
	d, _ := json.Marshal(detail)
	if _, err := tx.ExecContext(ctx, `INSERT INTO hotline_events (number, at, action, actor, role, status, detail) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		number, s.now().UTC(), action, by.Username, by.Role, string(status), string(d)); err != nil {
		return err
	}
	return s.audit.Record(ctx, tx, by, "hotline."+action, "hotline_ticket", number, nil, detail)
}

// ActInput carries an action's parameters.
type ActInput struct {
	Department   string `json:"department,omitempty"`
	Text         string `json:"text,omitempty"`
	Satisfaction int    `json:"satisfaction,omitempty"`
}

// Act applies an action in one transaction with its history and audit entries. Who may act:
// the operator dispatches, closes and may answer at once; the department's approver answers
// what was dispatched to it; a supervisor follows up.
func (s *Service) Act(ctx context.Context, by audit.Actor, number string, a Action, in ActInput) (_ Ticket, err error) {
	defer errs.Wrap(&err, "hotline.Act")
	in.Text = strings.TrimSpace(in.Text)
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		var status Status
		var dept sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT status, department_code FROM hotline_tickets WHERE number = ?`+tx.ForUpdate(), number).Scan(&status, &dept)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.NotFound("工单", number)
		}
		if err != nil {
			return err
		}
		if err := mayAct(by, a, dept.String); err != nil {
			return err
		}
		next, err := Next(status, a, in.Satisfaction)
		if err != nil {
			return err
		}
		now := s.now().UTC()
		detail := map[string]any{}
		switch a {
		case Dispatch:
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM departments WHERE code = ?`, in.Department).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return errs.Invalid("department", "承办部门不存在，请从列表中选择")
			}
			cal, err := s.cal.Calendar(ctx)
			if err != nil {
				return err
			}
			due, err := cal.AddWorkingDays(s.today(), ReplyWorkingDays)
			if err != nil {
				return err
			}
			detail["department"], detail["due"] = in.Department, due
			_, err = tx.ExecContext(ctx, `UPDATE hotline_tickets SET status = ?, department_code = ?, due = ?, reminded = 0, updated_at = ? WHERE number = ?`,
				string(next), in.Department, due, now, number)
			if err != nil {
				return err
			}
			if err := s.scheduleReminder(ctx, tx, number, cal, due); err != nil {
				return err
			}
		case Reply, Follow:
			if in.Text == "" || utf8.RuneCountInString(in.Text) > 2000 {
				return errs.Invalid("text", "答复或回访内容须为 1–2000 字")
			}
			col := "reply"
			if a == Follow {
				col = "follow_up"
			}
			if _, err := tx.ExecContext(ctx, `UPDATE hotline_tickets SET status = ?, `+col+` = ?, updated_at = ? WHERE number = ?`,
				string(next), in.Text, now, number); err != nil {
				return err
			}
			detail["text"] = in.Text
		case Close:
			if in.Satisfaction < 1 || in.Satisfaction > 5 {
				return errs.Invalid("satisfaction", "来电人满意度须为 1–5（5 = 非常满意）")
			}
			if _, err := tx.ExecContext(ctx, `UPDATE hotline_tickets SET status = ?, satisfaction = ?, updated_at = ? WHERE number = ?`,
				string(next), in.Satisfaction, now, number); err != nil {
				return err
			}
			detail["satisfaction"] = in.Satisfaction
		}
		return s.event(ctx, tx, by, number, string(a), next, detail)
	})
	if err != nil {
		return Ticket{}, err
	}
	return s.Get(ctx, by, number)
}

// mayAct is who may do what: a rule of roles, checked again here so the service is safe
// whatever calls it.
func mayAct(by audit.Actor, a Action, dept string) error {
	r := identity.Role(by.Role)
	ok := false
	switch a {
	case Dispatch, Close:
		ok = r == identity.Hotline || r == identity.Admin
	case Reply:
		ok = r == identity.Hotline || r == identity.Admin || (r == identity.Approver && by.Department != "" && by.Department == dept)
	case Follow:
		ok = r == identity.Supervisor || r == identity.Admin
	default:
		return errs.Invalid("action", "未知的操作")
	}
	if !ok {
		return errs.Forbidden(fmt.Sprintf("角色 %s 不能%s", identity.RoleNames[r], actionNames[a]))
	}
	return nil
}

const columns = `number, caller_name, caller_phone_enc, category, content, status, COALESCE(department_code, ''),
	COALESCE((SELECT d.name FROM departments d WHERE d.code = hotline_tickets.department_code), ''), due, reply, satisfaction,
	follow_up, created_at`

func (s *Service) scan(r interface{ Scan(...any) error }) (Ticket, error) {
	var t Ticket
	var enc string
	var due sql.NullString
	var sat sql.NullInt64
	if err := r.Scan(&t.Number, &t.Caller.Name, &enc, &t.Category, &t.Content, &t.Status, &t.Department, &t.DepartmentName, &due, &t.Reply, &sat, &t.FollowUp, &t.CreatedAt); err != nil {
		return t, err
	}
	phone, err := s.pii.Open(enc)
	if err != nil {
		return t, err
	}
	t.Caller.Phone = phone
	if due.Valid && due.String != "" {
		if d, err := calendar.ParseDate(due.String); err == nil {
			t.Due = &d
			t.Overdue = t.Status == Dispatched && s.today() > d
		}
	}
	if sat.Valid {
		n := int(sat.Int64)
		t.Satisfaction = &n
	}
	t.StatusName = StatusNames[t.Status]
	t.CreatedAt = t.CreatedAt.UTC()
	return t, nil
}

// canSee: an approver sees the tickets of their own department; operators, supervisors and
// admins see all.
func canSee(by audit.Actor, dept string) bool {
	switch identity.Role(by.Role) {
	case identity.Hotline, identity.Supervisor, identity.Admin:
		return true
	case identity.Approver:
		return by.Department != "" && by.Department == dept
	}
	return false
}

// Get returns one ticket with its history. The caller's phone is shown in full only to the
// operators, who call back.
func (s *Service) Get(ctx context.Context, by audit.Actor, number string) (_ Ticket, err error) {
	defer errs.Wrap(&err, "hotline.Get")
	t, err := s.scan(s.db.QueryRowContext(ctx, `SELECT `+columns+` FROM hotline_tickets WHERE number = ?`, number))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !canSee(by, t.Department)) {
		return Ticket{}, errs.NotFound("工单", number)
	}
	if err != nil {
		return t, err
	}
	if identity.Role(by.Role) != identity.Hotline {
		t.Caller.Phone = identity.MaskPhone(t.Caller.Phone)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT at, action, actor, status, detail FROM hotline_events WHERE number = ? ORDER BY at, id`, number)
	if err != nil {
		return t, err
	}
	defer rows.Close()
	for rows.Next() {
		var e Event
		if err := rows.Scan(&e.At, &e.Action, &e.Actor, &e.Status, &e.Detail); err != nil {
			return t, err
		}
		e.At = e.At.UTC()
		e.ActionName, e.StatusName = audit.ActionName("hotline."+e.Action), StatusNames[e.Status]
		t.Events = append(t.Events, e)
	}
	return t, rows.Err()
}

// Query filters the list.
type Query struct {
	Status string
	Limit  int
}

// List returns tickets, newest first: an approver's department only.
func (s *Service) List(ctx context.Context, by audit.Actor, q Query) (_ []Ticket, err error) {
	defer errs.Wrap(&err, "hotline.List")
	where, args := "1=1", []any{}
	switch identity.Role(by.Role) {
	case identity.Hotline, identity.Supervisor, identity.Admin:
	case identity.Approver:
		where, args = "department_code = ?", append(args, by.Department)
	default:
		return nil, errs.Forbidden("无权查看 12345 工单")
	}
	if q.Status != "" {
		if _, ok := StatusNames[Status(q.Status)]; !ok {
			return nil, errs.Invalid("status", "未知的状态（请从列表中选择）")
		}
		where += " AND status = ?"
		args = append(args, q.Status)
	}
	if q.Limit <= 0 || q.Limit > 200 {
		q.Limit = 50
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+columns+` FROM hotline_tickets WHERE `+where+` ORDER BY created_at DESC, number DESC LIMIT ?`,
		append(args, q.Limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Ticket{}
	for rows.Next() {
		t, err := s.scan(rows)
		if err != nil {
			return nil, err
		}
		t.Caller.Phone = identity.MaskPhone(t.Caller.Phone)
		out = append(out, t)
	}
	return out, rows.Err()
}
