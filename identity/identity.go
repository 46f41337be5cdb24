// Package identity holds staff accounts, their roles, sign-in and sessions.
package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"regexp"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"banhao/audit"
	"banhao/errs"
	"banhao/store"
	"banhao/wiring"
)

// Role is what a staff account may do.
type Role string

// The roles of API.md.
const (
	Admin       Role = "admin"
	Clerk       Role = "clerk"
	Approver    Role = "approver"
	Agent       Role = "agent"
	HallManager Role = "hall_manager"
	Supervisor  Role = "supervisor"
	Hotline     Role = "hotline"
	Auditor     Role = "auditor"
)

// Roles lists every role, in the order pages show them.
var Roles = []Role{Admin, Clerk, Approver, Agent, HallManager, Supervisor, Hotline, Auditor}

// RoleNames are the Chinese names shown on pages.
var RoleNames = map[Role]string{
	Admin: "中心管理员", Clerk: "综合窗口", Approver: "后台审批", Agent: "代办员",
	HallManager: "大厅管理", Supervisor: "电子监察", Hotline: "12345 热线", Auditor: "审计员",
}

// RoleUnits name where a role works, for a reader who belongs to no department (the applicant's
// data-access list says 综合受理窗口, never a blank).
var RoleUnits = map[Role]string{
	Admin: "中心管理", Clerk: "综合受理窗口", Approver: "后台审批", Agent: "代办",
	HallManager: "大厅管理", Supervisor: "电子监察（监督）", Hotline: "12345 热线", Auditor: "审计",
}

// ValidRole reports whether r is one of Roles.
func ValidRole(r Role) bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// User is a staff account.
type User struct {
	ID          int64  `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Role        Role   `json:"role"`
	Department  string `json:"department,omitempty"`
	// Center is the service center the account works at (the main center unless said).
	Center   string `json:"center,omitempty"`
	Disabled bool   `json:"disabled"`
}

// Actor is the user as the audit log names them.
func (u User) Actor() audit.Actor {
	return audit.Actor{Username: u.Username, Role: string(u.Role), Department: u.Department, Center: u.Center}
}

// Session kinds: an API bearer token or a browser cookie.
const (
	KindAPI = "api"
	KindWeb = "web"
)

// Session is a signed-in user; Token is only known right after sign-in.
type Session struct {
	Token     string
	CSRF      string
	ExpiresAt time.Time
	User      User
	// Device is the known-device token the browser keeps for its next sign-in (LoginOnDevice).
	Device string
}

// Service manages accounts and sessions.
type Service struct {
	db    *store.DB
	audit *audit.Log
	now   func() time.Time
	TTL   time.Duration

	limits *buckets // sign-in failures, shared by every node
	cost   int      // bcrypt cost of new password hashes
	// dummyHash, made at the first sign-in with an unknown name (not at start: 0.7 s of every
	// process start under -race), keeps that sign-in's time equal to a wrong password's.
	dummyHash func() []byte
}

// Option adjusts the identity service at construction.
type Option func(*Service)

// WithPasswordCost sets the bcrypt cost of new password hashes (default bcrypt.DefaultCost).
// Tests lower it to bcrypt.MinCost: hashing dominates their setup, under -race by far.
func WithPasswordCost(cost int) Option { return func(s *Service) { s.cost = cost } }

// NewService returns the identity service; now is the injected clock. db, log and now are
// required.
func NewService(db *store.DB, log *audit.Log, now func() time.Time, opts ...Option) (_ *Service, err error) {
	defer errs.Wrap(&err, "identity.NewService")
	if err := wiring.Require("identity.NewService", wiring.Deps{"db": db, "log": log, "now": now}); err != nil {
		return nil, err
	}
	s := &Service{db: db, audit: log, now: now, TTL: 12 * time.Hour, limits: &buckets{db: db, now: now}, cost: bcrypt.DefaultCost}
	for _, o := range opts {
		o(s)
	}
	s.dummyHash = sync.OnceValue(func() []byte {
		h, _ := bcrypt.GenerateFromPassword([]byte("banhao-no-such-user"), s.cost)
		return h
	})
	return s, nil
}

var usernameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{2,31}$`)

// NewUser is what creating an account takes.
type NewUser struct {
	Username string
	// DisplayName is the person's name as pages show them (办理人 李强); the username if empty.
	DisplayName string
	Password    string
	// PasswordHash, instead of Password, is a bcrypt hash made by HashPassword (accounts moved
	// from another system, or the demo's accounts that share one published password).
	PasswordHash []byte
	Role         Role
	Department   string
	// Center is the code of the account's center; empty means the main center (network.MainCenter).
	Center string
}

// maxPasswordCost bounds an imported hash's cost: each sign-in on the name verifies it, and a
// cost of 31 would take hours.
const maxPasswordCost = 14

// HashPassword checks password as AddUser does and hashes it at the service's cost.
func (s *Service) HashPassword(password string) (_ []byte, err error) {
	defer errs.Wrap(&err, "identity.HashPassword")
	var v errs.Validation
	checkPassword(&v, "password", password)
	if err := v.Err(); err != nil {
		return nil, err
	}
	return bcrypt.GenerateFromPassword([]byte(password), s.cost)
}

// AddUser creates a staff account after checking every field.
func (s *Service) AddUser(ctx context.Context, by audit.Actor, in NewUser) (_ User, err error) {
	defer errs.Wrap(&err, "identity.AddUser")
	in.DisplayName = strings.TrimSpace(in.DisplayName)
	var v errs.Validation
	v.Check(usernameRe.MatchString(in.Username), "username", "用户名须为 3–32 位小写字母、数字或 _ . -，以字母或数字开头")
	checkProfile(&v, in.DisplayName, in.Role, in.Department)
	hash := in.PasswordHash
	if hash == nil {
		checkPassword(&v, "password", in.Password)
	} else if cost, err := bcrypt.Cost(hash); err != nil || cost < s.cost || cost > maxPasswordCost {
		v.Add("password", "密码须由 HashPassword 生成")
	}
	if err := v.Err(); err != nil {
		return User{}, err
	}
	if hash == nil {
		if hash, err = bcrypt.GenerateFromPassword([]byte(in.Password), s.cost); err != nil {
			return User{}, err
		}
	}
	u := User{Username: in.Username, DisplayName: in.DisplayName, Role: in.Role, Department: in.Department, Center: strings.TrimSpace(in.Center)}
	if u.DisplayName == "" {
		u.DisplayName = in.Username
	}
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		p, err := placeAccount(ctx, tx, by, in.Department, u.Center)
		if err != nil {
			return err
		}
		u.Center = p.center.Code
		var dept any
		if in.Department != "" {
			dept = in.Department
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO users (username, display_name, password_hash, role, department_code, center_code, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, u.Username, u.DisplayName, string(hash), string(u.Role), dept, u.Center, s.now().UTC()).Scan(&u.ID)
		if store.IsUniqueViolation(err) {
			return &errs.Error{Code: errs.CodeConflict, Message: "用户名已存在", Fields: []errs.FieldError{{Field: "username", Message: "用户名已存在"}}}
		}
		if err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, by, "user.add", "user", u.Username, nil, u)
	})
	return u, err
}

// Users lists every account.
func (s *Service) Users(ctx context.Context) (_ []User, err error) {
	defer errs.Wrap(&err, "identity.Users")
	rows, err := s.db.QueryContext(ctx, `SELECT id, username, display_name, role, COALESCE(department_code, ''), center_code, disabled FROM users ORDER BY username`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		var u User
		var disabled int
		if err := rows.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Role, &u.Department, &u.Center, &disabled); err != nil {
			return nil, err
		}
		u.Disabled = disabled != 0
		out = append(out, u)
	}
	return out, rows.Err()
}

// Sign-in limits. None of them locks a name for everyone: a guesser at one address is stopped by
// the buckets of that address (5 failures on a name, 20 on any names, then one try every 30 s),
// while the owner signs in from their own. Only a guess spread over many addresses spends the
// name's own bucket (50, then one try every 10 s), and a browser the owner has signed in on
// before (a known device) does not wait on it at all.
const (
	failBurstPair = 5
	failBurstAddr = 20
	failEvery     = 30 * time.Second
	failBurstUser = 50
	failEveryUser = 10 * time.Second
)

// loginLimits are the buckets a failed sign-in spends: those of the name and address and of the
// address; then the name's own, or for a browser known to the name, that device's own (a small
// one: a stolen token does not open the name to a guess from many addresses).
func loginLimits(username, addr string, knownDevice bool, device string) []Bucket {
	out := []Bucket{
		{Key: "login:ua:" + username + "@" + addr, Burst: failBurstPair, Every: failEvery},
		{Key: "login:a:" + addr, Burst: failBurstAddr, Every: failEvery},
	}
	if knownDevice {
		return append(out, Bucket{Key: "login:d:" + TokenHash(device), Burst: failBurstPair, Every: failEvery})
	}
	return append(out, Bucket{Key: "login:u:" + username, Burst: failBurstUser, Every: failEveryUser})
}

// TrackLimits are the buckets a wrong guess at public case tracking spends (four phone digits
// are only 10,000 guesses). As with sign-in, a guesser at one address is stopped by that
// address's buckets (10 wrong on a number, 60 on any numbers), and only a guess spread over many
// addresses spends the number's own (50, then one every 2 minutes). The owner can always follow
// the case by signing in to the online hall with a code sent to their phone.
func TrackLimits(number, addr string) []Bucket {
	return []Bucket{
		{Key: "track:na:" + number + "@" + addr, Burst: 10, Every: 5 * time.Minute},
		{Key: "track:a:" + addr, Burst: 60, Every: time.Minute},
		{Key: "track:n:" + number, Burst: 50, Every: 2 * time.Minute},
	}
}

// VerifyEvery is how often an address regains one public verification (VerifyLimits).
const VerifyEvery = 10 * time.Second

// VerifyLimits is the bucket every public verification of a certificate or notice spends
// (/api/v1/verify/{code}, its page too): identifiers are sequential with a computable check
// character, so a found one is spent as much as a wrong one. 30 at once, then 6 a minute per
// address — a counter checking papers by hand never waits; an enumeration crawls.
func VerifyLimits(addr string) []Bucket {
	return []Bucket{{Key: "verify:a:" + addr, Burst: 30, Every: VerifyEvery}}
}

// TrackWait is when a limited tracking query is told to try again (the address's bucket, the
// one a person at one address meets first, regains one try a minute).
const TrackWait = time.Minute

// Login checks a password and opens a session of kind. Failures are rate limited per username
// and per client address, across every node; the limit answers before the password is checked.
func (s *Service) Login(ctx context.Context, username, password, addr, kind string) (_ Session, err error) {
	defer errs.Wrap(&err, "identity.Login")
	return s.LoginOnDevice(ctx, username, password, addr, kind, "")
}

// LoginOnDevice is Login from a browser that may hold a known-device token of an earlier
// sign-in by the same name. Such a browser does not wait on the name's own failure bucket (a
// guess spread over many addresses cannot shut the owner out); the session's Device is the
// token for the browser to keep (a new one after a first sign-in there).
func (s *Service) LoginOnDevice(ctx context.Context, username, password, addr, kind, device string) (_ Session, err error) {
	defer errs.Wrap(&err, "identity.LoginOnDevice")
	now := s.now()
	known, err := knownDevice(ctx, s.db, username, device, now)
	if err != nil {
		return Session{}, err
	}
	limits := loginLimits(username, addr, known, device)
	// The try is counted before the password is checked (and given back if it is right), so
	// that parallel requests cannot all pass the limit before any of them is counted.
	if ok, err := s.limits.Spend(ctx, limits...); err != nil {
		return Session{}, err
	} else if !ok {
		return Session{}, errs.TooManyRequestsAfter("登录失败次数过多，请 30 秒后再试", failEvery)
	}
	var u User
	var hash string
	var disabled int
	err = s.db.QueryRowContext(ctx, `SELECT id, username, display_name, password_hash, role, COALESCE(department_code, ''), center_code, disabled
		FROM users WHERE username = ?`, username).Scan(&u.ID, &u.Username, &u.DisplayName, &hash, &u.Role, &u.Department, &u.Center, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		_ = bcrypt.CompareHashAndPassword(s.dummyHash(), []byte(password))
		return Session{}, s.failed(ctx, username, addr)
	}
	if err != nil {
		return Session{}, err
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil || disabled != 0 {
		return Session{}, s.failed(ctx, username, addr)
	}
	if err := s.limits.Refund(ctx, limits...); err != nil {
		return Session{}, err
	}
	sess := Session{Token: NewToken(), CSRF: NewToken(), ExpiresAt: now.Add(s.TTL).UTC().Truncate(time.Second), User: u, Device: device}
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		if !known {
			var err error
			if sess.Device, err = rememberDevice(ctx, tx, u.Username, now); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, kind, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
			TokenHash(sess.Token), u.ID, kind, sess.CSRF, now.UTC(), sess.ExpiresAt); err != nil {
			return err
		}
		// Expired sessions of this user go with each new sign-in, so the table does not grow.
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ? AND expires_at < ?`, u.ID, now.UTC()); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, u.Actor(), "user.login", "user", u.Username, nil, map[string]string{"kind": kind, "addr": addr})
	})
	if err != nil {
		return Session{}, err
	}
	return sess, nil
}

// Try counts a try of a lookup a guesser could repeat (public case tracking by number and phone
// digits) against its buckets before the lookup, and reports whether it may go ahead.
func (s *Service) Try(ctx context.Context, buckets ...Bucket) (_ bool, err error) {
	defer errs.Wrap(&err, "identity.Try")
	return s.limits.Spend(ctx, buckets...)
}

// Refund gives back a try that found what it looked for: only wrong guesses count.
func (s *Service) Refund(ctx context.Context, buckets ...Bucket) (err error) {
	defer errs.Wrap(&err, "identity.Refund")
	return s.limits.Refund(ctx, buckets...)
}

func (s *Service) failed(ctx context.Context, username, addr string) error {
	_ = s.db.Tx(ctx, func(tx *store.Tx) error {
		return s.audit.Record(ctx, tx, audit.Actor{Username: username, Role: "anonymous"}, "user.login_failed", "user", username, nil, map[string]string{"addr": addr})
	})
	return errs.Unauthorized("用户名或密码错误")
}

// Authenticate returns the session behind a token, or Unauthorized.
func (s *Service) Authenticate(ctx context.Context, token string) (_ Session, err error) {
	defer errs.Wrap(&err, "identity.Authenticate")
	if token == "" {
		return Session{}, errs.Unauthorized("请先登录")
	}
	var sess Session
	var disabled int
	err = s.db.QueryRowContext(ctx, `SELECT u.id, u.username, u.display_name, u.role, COALESCE(u.department_code, ''), u.center_code, u.disabled, s.csrf, s.expires_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`, TokenHash(token)).
		Scan(&sess.User.ID, &sess.User.Username, &sess.User.DisplayName, &sess.User.Role, &sess.User.Department, &sess.User.Center, &disabled, &sess.CSRF, &sess.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, errs.Unauthorized("登录已失效，请重新登录")
	}
	if err != nil {
		return Session{}, err
	}
	if disabled != 0 || !s.now().Before(sess.ExpiresAt) {
		return Session{}, errs.Unauthorized("登录已失效，请重新登录")
	}
	sess.Token = token
	return sess, nil
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, token string) (err error) {
	defer errs.Wrap(&err, "identity.Logout")
	sess, err := s.Authenticate(ctx, token)
	if err != nil {
		return nil
	}
	return s.db.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, TokenHash(token)); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, sess.User.Actor(), "user.logout", "user", sess.User.Username, nil, nil)
	})
}

// NewToken is a fresh random secret for a session, a device or a one-time grant.
func NewToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// TokenHash is what the database keeps of a token: a stolen table does not hold usable tokens.
func TokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// roleMessage names every role as the account form shows it.
func roleMessage() string {
	names := make([]string, len(Roles))
	for i, r := range Roles {
		names[i] = RoleNames[r]
	}
	return "角色无效，可选：" + strings.Join(names, "、")
}
