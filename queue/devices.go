package queue

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"banhao/audit"
	"banhao/errs"
	"banhao/identity"
	"banhao/store"
)

// Kinds of hall devices.
const (
	// KioskDevice is a self-service ticket machine with an ID card reader: it has a larger
	// ticket budget, and an ID number it sends was read from the card (绿色通道 by age).
	KioskDevice = "kiosk"
	// PadDevice is a counter's rating pad: it receives the one-time grant to rate the visit the
	// counter last finished.
	PadDevice = "pad"
)

// Device is a registered kiosk or rating pad. Key is shown once, when it is enrolled; only its
// hash is kept.
type Device struct {
	ID      string `json:"id"`
	Hall    string `json:"hall"`
	Kind    string `json:"kind"`
	Counter string `json:"counter,omitempty"`
	Name    string `json:"name"`
	Key     string `json:"key,omitempty"`
}

// EnrollDevice registers a kiosk or a counter's rating pad of a hall and returns it with its
// key, which the device presents from then on (header X-Device-Key or the device cookie).
func (s *Service) EnrollDevice(ctx context.Context, by audit.Actor, d Device) (_ Device, err error) {
	defer errs.Wrap(&err, "queue.EnrollDevice")
	d.Name = strings.TrimSpace(d.Name)
	var v errs.Validation
	v.Check(d.Kind == KioskDevice || d.Kind == PadDevice, "kind", "设备类型须为自助取号机或窗口评价器")
	v.Check(d.Name != "" && utf8.RuneCountInString(d.Name) <= 50, "name", "设备名称不能为空，最多 50 字")
	v.Check(d.Kind != PadDevice || d.Counter != "", "counter", "评价器须指明所属窗口")
	if d.Kind == KioskDevice {
		d.Counter = ""
	}
	if err := v.Err(); err != nil {
		return Device{}, err
	}
	d.ID, d.Key = newID(), identity.NewToken()
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		if _, err := s.hall(ctx, tx, d.Hall); err != nil {
			return err
		}
		if d.Counter != "" {
			c, err := s.counter(ctx, tx, d.Counter)
			if errs.Is(err, errs.CodeNotFound) || (err == nil && c.Hall != d.Hall) {
				return errs.Invalid("counter", "窗口不存在或不属于本大厅："+d.Counter)
			}
			if err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO hall_devices (id, hall_id, kind, counter_id, name, key_hash, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, d.ID, d.Hall, d.Kind, d.Counter, d.Name, identity.TokenHash(d.Key), by.Username, s.now().UTC()); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, by, "device.enroll", "hall_device", d.ID, nil, map[string]string{"hall": d.Hall, "kind": d.Kind,
			"counter": d.Counter, "name": d.Name})
	})
	if err != nil {
		return Device{}, err
	}
	return d, nil
}

// DeviceByKey returns the registered device that holds key; an unknown or revoked key is
// refused (a kiosk that lost its registration should be noticed, not quietly limited).
func (s *Service) DeviceByKey(ctx context.Context, key string) (_ Device, err error) {
	defer errs.Wrap(&err, "queue.DeviceByKey")
	var d Device
	var revoked sql.NullTime
	err = s.db.QueryRowContext(ctx, `SELECT id, hall_id, kind, counter_id, name, revoked_at FROM hall_devices WHERE key_hash = ?`, identity.TokenHash(key)).
		Scan(&d.ID, &d.Hall, &d.Kind, &d.Counter, &d.Name, &revoked)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && revoked.Valid) {
		return Device{}, errs.Unauthorized("本设备未登记或已停用，请大厅管理员重新登记")
	}
	return d, err
}

// RegisteredDevice is a device as the hall manager's list shows it (never its key).
type RegisteredDevice struct {
	Device
	CounterName string    `json:"counter_name,omitempty"`
	CreatedBy   string    `json:"created_by"` // the staff member's display name
	CreatedAt   time.Time `json:"created_at"`
}

// Devices lists the devices in service, newest first.
func (s *Service) Devices(ctx context.Context) (_ []RegisteredDevice, err error) {
	defer errs.Wrap(&err, "queue.Devices")
	rows, err := s.db.QueryContext(ctx, `SELECT d.id, d.hall_id, d.kind, d.counter_id, d.name, COALESCE(c.name, ''),
		COALESCE(NULLIF(u.display_name, ''), d.created_by), d.created_at
		FROM hall_devices d LEFT JOIN counters c ON c.id = d.counter_id LEFT JOIN users u ON u.username = d.created_by
		WHERE d.revoked_at IS NULL ORDER BY d.created_at DESC, d.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []RegisteredDevice{}
	for rows.Next() {
		var d RegisteredDevice
		if err := rows.Scan(&d.ID, &d.Hall, &d.Kind, &d.Counter, &d.Name, &d.CounterName, &d.CreatedBy, &d.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// RevokeDevice takes a device out of service at once: a lost or replaced kiosk's key no longer
// issues tickets or green-channel numbers, a pad's no longer receives rating grants.
func (s *Service) RevokeDevice(ctx context.Context, by audit.Actor, id string) (err error) {
	defer errs.Wrap(&err, "queue.RevokeDevice")
	return s.db.Tx(ctx, func(tx *store.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE hall_devices SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, s.now().UTC(), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return errs.NotFound("设备", id)
		}
		return s.audit.Record(ctx, tx, by, "device.revoke", "hall_device", id, nil, nil)
	})
}

// IsPad reports whether key is the rating pad of the counter.
func (s *Service) IsPad(ctx context.Context, key, counter string) (_ bool, err error) {
	defer errs.Wrap(&err, "queue.IsPad")
	if key == "" {
		return false, nil
	}
	d, err := s.DeviceByKey(ctx, key)
	if errs.Is(err, errs.CodeUnauthorized) {
		return false, nil
	}
	return err == nil && d.Kind == PadDevice && d.Counter == counter, err
}

// Ticket budgets: token buckets in the database, so every node spends from the same ones.
// Anonymous callers (the phone page, a browser at a kiosk that is not registered) share one
// budget per client address: a whole hall may sit behind one NAT, so 30 at once and then one
// every 10 seconds (360 an hour, more than a hall's counters serve). A registered kiosk has its
// own: 120 at once, then one every 2 seconds. Staff at the guide desk and signed-in applicants
// (one ticket per phone and line) are not limited.
var (
	AnonymousBudget = budget{Burst: 30, Every: 10 * time.Second}
	KioskBudget     = budget{Burst: 120, Every: 2 * time.Second}
)

type budget struct {
	Burst int
	Every time.Duration
}
