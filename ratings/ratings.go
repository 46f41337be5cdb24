// Package ratings takes 好差评: a 5-level rating of a finished visit (a queue ticket) or of a
// finished case, once per visit or case.
package ratings

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
	"banhao/network"
	"banhao/store"
	"banhao/wiring"
)

// LevelNames are the five levels; 5 is the best. The two lowest are 差评.
var LevelNames = map[int]string{5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}

// Bad reports whether a level is a 差评 (to be followed up).
func Bad(level int) bool { return level <= 2 }

// Input is a rating (API.md POST /api/v1/ratings).
type Input struct {
	Case    string `json:"case,omitempty"`
	Ticket  string `json:"ticket,omitempty"`
	Level   int    `json:"level"`
	Comment string `json:"comment,omitempty"`
	// Token is the one-time grant the counter's rating pad received for the visit (a ticket
	// rating needs it: ticket IDs alone are guessable).
	Token string `json:"token,omitempty"`
	// Channel is where it was given: counter (the rating pad), online, kiosk, phone.
	Channel string `json:"channel,omitempty"`
}

// Rating is a stored rating.
type Rating struct {
	ID        int64     `json:"id"`
	Case      string    `json:"case,omitempty"`
	Ticket    string    `json:"ticket,omitempty"`
	Level     int       `json:"level"`
	LevelName string    `json:"level_name"`
	Bad       bool      `json:"bad"`
	Comment   string    `json:"comment"`
	Channel   string    `json:"channel"`
	CreatedAt time.Time `json:"created_at"`
}

// Service stores ratings.
type Service struct {
	db    *store.DB
	audit *audit.Log
	pii   *identity.PII
	now   func() time.Time
	loc   *time.Location // the center's time zone: the days of the statistics
	net   *network.Service
}

// oversees is the region by oversees ("" for all: no network, an account of no center, the city's).
func (s *Service) oversees(ctx context.Context, by audit.Actor) (string, error) {
	if by.Center == "" {
		return "", nil
	}
	centers, err := s.net.Centers(ctx)
	if err != nil {
		return "", fmt.Errorf("ratings: the region %s oversees: %w", by.Username, err)
	}
	return network.SupervisedRegion(centers, by.Center), nil
}

// ratingRegions are the joins and the condition that keep a rating of a region: its department
// lies in it (a case's, or the counter's), or it was given at a counter of a hall of a center in
// it (a hall visit of no department).
const ratingRegions = ` LEFT JOIN departments rd ON rd.code = r.department_code
	LEFT JOIN counters rc ON rc.id = r.counter_id LEFT JOIN halls rh ON rh.id = rc.hall_id LEFT JOIN centers rct ON rct.code = rh.center_code`

const ratingInRegion = ` AND (rd.region_code LIKE ? OR rct.region_code LIKE ?)`

// New returns the rating service.
//
// The lists and figures are regional (区域分级监督) through net: a supervisor or an admin of a
// county's center sees the ratings of its region's departments and centers only
// (network.SupervisedRegion), as the cases' figures do.
// Every argument is required.
func New(db *store.DB, log *audit.Log, pii *identity.PII, now func() time.Time, loc *time.Location, net *network.Service) (_ *Service, err error) {
	defer errs.Wrap(&err, "ratings.New")
	if err := wiring.Require("ratings.New", wiring.Deps{"db": db, "log": log, "pii": pii, "now": now, "loc": loc, "net": net}); err != nil {
		return nil, err
	}
	return &Service{db: db, audit: log, pii: pii, now: now, loc: loc, net: net}, nil
}

// Rater is who gives a rating, as the web layer authenticated them.
type Rater struct {
	Actor audit.Actor
	// Staff is a signed-in staff member: staff never rate on a citizen's behalf.
	Staff bool
	// Applicant is the ID number of a signed-in applicant's principal (online or at the kiosk).
	Applicant string
}

// GrantTTL is how long a rating pad's grant lasts after the visit ended.
const GrantTTL = 15 * time.Minute

// errNoGrant is the one answer to a ticket rating without a valid grant, whatever the ticket.
var errNoGrant = errs.Forbidden("本次服务的评价须在窗口评价器上进行（评价凭证无效、已使用或已过期）")

// Grant is the one-time permission a counter's rating pad holds to rate the visit the counter
// last finished.
type Grant struct {
	Ticket    string    `json:"ticket"`
	Number    string    `json:"number"`
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// PadGrant gives the rating pad of a counter (the caller has checked that it is that pad) a
// fresh one-time grant for the visit the counter last finished, if it ended less than GrantTTL
// ago and is not rated yet; an earlier grant of the counter lapses. Only the token's hash is kept.
func (s *Service) PadGrant(ctx context.Context, counter string) (_ Grant, _ bool, err error) {
	defer errs.Wrap(&err, "ratings.PadGrant")
	now := s.now().UTC()
	var g Grant
	var finished time.Time
	found := false
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT t.id, t.number, t.finished_at FROM tickets t WHERE t.counter_id = ? AND t.status = 'done'
			AND NOT EXISTS (SELECT 1 FROM ratings r WHERE r.ticket_id = t.id) ORDER BY t.finished_at DESC LIMIT 1`, counter).Scan(&g.Ticket, &g.Number, &finished)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		later, err := finishedSince(ctx, tx, counter, finished)
		if err != nil {
			return err
		}
		g.ExpiresAt = finished.UTC().Add(GrantTTL)
		if later || !now.Before(g.ExpiresAt) {
			return nil
		}
		g.Token, found = identity.NewToken(), true
		_, err = tx.ExecContext(ctx, `INSERT INTO rating_grants (counter_id, ticket_id, token_hash, expires_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (counter_id) DO UPDATE SET ticket_id = excluded.ticket_id, token_hash = excluded.token_hash, expires_at = excluded.expires_at`,
			counter, g.Ticket, identity.TokenHash(g.Token), g.ExpiresAt)
		return err
	})
	if err != nil {
		return Grant{}, false, fmt.Errorf("ratings: the grant of counter %s: %w", counter, err)
	}
	if !found {
		return Grant{}, false, nil
	}
	return g, true, nil
}

var channels = map[string]bool{"counter": true, "online": true, "kiosk": true, "phone": true, "sms": true}

// ChannelNames are the channels a rating came by, as people read them.
var ChannelNames = map[string]string{"counter": "窗口评价器", "online": "网上办事大厅", "kiosk": "自助终端", "phone": "电话", "sms": "短信"}

// Rate stores a rating of a finished visit or case; each is rated once. A case is rated by its
// applicant (signed in online or at the kiosk); a visit on the rating pad of the counter that
// served it, with the pad's one-time grant. Anyone else gets one answer whatever the case
// number or ticket, so the answers tell nothing about them; staff never rate for a citizen.
func (s *Service) Rate(ctx context.Context, rater Rater, in Input) (_ Rating, err error) {
	defer errs.Wrap(&err, "ratings.Rate")
	by := rater.Actor
	in.Comment = strings.TrimSpace(in.Comment)
	if in.Channel == "" {
		in.Channel = "counter"
		if in.Case != "" {
			in.Channel = "online"
		}
	}
	var v errs.Validation
	v.Check((in.Case == "") != (in.Ticket == ""), "case", "须且只能评价一个办件或一次排队")
	v.Check(in.Level >= 1 && in.Level <= 5, "level", "评价等级须为 1–5（5 = 非常满意）")
	v.Check(utf8.RuneCountInString(in.Comment) <= 500, "comment", "评价内容最多 500 字")
	v.Check(channels[in.Channel], "channel", "评价渠道须为窗口评价器、网上办事大厅、自助终端、电话或短信")
	if err := v.Err(); err != nil {
		return Rating{}, err
	}
	if rater.Staff {
		return Rating{}, errs.Forbidden("工作人员不能代群众评价")
	}
	if in.Case != "" && rater.Applicant == "" {
		return Rating{}, errs.Forbidden("办件须由申请人本人登录后评价（网上办事大厅“我的办件”或自助终端）")
	}
	r := Rating{Case: in.Case, Ticket: in.Ticket, Level: in.Level, LevelName: LevelNames[in.Level], Bad: Bad(in.Level),
		Comment: in.Comment, Channel: in.Channel, CreatedAt: s.now().UTC()}
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		var dept, service, counter, staff, status string
		objType, objID := "ticket", in.Ticket
		if in.Case != "" {
			objType, objID = "case", in.Case
			err := tx.QueryRowContext(ctx, `SELECT department_code, status, assignee FROM cases WHERE number = ? AND applicant_id_idx = ?`,
				in.Case, s.pii.Index(identity.NormalizeID(rater.Applicant))).Scan(&dept, &status, &staff)
			if errors.Is(err, sql.ErrNoRows) {
				return errs.NotFound("办件", in.Case) // someone else's or none: the same answer
			}
			if err != nil {
				return err
			}
			if status != "decided" && status != "delivered" && status != "rejected" && status != "terminated" {
				return errs.Conflict("办件办结后才能评价")
			}
		} else {
			// The grant is spent here; a rating that fails later gives it back with the rollback.
			var grantCounter string
			err := tx.QueryRowContext(ctx, `DELETE FROM rating_grants WHERE ticket_id = ? AND token_hash = ? AND expires_at > ? RETURNING counter_id`,
				in.Ticket, identity.TokenHash(in.Token), r.CreatedAt).Scan(&grantCounter)
			if errors.Is(err, sql.ErrNoRows) {
				return errNoGrant
			}
			if err != nil {
				return err
			}
			var finished sql.NullTime
			err = tx.QueryRowContext(ctx, `SELECT service_code, counter_id, staff, status, finished_at FROM tickets WHERE id = ?`, in.Ticket).
				Scan(&service, &counter, &staff, &status, &finished)
			if err != nil {
				return err
			}
			later, err := finishedSince(ctx, tx, counter, finished.Time)
			if err != nil {
				return err
			}
			if status != "done" || !finished.Valid || counter != grantCounter || later {
				return errNoGrant // the counter has finished another visit since
			}
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO ratings (case_number, ticket_id, level, comment, channel, department_code, service_code,
			counter_id, staff, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, nullString(in.Case), nullString(in.Ticket),
			in.Level, in.Comment, in.Channel, dept, service, counter, staff, r.CreatedAt).Scan(&r.ID)
		if store.IsUniqueViolation(err) {
			return errs.Conflict("已经评价过了，每次服务只能评价一次")
		}
		if err != nil {
			return err
		}
		good, bad := 0, 0
		if in.Level >= 4 {
			good = 1
		}
		if Bad(in.Level) {
			bad = 1
		}
		if err := s.count(ctx, tx, r.CreatedAt, dept, 1, good, bad, 0, in.Level); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, by, "rating.create", objType, objID, nil, map[string]any{"level": in.Level, "bad": r.Bad, "channel": in.Channel})
	})
	if err != nil {
		return Rating{}, fmt.Errorf("ratings: rate case %q ticket %q: %w", in.Case, in.Ticket, err)
	}
	return r, nil
}

func nullString(v string) any {
	if v == "" {
		return nil
	}
	return v
}

// FollowedRating is a rating as the follow-up list shows it.
type FollowedRating struct {
	Rating
	Department string     `json:"department,omitempty"`
	Service    string     `json:"service,omitempty"`
	Counter    string     `json:"counter,omitempty"`
	Staff      string     `json:"staff,omitempty"`
	FollowUp   string     `json:"follow_up,omitempty"`
	FollowedBy string     `json:"followed_by,omitempty"`
	FollowedAt *time.Time `json:"followed_at,omitempty"`
	// What a person reads for the codes above: the ticket's number (A012), the department's,
	// queue line's and counter's names, and the staff members' display names.
	ChannelName    string `json:"channel_name"`
	TicketNumber   string `json:"ticket_number,omitempty"`
	DepartmentName string `json:"department_name,omitempty"`
	ServiceName    string `json:"service_name,omitempty"`
	CounterName    string `json:"counter_name,omitempty"`
	StaffName      string `json:"staff_name,omitempty"`
	FollowedByName string `json:"followed_by_name,omitempty"`
}

// Where is who served, as a person reads it: department, queue line, counter and staff member
// by name, those known.
func (r FollowedRating) Where() string {
	var parts []string
	for _, p := range []string{r.DepartmentName, r.ServiceName, r.CounterName, r.StaffName} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " · ")
}

// BadRatings lists the 差评 (levels 1–2), those still waiting for their follow-up first, then the
// followed-up ones, newest first; open limits the list to those still waiting.
func (s *Service) BadRatings(ctx context.Context, open bool, limit int) (_ []FollowedRating, err error) {
	defer errs.Wrap(&err, "ratings.BadRatings")
	return s.badRatings(ctx, open, limit, "")
}

// BadRatingsFor are the BadRatings that by oversees: a county's supervisor sees its region's.
func (s *Service) BadRatingsFor(ctx context.Context, by audit.Actor, open bool, limit int) (_ []FollowedRating, err error) {
	defer errs.Wrap(&err, "ratings.BadRatingsFor")
	scope, err := s.oversees(ctx, by)
	if err != nil {
		return nil, err
	}
	return s.badRatings(ctx, open, limit, scope)
}

func (s *Service) badRatings(ctx context.Context, open bool, limit int, scope string) ([]FollowedRating, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	where := "r.level <= 2"
	if open {
		where += " AND r.followed_at IS NULL"
	}
	args := []any{}
	joins := ""
	if scope != "" {
		joins, where = ratingRegions, where+ratingInRegion
		args = append(args, network.Prefix(scope)+"%", network.Prefix(scope)+"%")
	}
	rows, err := s.db.QueryContext(ctx, `SELECT r.id, COALESCE(r.case_number, ''), COALESCE(r.ticket_id, ''), r.level, r.comment, r.channel, r.created_at,
		r.department_code, r.service_code, r.counter_id, r.staff, r.follow_up, r.followed_by, r.followed_at,
		COALESCE(t.number, ''), COALESCE(d.name, r.department_code), COALESCE(q.name, r.service_code), COALESCE(c.name, r.counter_id),
		COALESCE(su.display_name, r.staff), COALESCE(fu.display_name, r.followed_by)
		FROM ratings r LEFT JOIN tickets t ON t.id = r.ticket_id LEFT JOIN departments d ON d.code = r.department_code
		LEFT JOIN queue_services q ON q.code = r.service_code LEFT JOIN counters c ON c.id = r.counter_id
		LEFT JOIN users su ON su.username = r.staff LEFT JOIN users fu ON fu.username = r.followed_by`+joins+`
		WHERE `+where+` ORDER BY CASE WHEN r.followed_at IS NULL THEN 0 ELSE 1 END, r.created_at DESC, r.id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("ratings: bad ratings: %w", err)
	}
	defer rows.Close()
	out := []FollowedRating{}
	for rows.Next() {
		var r FollowedRating
		var at sql.NullTime
		if err := rows.Scan(&r.ID, &r.Case, &r.Ticket, &r.Level, &r.Comment, &r.Channel, &r.CreatedAt, &r.Department, &r.Service, &r.Counter,
			&r.Staff, &r.FollowUp, &r.FollowedBy, &at, &r.TicketNumber, &r.DepartmentName, &r.ServiceName, &r.CounterName,
			&r.StaffName, &r.FollowedByName); err != nil {
			return nil, fmt.Errorf("ratings: bad ratings: %w", err)
		}
		r.LevelName, r.Bad, r.CreatedAt = LevelNames[r.Level], true, r.CreatedAt.UTC()
		r.ChannelName = ChannelNames[r.Channel]
		if at.Valid {
			t := at.Time.UTC()
			r.FollowedAt = &t
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ratings: bad ratings: %w", err)
	}
	return out, nil
}

// FollowUp records what was done about a 差评: every bad rating is followed up once, with the
// contact and the remedy in text.
func (s *Service) FollowUp(ctx context.Context, by audit.Actor, id int64, text string) (err error) {
	defer errs.Wrap(&err, "ratings.FollowUp")
	text = strings.TrimSpace(text)
	if text == "" || utf8.RuneCountInString(text) > 1000 {
		return errs.Invalid("text", "须写明回访和整改情况（1–1000 字）")
	}
	scope, err := s.oversees(ctx, by)
	if err != nil {
		return err
	}
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		if scope != "" { // a county's supervisor follows up its region's ratings only: another's is not on its list
			var n int
			err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM ratings r`+ratingRegions+` WHERE r.id = ?`+ratingInRegion,
				id, network.Prefix(scope)+"%", network.Prefix(scope)+"%").Scan(&n)
			if err != nil {
				return err
			}
			if n == 0 {
				return errs.NotFound("评价", fmt.Sprint(id))
			}
		}
		var level int
		var followed sql.NullTime
		var created time.Time
		var dept string
		err := tx.QueryRowContext(ctx, `SELECT level, followed_at, created_at, department_code FROM ratings WHERE id = ?`+tx.ForUpdate(), id).
			Scan(&level, &followed, &created, &dept)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.NotFound("评价", fmt.Sprint(id))
		}
		if err != nil {
			return err
		}
		if !Bad(level) {
			return errs.Conflict("只有差评（非常不满意、不满意）需要回访整改")
		}
		if followed.Valid {
			return errs.Conflict("该差评已回访整改")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ratings SET follow_up = ?, followed_by = ?, followed_at = ? WHERE id = ?`,
			text, by.Username, s.now().UTC(), id); err != nil {
			return err
		}
		if err := s.count(ctx, tx, created, dept, 0, 0, 0, 1, 0); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, by, "rating.follow_up", "rating", fmt.Sprint(id), nil, map[string]string{"text": text})
	})
	if err != nil {
		return fmt.Errorf("ratings: follow up rating %d: %w", id, err)
	}
	return nil
}

// SummaryRow counts one department's ratings of a period (hall visits not tied to a case have
// no department).
type SummaryRow struct {
	Department string `json:"department"`
	Name       string `json:"name"`
	Ratings    int    `json:"ratings"`
	Good       int    `json:"good"`        // 满意 or 非常满意 (4–5)
	Bad        int    `json:"bad"`         // 差评 (1–2)
	FollowedUp int    `json:"followed_up"` // 差评 whose follow-up is recorded
	// GoodRate is Good over Ratings (好评率); Average the mean level, 1–5.
	GoodRate float64 `json:"good_rate"`
	Average  float64 `json:"average"`
}

// GoodPercent is the good rate as a percentage with one decimal.
func (r SummaryRow) GoodPercent() string { return fmt.Sprintf("%.1f%%", r.GoodRate*100) }

// Summary counts the ratings given from one day to another (inclusive, in the center's time
// zone) per department, most rated first, from the figures kept as ratings come in: the lines of
// rating_stats plus the rows of rating_stats_delta not yet folded, in one statement (one
// snapshot: each rating counted once, before or after its fold).
func (s *Service) Summary(ctx context.Context, from, to calendar.Date) (_ []SummaryRow, err error) {
	defer errs.Wrap(&err, "ratings.Summary")
	rows, err := s.db.QueryContext(ctx, `SELECT department_code, SUM(ratings), SUM(good), SUM(bad), SUM(followed_up), SUM(level_sum) FROM (
		SELECT department_code, ratings, good, bad, followed_up, level_sum FROM rating_stats WHERE day >= ? AND day <= ?
		UNION ALL
		SELECT department_code, ratings, good, bad, followed_up, level_sum FROM rating_stats_delta WHERE day >= ? AND day <= ?) l
		GROUP BY department_code ORDER BY SUM(ratings) DESC, department_code`,
		from.String(), to.String(), from.String(), to.String())
	if err != nil {
		return nil, fmt.Errorf("rating summary: %w", err)
	}
	defer rows.Close()
	out := []SummaryRow{}
	for rows.Next() {
		var r SummaryRow
		var sum int
		if err := rows.Scan(&r.Department, &r.Ratings, &r.Good, &r.Bad, &r.FollowedUp, &sum); err != nil {
			return nil, fmt.Errorf("rating summary: %w", err)
		}
		if r.Ratings > 0 {
			r.GoodRate, r.Average = float64(r.Good)/float64(r.Ratings), float64(sum)/float64(r.Ratings)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("rating summary: %w", err)
	}
	return out, nil
}

// SummaryFor is the Summary of the departments by oversees: a county's supervisor sees its
// region's departments (the hall visits of no department are the city's).
func (s *Service) SummaryFor(ctx context.Context, by audit.Actor, from, to calendar.Date) (_ []SummaryRow, err error) {
	defer errs.Wrap(&err, "ratings.SummaryFor")
	rows, err := s.Summary(ctx, from, to)
	if err != nil {
		return nil, err
	}
	scope, err := s.oversees(ctx, by)
	if err != nil || scope == "" {
		return rows, err
	}
	regions := map[string]string{}
	dr, err := s.db.QueryContext(ctx, `SELECT code, region_code FROM departments`)
	if err != nil {
		return nil, fmt.Errorf("rating summary: the departments' regions: %w", err)
	}
	defer dr.Close()
	for dr.Next() {
		var code, region string
		if err := dr.Scan(&code, &region); err != nil {
			return nil, fmt.Errorf("rating summary: the departments' regions: %w", err)
		}
		regions[code] = region
	}
	if err := dr.Err(); err != nil {
		return nil, fmt.Errorf("rating summary: the departments' regions: %w", err)
	}
	kept := rows[:0]
	for _, r := range rows {
		if region, ok := regions[r.Department]; ok && network.Oversees(scope, region) {
			kept = append(kept, r)
		}
	}
	return kept, nil
}

// count adds to the line of rating_stats of the day a rating was given and its department: as
// a row appended to rating_stats_delta (FoldStats adds it to the line), so that concurrent
// ratings of one department and day do not wait for each other on the line's row.
func (s *Service) count(ctx context.Context, tx *store.Tx, given time.Time, dept string, ratings, good, bad, followed, levels int) error {
	err := tx.ExecLater(ctx, `INSERT INTO rating_stats_delta (day, department_code, ratings, good, bad, followed_up, level_sum)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		calendar.DateOf(given, s.loc).String(), dept, ratings, good, bad, followed, levels)
	if err != nil {
		return fmt.Errorf("rating statistics: %w", err)
	}
	return nil
}

// FoldEvery is how often the runner folds rating_stats_delta into the lines (a loop app registers).
const FoldEvery = 5 * time.Second

// foldLock is the PostgreSQL advisory lock (per transaction) that lets one fold or rebuild of
// the rating figures run at a time.
const foldLock = `SELECT pg_advisory_xact_lock(4242028)`

// foldInto adds the rows of from (rating_stats_delta, or the rows a statement deleted from it),
// summed per day and department, to the lines of rating_stats.
func foldInto(from string) string {
	add := func(c string) string { return c + ` = rating_stats.` + c + ` + excluded.` + c }
	return `INSERT INTO rating_stats (day, department_code, ratings, good, bad, followed_up, level_sum)
	SELECT day, department_code, SUM(ratings), SUM(good), SUM(bad), SUM(followed_up), SUM(level_sum)
	FROM ` + from + ` WHERE true GROUP BY 1, 2 ORDER BY 1, 2
	ON CONFLICT (day, department_code) DO UPDATE SET ` +
		strings.Join([]string{add("ratings"), add("good"), add("bad"), add("followed_up"), add("level_sum")}, ", ")
}

// foldStats are FoldStats' statements, as cases' fold: a query that returns how many rows the
// fold takes, then the rest. PostgreSQL: after the lock, one statement deletes the rows it sees
// and adds exactly those (rows committed meanwhile stay for the next fold); SQLite: the writer
// holds the database for the whole transaction.
var foldStats = map[store.Dialect]store.Fold{
	store.Postgres: {Lock: foldLock, Count: `WITH d AS (DELETE FROM rating_stats_delta RETURNING *),
	f AS (` + foldInto("d") + `)
	SELECT COUNT(*) FROM d`},
	store.SQLite: {Count: `SELECT COUNT(*) FROM rating_stats_delta`, Then: []string{foldInto("rating_stats_delta"), `DELETE FROM rating_stats_delta`}},
}

// FoldStats adds the rows of rating_stats_delta to the lines of rating_stats and deletes them, in
// one transaction, and says how many rows it folded. Summary reads the same before and after.
// Safe at any time, on several nodes at once (PostgreSQL: one at a time, by an advisory lock).
func FoldStats(ctx context.Context, db *store.DB) (_ int, err error) {
	defer errs.Wrap(&err, "ratings.FoldStats")
	n, err := foldStats[db.Dialect].Run(ctx, db)
	if err != nil {
		return 0, fmt.Errorf("fold rating statistics: %w", err)
	}
	return n, nil
}

// BackfillStats is the statement of migration 00019 that builds rating_stats from the ratings
// (days in China Standard Time, as the default BANHAO_TZ); RebuildStats runs it again.
var BackfillStats = map[store.Dialect]string{
	store.SQLite: `INSERT INTO rating_stats (day, department_code, ratings, good, bad, followed_up, level_sum)
SELECT date(substr(created_at, 1, 19), '+8 hours'), department_code, COUNT(*),
    SUM(CASE WHEN level >= 4 THEN 1 ELSE 0 END), SUM(CASE WHEN level <= 2 THEN 1 ELSE 0 END),
    SUM(CASE WHEN level <= 2 AND followed_at IS NOT NULL THEN 1 ELSE 0 END), SUM(level)
FROM ratings GROUP BY 1, 2;`,
	store.Postgres: `INSERT INTO rating_stats (day, department_code, ratings, good, bad, followed_up, level_sum)
SELECT to_char(created_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD'), department_code, COUNT(*),
    SUM(CASE WHEN level >= 4 THEN 1 ELSE 0 END), SUM(CASE WHEN level <= 2 THEN 1 ELSE 0 END),
    SUM(CASE WHEN level <= 2 AND followed_at IS NOT NULL THEN 1 ELSE 0 END), SUM(level)
FROM ratings GROUP BY 1, 2;`,
}

// RebuildStats recomputes rating_stats from the ratings, as the migration did, and drops the rows
// not yet folded (the ratings hold them already). For after a bulk load, with no rating coming in.
func RebuildStats(ctx context.Context, db *store.DB) (err error) {
	defer errs.Wrap(&err, "ratings.RebuildStats")
	return db.Tx(ctx, func(tx *store.Tx) error {
		qs := []string{`DELETE FROM rating_stats_delta`, `DELETE FROM rating_stats`, strings.TrimSuffix(BackfillStats[db.Dialect], ";")}
		if db.Dialect == store.Postgres {
			qs = append([]string{foldLock}, qs...)
		}
		for _, q := range qs {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("ratings: rebuild the figures: %w", err)
			}
		}
		return nil
	})
}

// finishedSince reports whether a counter has finished another visit after a time: a rating
// grant is for the counter's last visit only.
func finishedSince(ctx context.Context, tx *store.Tx, counter string, at time.Time) (bool, error) {
	// The counter has moved on: it finished another visit, or called the next visitor, who now
	// stands at the pad and must not rate the one before.
	var later int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets WHERE counter_id = ? AND ((status = 'done' AND finished_at > ?) OR called_at > ?)`,
		counter, at, at).Scan(&later)
	return later > 0, err
}
