package queue

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"banhao/audit"
	"banhao/calendar"
	"banhao/errs"
	"banhao/identity"
	"banhao/ids"
	"banhao/notify"
	"banhao/store"
)

// Appointment statuses.
const (
	Booked    = "booked"
	CheckedIn = "checked_in"
	Cancelled = "cancelled"
	Missed    = "no_show" // not checked in by the end of the check-in window
)

// AppointmentStatusNames are shown to people.
var AppointmentStatusNames = map[string]string{Booked: "已预约", CheckedIn: "已签到", Cancelled: "已取消", Missed: "未到（爽约）"}

// Slot is an appointment slot of a service on a day.
type Slot struct {
	Start     string `json:"start"`
	End       string `json:"end"`
	Capacity  int    `json:"capacity"`
	Booked    int    `json:"booked"`
	Available int    `json:"available"`
}

// BookInput books an appointment.
type BookInput struct {
	Service  string `json:"service"`
	Date     string `json:"date"`
	Slot     string `json:"slot"`
	Name     string `json:"name"`
	Phone    string `json:"phone"`
	IDNumber string `json:"id_number,omitempty"`
	// Addr is the client address of an anonymous booking (its budget, BookingBudget); staff
	// booking for a caller are not limited.
	Addr string `json:"-"`
}

// Appointment is a booked visit.
type Appointment struct {
	ID string `json:"id"`
	// Code is what the applicant reads and says at the desk (预约号 A1204-07: the line's prefix,
	// the day, the booking's number that day); the id stays the appointment's address.
	Code        string    `json:"code"`
	Service     string    `json:"service"`
	ServiceName string    `json:"service_name"`
	Date        string    `json:"date"`
	Slot        string    `json:"slot"`
	SlotEnd     string    `json:"slot_end"`
	Status      string    `json:"status"`
	StatusName  string    `json:"status_name"`
	Name        string    `json:"name"`
	Phone       string    `json:"phone"`
	Ticket      string    `json:"ticket,omitempty"`
	CheckInFrom time.Time `json:"checkin_from"`
	CheckInTo   time.Time `json:"checkin_to"`
}

// AppointmentCode is an appointment's readable code: the queue line's prefix, the day as MMDD
// and the booking's number that day for that line (A1204-07). Unique per line and day; it is
// not a secret and opens nothing (the page's address is the appointment's id).
func AppointmentCode(prefix string, day calendar.Date, n int64) string {
	return fmt.Sprintf("%s%s-%02d", prefix, day.Time(time.UTC).Format("0102"), n)
}

// bookable checks that day is open for booking in svc: a working day, today or within the
// hall's booking horizon.
func (s *Service) bookable(ctx context.Context, svc QueueService, hall Hall, day calendar.Date) error {
	if svc.SlotCapacity == 0 {
		return errs.Invalid("service", "“"+svc.Name+"”不开放预约")
	}
	today := s.today()
	if day < today || int(day-today) > hall.BookingDays {
		return errs.Invalid("date", fmt.Sprintf("可预约今天起 %d 天内的日期", hall.BookingDays))
	}
	cal, err := s.cal.Calendar(ctx)
	if err != nil {
		return err
	}
	if !cal.IsWorkingDay(day) {
		return errs.Invalid("date", day.String()+" 不是工作日，大厅不办公")
	}
	return nil
}

// Slots lists the appointment slots of a service on a day with what is left of each.
func (s *Service) Slots(ctx context.Context, service, date string) (_ []Slot, err error) {
	defer errs.Wrap(&err, "queue.Slots")
	svc, hall, day, err := s.bookingTarget(ctx, service, date)
	if err != nil {
		return nil, err
	}
	if err := s.bookable(ctx, svc, hall, day); err != nil {
		return nil, err
	}
	from, _ := ParseClock(svc.ApptFrom)
	to, _ := ParseClock(svc.ApptTo)
	booked := map[string]int{}
	rows, err := s.db.QueryContext(ctx, `SELECT slot, booked FROM appointment_slots WHERE service_code = ? AND day = ?`, svc.Code, day.String())
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var slot string
		var n int
		if err := rows.Scan(&slot, &n); err != nil {
			return nil, err
		}
		booked[slot] = n
	}
	now := s.now()
	out := []Slot{}
	for _, c := range Slots(from, to, svc.SlotMinutes) {
		sl := Slot{Start: c.String(), End: (c + Clock(svc.SlotMinutes)).String(), Capacity: svc.SlotCapacity, Booked: booked[c.String()]}
		if At(day, c, s.loc).After(now) {
			sl.Available = max(0, sl.Capacity-sl.Booked)
		}
		out = append(out, sl)
	}
	return out, rows.Err()
}

func (s *Service) bookingTarget(ctx context.Context, service, date string) (QueueService, Hall, calendar.Date, error) {
	svc, err := s.ServiceByCode(ctx, service)
	if errs.Is(err, errs.CodeNotFound) {
		return svc, Hall{}, 0, errs.Invalid("service", "排队业务不存在："+service)
	}
	if err != nil {
		return svc, Hall{}, 0, err
	}
	day, err := calendar.ParseDate(date)
	if err != nil {
		return svc, Hall{}, 0, errs.Invalid("date", "日期须为 YYYY-MM-DD")
	}
	hall, err := s.HallByID(ctx, svc.Hall)
	return svc, hall, day, err
}

// Book reserves a place in a slot. One person (phone) holds at most one appointment per
// service and day; a full slot is a conflict.
func (s *Service) Book(ctx context.Context, by audit.Actor, in BookInput) (_ Appointment, err error) {
	defer errs.Wrap(&err, "queue.Book")
	var v errs.Validation
	v.Check(strings.TrimSpace(in.Name) != "" && utf8.RuneCountInString(in.Name) <= 50, "name", "请填写姓名（最多 50 字）")
	v.Check(ids.ValidPhone(in.Phone), "phone", "手机号须为 11 位手机号或带区号的固定电话")
	v.Check(in.IDNumber == "" || ids.ValidIDNumber(in.IDNumber), "id_number", "居民身份证号码无效（18 位，校验码须符合 GB 11643）")
	_, slotErr := ParseClock(in.Slot)
	v.Check(slotErr == nil, "slot", "时段须为 HH:MM")
	if err := v.Err(); err != nil {
		return Appointment{}, err
	}
	svc, hall, day, err := s.bookingTarget(ctx, in.Service, in.Date)
	if err != nil {
		return Appointment{}, err
	}
	if err := s.bookable(ctx, svc, hall, day); err != nil {
		return Appointment{}, err
	}
	slot, _ := ParseClock(in.Slot)
	from, _ := ParseClock(svc.ApptFrom)
	to, _ := ParseClock(svc.ApptTo)
	valid := false
	for _, c := range Slots(from, to, svc.SlotMinutes) {
		valid = valid || c == slot
	}
	if !valid {
		return Appointment{}, errs.Invalid("slot", fmt.Sprintf("没有 %s 开始的时段（%s–%s，每 %d 分钟一段）", slot, svc.ApptFrom, svc.ApptTo, svc.SlotMinutes))
	}
	if !At(day, slot, s.loc).After(s.now()) {
		return Appointment{}, errs.Invalid("slot", "该时段已开始，不能再预约")
	}
	if err := s.spendBooking(ctx, by, in.Addr); err != nil {
		return Appointment{}, err
	}
	now := s.now().UTC()
	a := Appointment{ID: newID(), Service: svc.Code, ServiceName: svc.Name, Date: day.String(), Slot: slot.String(), Status: Booked, Name: strings.TrimSpace(in.Name)}
	phoneIdx := s.pii.Index(in.Phone)
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM appointments WHERE phone_idx = ? AND day = ? AND service_code = ? AND status = 'booked'`,
			phoneIdx, a.Date, a.Service).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errs.Conflict("该手机号当天已预约本业务，如需改期请先取消原预约")
		}
		var booked int
		err := tx.QueryRowContext(ctx, `INSERT INTO appointment_slots (service_code, day, slot, booked) VALUES (?, ?, ?, 1)
			ON CONFLICT (service_code, day, slot) DO UPDATE SET booked = appointment_slots.booked + 1 WHERE appointment_slots.booked < ?
			RETURNING booked`, a.Service, a.Date, a.Slot, svc.SlotCapacity).Scan(&booked)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.Conflict(fmt.Sprintf("%s %s 的时段已约满，请选择其他时段", a.Date, a.Slot))
		}
		if err != nil {
			return err
		}
		seq, err := tx.Count(ctx, "appointment:"+a.Service+":"+a.Date)
		if err != nil {
			return err
		}
		a.Code = AppointmentCode(svc.Prefix, day, seq)
		if _, err := tx.ExecContext(ctx, `INSERT INTO appointments (id, code, service_code, day, slot, status, name, phone_enc, phone_idx, id_enc, id_idx,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'booked', ?, ?, ?, ?, ?, ?, ?)`, a.ID, a.Code, a.Service, a.Date, a.Slot, a.Name,
			s.pii.Seal(in.Phone), phoneIdx, sealOrEmpty(s.pii, in.IDNumber), s.index(in.IDNumber), now, now); err != nil {
			return err
		}
		if err := s.audit.Record(ctx, tx, by, "appointment.book", "appointment", a.ID, nil, map[string]any{"service": a.Service, "date": a.Date, "slot": a.Slot}); err != nil {
			return err
		}
		text := fmt.Sprintf("您已预约 %s %s %s“%s”，请于时段开始前 %d 分钟至开始后 %d 分钟内到厅签到取号。预约号 %s", svc.Name, a.Date, a.Slot,
			hall.Name, hall.CheckInBefore, hall.CheckInAfter, a.Code)
		return s.outbox.Add(ctx, tx, notify.Message{Recipient: "appointment:" + a.ID, Event: "appointment.booked", Subject: "预约成功", Body: text,
			Payload: map[string]any{"appointment": a.ID}})
	})
	if err != nil {
		return Appointment{}, err
	}
	return s.Appointment(ctx, a.ID)
}

func sealOrEmpty(p *identity.PII, v string) string {
	if v == "" {
		return ""
	}
	return p.Seal(v)
}

// Appointment returns one appointment (phone masked); a booked one whose check-in window has
// passed shows as no_show.
func (s *Service) Appointment(ctx context.Context, id string) (_ Appointment, err error) {
	defer errs.Wrap(&err, "queue.Appointment")
	return s.appointment(ctx, s.db, id)
}

func (s *Service) appointment(ctx context.Context, q store.Querier, id string) (Appointment, error) {
	var a Appointment
	var phoneEnc string
	var ticket sql.NullString
	err := q.QueryRowContext(ctx, `SELECT a.id, a.code, a.service_code, q.name, a.day, a.slot, a.status, a.name, a.phone_enc, a.ticket_id, q.slot_minutes
		FROM appointments a JOIN queue_services q ON q.code = a.service_code WHERE a.id = ?`, id).
		Scan(&a.ID, &a.Code, &a.Service, &a.ServiceName, &a.Date, &a.Slot, &a.Status, &a.Name, &phoneEnc, &ticket, new(int))
	if errors.Is(err, sql.ErrNoRows) {
		return a, errs.NotFound("预约", id)
	}
	if err != nil {
		return a, err
	}
	svc, err := s.service(ctx, q, a.Service)
	if err != nil {
		return a, err
	}
	hall, err := s.hall(ctx, q, svc.Hall)
	if err != nil {
		return a, err
	}
	day, _ := calendar.ParseDate(a.Date)
	slot, _ := ParseClock(a.Slot)
	a.SlotEnd = (slot + Clock(svc.SlotMinutes)).String()
	a.CheckInFrom, a.CheckInTo = CheckInWindow(At(day, slot, s.loc), hall.CheckInBefore, hall.CheckInAfter)
	if a.Status == Booked && s.now().After(a.CheckInTo) {
		a.Status = Missed
	}
	a.StatusName = AppointmentStatusNames[a.Status]
	a.Ticket = ticket.String
	if phone, err := s.pii.Open(phoneEnc); err == nil {
		a.Phone = identity.MaskPhone(phone)
	}
	a.Name = identity.MaskName(a.Name)
	return a, nil
}

// Cancel gives the place back (before the slot starts).
func (s *Service) Cancel(ctx context.Context, by audit.Actor, id string) (_ Appointment, err error) {
	defer errs.Wrap(&err, "queue.Cancel")
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		a, err := s.appointment(ctx, tx, id)
		if err != nil {
			return err
		}
		if a.Status != Booked {
			return errs.Conflict("预约状态为“" + a.StatusName + "”，不能取消")
		}
		day, _ := calendar.ParseDate(a.Date)
		slot, _ := ParseClock(a.Slot)
		if !At(day, slot, s.loc).After(s.now()) {
			return errs.Conflict("时段已开始，不能取消")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE appointments SET status = 'cancelled', updated_at = ? WHERE id = ?`, s.now().UTC(), id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE appointment_slots SET booked = booked - 1 WHERE service_code = ? AND day = ? AND slot = ?`,
			a.Service, a.Date, a.Slot); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, by, "appointment.cancel", "appointment", id, map[string]any{"status": Booked}, map[string]any{"status": Cancelled})
	})
	if err != nil {
		return Appointment{}, err
	}
	return s.Appointment(ctx, id)
}

// CheckIn turns an appointment into a ticket, inside the check-in window. The ticket queues at
// the slot's start: ahead of walk-ins who arrived after it, behind those who came before.
func (s *Service) CheckIn(ctx context.Context, by audit.Actor, id string) (_ Ticket, err error) {
	defer errs.Wrap(&err, "queue.CheckIn")
	var t Ticket
	var p pending
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		a, err := s.appointment(ctx, tx, id)
		if err != nil {
			return err
		}
		now := s.now()
		if a.Status != Booked {
			return errs.Conflict("预约状态为“" + a.StatusName + "”，不能签到")
		}
		if now.Before(a.CheckInFrom) {
			return errs.Conflict(fmt.Sprintf("签到时间为 %s–%s，请稍后再来", a.CheckInFrom.In(s.loc).Format("15:04"), a.CheckInTo.In(s.loc).Format("15:04")))
		}
		svc, err := s.service(ctx, tx, a.Service)
		if err != nil {
			return err
		}
		day, _ := calendar.ParseDate(a.Date)
		slot, _ := ParseClock(a.Slot)
		var phoneEnc, phoneIdx, idEnc, idIdx string
		if err := tx.QueryRowContext(ctx, `SELECT phone_enc, phone_idx, id_enc, id_idx FROM appointments WHERE id = ?`, id).
			Scan(&phoneEnc, &phoneIdx, &idEnc, &idIdx); err != nil {
			return err
		}
		t = Ticket{ID: newID(), Service: svc.Code, ServiceName: svc.Name, Hall: svc.Hall, Status: Waiting, Priority: Normal, Source: "appointment",
			Day: calendar.DateOf(now, s.loc).String(), ArrivedAt: now.UTC(), entered: now.UTC(), orderUS: At(day, slot, s.loc).UnixMicro(),
			Appointment: id, phoneEnc: phoneEnc, idEnc: idEnc}
		t.rank = Normal.rank()
		if err := s.insertTicket(ctx, tx, by, svc, &t, phoneIdx, idIdx, &p); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE appointments SET status = 'checked_in', ticket_id = ?, updated_at = ? WHERE id = ?`, t.ID, now.UTC(), id); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, by, "appointment.checkin", "appointment", id, map[string]any{"status": Booked},
			map[string]any{"status": CheckedIn, "ticket": t.ID, "number": t.Number})
	})
	if err != nil {
		return Ticket{}, err
	}
	s.Hub.committed(&p)
	return s.present(t, identity.Role(by.Role)), nil
}

// BookingBudget bounds anonymous bookings per client address (one phone number books one visit a
// day, but a script can invent phone numbers): 10 at once, then one every 6 minutes — a family or
// a company's clerk books a few, nobody books a day's slots.
var BookingBudget = budget{Burst: 10, Every: 6 * time.Minute}

func (s *Service) spendBooking(ctx context.Context, by audit.Actor, addr string) error {
	switch identity.Role(by.Role) {
	case identity.Clerk, identity.HallManager, identity.Admin:
		return nil
	}
	if addr == "" {
		return nil
	}
	b := identity.Bucket{Key: "book:a:" + addr, Burst: BookingBudget.Burst, Every: BookingBudget.Every}
	ok, err := s.limits.Spend(ctx, b)
	if err != nil {
		return err
	}
	if !ok {
		return errs.TooManyRequestsAfter(fmt.Sprintf("预约过于频繁，请 %d 分钟后再试，或拨打大厅电话预约", int(b.Every/time.Minute)), b.Every)
	}
	return nil
}
