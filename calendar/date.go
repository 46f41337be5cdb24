package calendar

import (
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"
)

// Date is a calendar day, counted in days since 1970-01-01. It has no time zone: callers
// convert from a time in the center's zone with DateOf.
type Date int32

const layout = "2006-01-02"

// DateOf returns the day of t in loc.
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return MakeDate(y, m, d)
}

// MakeDate returns the date y-m-d (normalised like time.Date).
func MakeDate(y int, m time.Month, d int) Date {
	return Date(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

var dateShape = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(layout, s)
	if err != nil {
		if dateShape.MatchString(s) { // 2026-02-30: the right shape, no such day
			return 0, fmt.Errorf("日期 %s 不存在", s)
		}
		return 0, errors.New("日期须为 YYYY-MM-DD 格式")
	}
	return Date(t.Unix() / 86400), nil
}

// MustDate is ParseDate for constants in tests and tables.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// Time is midnight of the day in loc.
func (d Date) Time(loc *time.Location) time.Time {
	u := time.Unix(int64(d)*86400, 0).UTC()
	return time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, loc)
}

func (d Date) String() string { return time.Unix(int64(d)*86400, 0).UTC().Format(layout) }

// Weekday of the date.
func (d Date) Weekday() time.Weekday { return time.Weekday((int(d)%7 + 7 + 4) % 7) } // 1970-01-01 was a Thursday

// AddDays moves n natural days.
func (d Date) AddDays(n int) Date { return d + Date(n) }

// MarshalJSON writes "YYYY-MM-DD".
func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads "YYYY-MM-DD".
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("日期须为 \"YYYY-MM-DD\" 字符串")
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Value stores a date as TEXT YYYY-MM-DD on both engines.
func (d Date) Value() (driver.Value, error) { return d.String(), nil }

// Scan reads a TEXT date.
func (d *Date) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	case time.Time:
		*d = Date(time.Date(v.Year(), v.Month(), v.Day(), 0, 0, 0, 0, time.UTC).Unix() / 86400)
		return nil
	default:
		return fmt.Errorf("calendar: cannot scan %T into Date", src)
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}
