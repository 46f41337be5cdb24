package identity

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"banhao/audit"
	"banhao/errs"
	"banhao/ids"
	"banhao/notify"
	"banhao/store"
	"banhao/wiring"

	"golang.org/x/text/width"
)

// Applicant kinds: a natural person (ID number) or an organisation (unified social credit code).
const (
	PersonApplicant = "person"
	OrgApplicant    = "org"
)

// Applicant is a citizen's or an organisation's account. IDNumber is the ID number or the credit
// code in full: only the account's own pages and the staff whose work needs it see it.
type Applicant struct {
	ID       int64  `json:"id"`
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	IDNumber string `json:"id_number"`
	Phone    string `json:"phone"`
	LegalRep string `json:"legal_rep,omitempty"`
}

// Actor is the applicant as the audit log names them (masked: the log is read by auditors).
func (a Applicant) Actor() audit.Actor {
	return audit.Actor{Username: "applicant:" + strconv.FormatInt(a.ID, 10), Role: "applicant"}
}

// ApplicantSession is a signed-in applicant; ActingFor is the organisation an agent acts for,
// under Mandate, the authorisation re-read (and re-checked for its dates and revocation) on
// every request.
type ApplicantSession struct {
	Token     string
	CSRF      string
	Channel   string
	ExpiresAt time.Time
	Applicant Applicant
	ActingFor *Applicant
	Mandate   *Authorisation
	// Device is the known-device token the browser keeps after an online sign-in
	// (SignInOnDevice): its next code request and sign-in do not wait on the number's own limits.
	Device string
}

// Allows reports whether the session may be used on a channel's pages: a kiosk sign-in opens
// the kiosk's few pages and never the whole online account (authorisations, acting for others).
func (s ApplicantSession) Allows(channel string) error {
	if s.Channel == ChannelKiosk && channel != ChannelKiosk {
		return errs.Forbidden("自助终端上的登录只能在自助终端使用，请在网上办事大厅重新登录")
	}
	return nil
}

// MayRead reports whether the session may see the principal's records of an item: the
// principal always; an agent only within the scope of the mandate.
func (s ApplicantSession) MayRead(item string) bool {
	if s.ActingFor == nil {
		return true
	}
	return s.Mandate != nil && (slices.Contains(s.Mandate.Scope, "*") || slices.Contains(s.Mandate.Scope, item))
}

// MandateEnded reports that the session acts for an organisation whose authorisation has been
// revoked or has ended: the agent must switch back to themselves.
func (s ApplicantSession) MandateEnded() bool { return s.ActingFor != nil && s.Mandate == nil }

// SeesCertificates reports whether the session may list and open the principal's certificates:
// the principal, or an agent authorised for every item. An agent with a narrower mandate still
// uses a certificate in place of an upload when applying within it.
func (s ApplicantSession) SeesCertificates() bool {
	return s.ActingFor == nil || (s.Mandate != nil && slices.Contains(s.Mandate.Scope, "*"))
}

// SeesAccount reports whether the session sees what belongs to the principal alone: who read
// its data, and whom it has authorised. Never an agent.
func (s ApplicantSession) SeesAccount() bool { return s.ActingFor == nil }

// Shown is the principal as the session's pages show it: an agent sees the organisation's
// credit code and phone masked.
func (s ApplicantSession) Shown() Applicant {
	p := s.Principal()
	if s.ActingFor != nil {
		p.IDNumber, p.Phone = MaskID(p.IDNumber), MaskPhone(p.Phone)
	}
	return p
}

// Principal is whom the session applies for: the organisation an agent acts for, or the
// applicant themselves.
func (s ApplicantSession) Principal() Applicant {
	if s.ActingFor != nil {
		return *s.ActingFor
	}
	return s.Applicant
}

// Sign-in channels and their session lengths: the kiosk forgets quickly.
const (
	ChannelOnline = "online"
	ChannelKiosk  = "kiosk"
)

// CodePolicy limits one-time codes.
type CodePolicy struct {
	TTL      time.Duration // how long a code works
	Interval time.Duration // the least time between two code requests for one ID number
	PerHour  int           // code requests per ID number in a burst; then one an hour
}

// DefaultCodePolicy: 5 minutes, one code a minute, 5 at most then one an hour (per number and address).
var DefaultCodePolicy = CodePolicy{TTL: 5 * time.Minute, Interval: time.Minute, PerHour: 5}

// Applicants manages applicant accounts, their one-time sign-in codes and sessions, and the
// authorisations of agents (代办).
type Applicants struct {
	db     *store.DB
	audit  *audit.Log
	pii    *PII
	now    func() time.Time
	outbox *notify.Outbox
	Policy CodePolicy
	// SessionTTL per channel.
	SessionTTL map[string]time.Duration

	limits *buckets // code requests per client address, shared by every node
	// loc is where dates are days (an authorisation ends at the end of its day there).
	loc             *time.Location
	devCodes        bool
	center, hotline string
}

// ApplicantsConfig wires the accounts service; DB, Audit, PII, Outbox, Now and Location are
// required.
type ApplicantsConfig struct {
	DB     *store.DB
	Audit  *audit.Log
	PII    *PII
	Outbox *notify.Outbox
	Now    func() time.Time
	// Location is where dates are days (an authorisation ends at the end of its day there).
	Location *time.Location
	// DevCodes lets sign-in codes go to the log when the outbox has no SMS channel: development
	// only (serve --demo, BANHAO_DEV_CODES=1). Without it and without SMS nobody can sign in with
	// a code, and no code is ever made.
	DevCodes bool
	// Center signs the code's text (【Center】, "政务服务中心" when empty); Hotline is the number a
	// citizen is told to call when sign-in by code is closed ("12345" when empty).
	Center, Hotline string
}

// codeChannel is the outbox channel sign-in codes travel by: "sms" when configured, "log" in
// development, "" when neither (sign-in by code is closed).
func (a *Applicants) codeChannel() string {
	switch {
	case a.outbox.Has("sms"):
		return "sms"
	case a.devCodes && a.outbox.Has("log"):
		return "log"
	}
	return ""
}

// SignInClosed says why citizens cannot sign in with a code at this installation (no SMS
// gateway and not in development), "" when they can. Pages show it before anyone types a number.
func (a *Applicants) SignInClosed() string {
	if a.codeChannel() != "" {
		return ""
	}
	return "本中心尚未开通短信验证码，暂不能在线登录，请到窗口办理或拨打 " + cmp.Or(a.hotline, "12345") + " 咨询。"
}

// CodesPerAddress is how many codes one client address may ask for in a burst; then one more
// every six minutes (a kiosk or a household shares an address, a script should not).
const CodesPerAddress = 10

// clientCodes is the bucket of code requests of the client asking: a registered kiosk's own
// (across every node), else its address's (nil for calls from inside the system, with no
// address), and the refusal when it is empty.
func (a *Applicants) clientCodes(addr, kiosk string) (*Bucket, error) {
	switch {
	case kiosk != "":
		return &Bucket{Key: "code:k:" + kiosk, Burst: CodesPerKiosk, Every: kioskCodeEvery},
			errs.TooManyRequestsAfter(fmt.Sprintf("本机获取验证码过于频繁，请 %d 秒后再试", int(kioskCodeEvery/time.Second)), kioskCodeEvery)
	case addr != "":
		return &Bucket{Key: "code:a:" + addr, Burst: CodesPerAddress, Every: addrCodeEvery},
			errs.TooManyRequestsAfter(fmt.Sprintf("您所在的网络获取验证码过于频繁（同一网络共用限额），请 %d 分钟后再试，或到窗口、自助终端办理", int(addrCodeEvery/time.Minute)), addrCodeEvery)
	}
	return nil, nil
}

// addrCodeEvery is how often an address that has asked for codes for many numbers may ask again.
const addrCodeEvery = 6 * time.Minute

// A registered kiosk (a hall device the web layer recognised by its key) asks for codes from its
// own budget instead of its address's: one terminal serves a whole hall, and the mistyped numbers
// of one busy morning must not lock out the next person, nor the website from the hall's address.
// One sign-in at a terminal takes at least half a minute (card, wait for the text, six digits), so
// one code every 30 s (120 an hour) is more than a kiosk can use; 120 at once covers a rush. The
// key is a secret the kiosk's browser alone holds (HttpOnly, revocable), and every number still
// has its own limits, so the budget bounds only the texts a stolen key could cost.
const (
	CodesPerKiosk  = 120
	kioskCodeEvery = 30 * time.Second
)

// NewApplicants returns the applicant accounts service. The outbox sends codes: by SMS when that
// channel is configured, to the log only with DevCodes; otherwise sign-in by code is closed.
// DB, Audit, PII, Outbox, Now and Location are required.
func NewApplicants(c ApplicantsConfig) (_ *Applicants, err error) {
	defer errs.Wrap(&err, "identity.NewApplicants")
	if err := wiring.Require("identity.NewApplicants", wiring.Deps{"DB": c.DB, "Audit": c.Audit, "PII": c.PII, "Outbox": c.Outbox,
		"Now": c.Now, "Location": c.Location}); err != nil {
		return nil, err
	}
	return &Applicants{db: c.DB, audit: c.Audit, pii: c.PII, now: c.Now, outbox: c.Outbox, Policy: DefaultCodePolicy, limits: &buckets{db: c.DB, now: c.Now},
		loc: c.Location, devCodes: c.DevCodes, center: c.Center, hotline: c.Hotline,
		SessionTTL: map[string]time.Duration{ChannelOnline: 2 * time.Hour, ChannelKiosk: 10 * time.Minute}}, nil
}

// NormalizeID upper-cases and trims an ID number or credit code (the card reader may send a
// lower-case x).
func NormalizeID(s string) string { return strings.ToUpper(strings.TrimSpace(width.Narrow.String(s))) }

// idNumberProblem says what is wrong with a number that is neither an ID number nor a credit
// code, as a person who typed it can act on: the length, or at 18 characters a wrong character
// (the last one is a check of the other 17).
func idNumberProblem(n string) string {
	if l := utf8.RuneCountInString(n); l != 18 {
		return fmt.Sprintf("证件号码须为 18 位居民身份证号码或统一社会信用代码，您输入了 %d 位", l)
	}
	return "证件号码有误：18 位中有输错的字符（最后一位是按前 17 位计算的校验码），请逐位核对"
}

// NewApplicant is what registering an account takes.
type NewApplicant struct {
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	IDNumber string `json:"id_number"`
	Phone    string `json:"phone"`
	LegalRep string `json:"legal_rep,omitempty"`
}

// Register creates an account after checking every field; an ID already registered is a
// conflict.
func (a *Applicants) Register(ctx context.Context, by audit.Actor, in NewApplicant) (_ Applicant, err error) {
	defer errs.Wrap(&err, "identity.Applicants.Register")
	in.Name, in.Phone, in.LegalRep, in.IDNumber = strings.TrimSpace(in.Name), strings.TrimSpace(in.Phone), strings.TrimSpace(in.LegalRep), NormalizeID(in.IDNumber)
	var v errs.Validation
	switch in.Kind {
	case PersonApplicant:
		v.Check(ids.ValidIDNumber(in.IDNumber), "id_number", "身份证号码无效（18 位，校验位按 GB 11643）")
	case OrgApplicant:
		v.Check(ids.ValidCreditCode(in.IDNumber), "id_number", "统一社会信用代码无效（18 位，校验位按 GB 32100）")
		v.Check(in.LegalRep != "" && utf8.RuneCountInString(in.LegalRep) <= 50, "legal_rep", "须填写法定代表人姓名（最多 50 字）")
	default:
		v.Add("kind", "账户类型须为个人或法人和其他组织")
	}
	v.Check(in.Name != "" && utf8.RuneCountInString(in.Name) <= 100, "name", "名称须为 1–100 字")
	v.Check(ids.ValidPhone(in.Phone), "phone", "手机号码无效")
	if err := v.Err(); err != nil {
		return Applicant{}, err
	}
	ap := Applicant{Kind: in.Kind, Name: in.Name, IDNumber: in.IDNumber, Phone: in.Phone, LegalRep: in.LegalRep}
	err = a.db.Tx(ctx, func(tx *store.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO applicants (kind, name, id_enc, id_idx, phone_enc, legal_rep, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, in.Kind, in.Name, a.pii.Seal(in.IDNumber), a.pii.Index(in.IDNumber),
			a.pii.Seal(in.Phone), in.LegalRep, a.now().UTC()).Scan(&ap.ID)
		if store.IsUniqueViolation(err) {
			return errs.Conflict("该证件号码已注册账户")
		}
		if err != nil {
			return err
		}
		return a.audit.Record(ctx, tx, by, "applicant.register", "applicant", strconv.FormatInt(ap.ID, 10), nil,
			map[string]string{"kind": in.Kind, "name": MaskName(in.Name)})
	})
	return ap, err
}

type row interface{ Scan(dest ...any) error }

func (a *Applicants) scan(r row) (Applicant, error) {
	var ap Applicant
	var idEnc, phoneEnc string
	if err := r.Scan(&ap.ID, &ap.Kind, &ap.Name, &idEnc, &phoneEnc, &ap.LegalRep); err != nil {
		return ap, err
	}
	var err error
	if ap.IDNumber, err = a.pii.Open(idEnc); err != nil {
		return ap, err
	}
	ap.Phone, err = a.pii.Open(phoneEnc)
	return ap, err
}

const applicantColumns = `id, kind, name, id_enc, phone_enc, legal_rep`

// ByIDNumber finds an account by its ID number or credit code.
func (a *Applicants) ByIDNumber(ctx context.Context, idNumber string) (_ Applicant, err error) {
	defer errs.Wrap(&err, "identity.Applicants.ByIDNumber")
	ap, err := a.scan(a.db.QueryRowContext(ctx, `SELECT `+applicantColumns+` FROM applicants WHERE id_idx = ?`, a.pii.Index(NormalizeID(idNumber))))
	if errors.Is(err, sql.ErrNoRows) {
		return ap, errs.NotFound("账户", MaskID(idNumber))
	}
	return ap, err
}

func (a *Applicants) byID(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id int64) (Applicant, error) {
	ap, err := a.scan(q.QueryRowContext(ctx, `SELECT `+applicantColumns+` FROM applicants WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return ap, errs.NotFound("账户", strconv.FormatInt(id, 10))
	}
	return ap, err
}

// Phone resolves an outbox recipient "applicant:ID" to the account's phone number (the SMS
// channel calls it when sending).
func (a *Applicants) Phone(ctx context.Context, recipient string) (_ string, err error) {
	defer errs.Wrap(&err, "identity.Applicants.Phone")
	return ApplicantPhone(ctx, a.db, a.pii, recipient)
}

// ApplicantPhone is Phone for a process that has the database and the key but no service yet:
// the SMS channel is built before the services that write to its outbox.
func ApplicantPhone(ctx context.Context, db *store.DB, pii *PII, recipient string) (_ string, err error) {
	defer errs.Wrap(&err, "identity.ApplicantPhone")
	n, ok := strings.CutPrefix(recipient, "applicant:")
	id, err := strconv.ParseInt(n, 10, 64)
	if !ok || err != nil {
		return "", fmt.Errorf("identity: not an applicant recipient: %q", recipient)
	}
	var enc string
	if err := db.QueryRowContext(ctx, `SELECT phone_enc FROM applicants WHERE id = ?`, id).Scan(&enc); err != nil {
		return "", fmt.Errorf("identity: phone of %s: %w", recipient, err)
	}
	return pii.Open(enc)
}

// CodeSent is the answer to a code request. It is the same whether or not the ID number has an
// account (nothing in it, not even a masked phone, comes from an account), so that asking for
// codes tells nobody who is registered.
type CodeSent struct {
	Message    string `json:"message"`
	ExpiresIn  int    `json:"expires_in_seconds"`
	RetryAfter int    `json:"retry_after_seconds"`
}

// codeLimits are the per-ID buckets of code requests, keyed by the ID number's keyed hash and
// spent whether or not an account exists, so that refusals too look alike. From one address:
// one per Interval, PerHour in a burst and then one an hour. Across addresses the number has a
// larger bucket of its own (it bounds the texts one phone receives), so that nobody at another
// address can use up the owner's codes.
func (a *Applicants) codeLimits(idNumber, addr string) (interval, hourly, overall Bucket) {
	key := a.pii.Index("code-limit:" + idNumber) // not the accounts' own index of the number
	return Bucket{Key: "code:i1:" + key + "@" + addr, Burst: 1, Every: a.Policy.Interval},
		Bucket{Key: "code:ih:" + key + "@" + addr, Burst: max(a.Policy.PerHour, 1), Every: time.Hour},
		Bucket{Key: "code:ig:" + key, Burst: 2 * max(a.Policy.PerHour, 1), Every: 6 * time.Minute}
}

// RequestCode sends a one-time sign-in code to the account's phone through the outbox, if the
// ID number has an account; the answer and the limits spent are the same either way. Codes are
// limited per ID number (one per Interval, PerHour in a burst then one an hour) and per client
// address (addr, may be empty for calls from inside the system). Only a malformed ID number is
// refused as such.
func (a *Applicants) RequestCode(ctx context.Context, idNumber, addr string) (_ CodeSent, err error) {
	defer errs.Wrap(&err, "identity.Applicants.RequestCode")
	return a.RequestCodeOnDevice(ctx, idNumber, addr, "")
}

// RequestCodeOnDevice is RequestCode from a browser that may hold the known-device token of an
// earlier online sign-in of the number.
func (a *Applicants) RequestCodeOnDevice(ctx context.Context, idNumber, addr, device string) (_ CodeSent, err error) {
	defer errs.Wrap(&err, "identity.Applicants.RequestCodeOnDevice")
	return a.requestCode(ctx, idNumber, addr, device, "")
}

// RequestCodeAtKiosk is RequestCode from a registered kiosk, named by its device ID (the web layer
// checked its key): the kiosk's own budget (CodesPerKiosk, then one every 30 s) instead of the
// address's; the number's limits are the same as anywhere. A kiosk keeps no known-device token.
func (a *Applicants) RequestCodeAtKiosk(ctx context.Context, idNumber, addr, kiosk string) (_ CodeSent, err error) {
	defer errs.Wrap(&err, "identity.Applicants.RequestCodeAtKiosk")
	return a.requestCode(ctx, idNumber, addr, "", kiosk)
}

func (a *Applicants) requestCode(ctx context.Context, idNumber, addr, device, kiosk string) (_ CodeSent, err error) {
	channel := a.codeChannel()
	if channel == "" {
		return CodeSent{}, errs.Forbidden(a.SignInClosed())
	}
	idNumber = NormalizeID(idNumber)
	// A malformed number sends nothing and costs nothing: a mistyped digit at a kiosk must not
	// spend the hall's budget. Only a request that goes on to send (or, without an account,
	// answers as if it sent) is counted — and one that fails after counting is given back below.
	if !ids.ValidIDNumber(idNumber) && !ids.ValidCreditCode(idNumber) {
		return CodeSent{}, errs.Invalid("id_number", idNumberProblem(idNumber))
	}
	interval, hourly, overall := a.codeLimits(idNumber, addr)
	limits := []Bucket{interval, hourly, overall}
	if known, err := knownDevice(ctx, a.db, a.deviceOwner(idNumber), device, a.now()); err != nil {
		return CodeSent{}, err
	} else if known { // the owner's own browser does not wait on the number's shared bucket, only on its own
		limits = append(limits[:2], Bucket{Key: "code:d:" + TokenHash(device), Burst: max(a.Policy.PerHour, 1), Every: time.Hour})
	}
	// Has before Spend: a request refused for coming too soon does not cost one of the hour's,
	// nor one of the address's.
	if ok, err := a.limits.Has(ctx, interval); err != nil {
		return CodeSent{}, err
	} else if !ok {
		return CodeSent{}, errs.TooManyRequestsAfter(fmt.Sprintf("验证码请求过于频繁，请 %d 秒后再试", int(a.Policy.Interval/time.Second)), a.Policy.Interval)
	}
	client, refused := a.clientCodes(addr, kiosk)
	if client != nil {
		if ok, err := a.limits.Spend(ctx, *client); err != nil {
			return CodeSent{}, err
		} else if !ok {
			return CodeSent{}, refused
		}
	}
	if ok, err := a.limits.Spend(ctx, limits...); err != nil || !ok {
		if client != nil { // the number refused it: the address's (or kiosk's) try is given back
			err = errors.Join(err, a.limits.Refund(ctx, *client))
		}
		if err != nil {
			return CodeSent{}, err
		}
		return CodeSent{}, errs.TooManyRequestsAfter(fmt.Sprintf("该证件号码获取验证码次数过多（每小时最多 %d 次），请稍后再试", a.Policy.PerHour), time.Hour)
	}
	if client != nil {
		limits = append(limits, *client)
	}
	defer func() {
		if err != nil { // nothing was sent: the request costs nothing
			err = errors.Join(err, a.limits.Refund(ctx, limits...))
		}
	}()
	out := CodeSent{Message: fmt.Sprintf("如该证件号码已开通账户，验证码已发送至登记的手机（%d 分钟内有效）", int(a.Policy.TTL/time.Minute)),
		ExpiresIn: int(a.Policy.TTL / time.Second), RetryAfter: int(a.Policy.Interval / time.Second)}
	ap, err := a.ByIDNumber(ctx, idNumber)
	if errs.Is(err, errs.CodeNotFound) {
		return out, nil // no account: the same answer, and nothing sent
	} else if err != nil {
		return CodeSent{}, err
	}
	now := a.now().UTC()
	code := randomCode()
	err = a.db.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO applicant_codes (applicant_id, code_hash, created_at, expires_at) VALUES (?, ?, ?, ?)`,
			ap.ID, codeHash(ap.ID, code), now, now.Add(a.Policy.TTL)); err != nil {
			return err
		}
		if err := a.outbox.AddTo(ctx, tx, channel, notify.Message{Recipient: "applicant:" + strconv.FormatInt(ap.ID, 10), Event: "applicant.code",
			Subject: "登录验证码", Body: fmt.Sprintf("【%s】您的登录验证码为 %s，%d 分钟内有效。如非本人操作，请忽略。",
				cmp.Or(a.center, "政务服务中心"), code, int(a.Policy.TTL/time.Minute)),
			ExpiresAt: now.Add(a.Policy.TTL)}); err != nil { // a code that arrives after it stops working is not sent
			return err
		}
		return a.audit.Record(ctx, tx, ap.Actor(), "applicant.code", "applicant", strconv.FormatInt(ap.ID, 10), nil, nil)
	})
	if err != nil {
		return CodeSent{}, err
	}
	return out, nil
}

// SignIn checks a one-time code and opens a session on a channel. A code works once, for TTL.
// Every failure — an unknown number, no live code, a wrong code — gets the same answer and
// spends the same buckets (signInLimits), so that the answers say nothing about accounts; and
// no failure spends the owner's code, so that nobody elsewhere can make it useless.
func (a *Applicants) SignIn(ctx context.Context, idNumber, code, channel, addr string) (_ ApplicantSession, err error) {
	defer errs.Wrap(&err, "identity.Applicants.SignIn")
	return a.SignInOnDevice(ctx, idNumber, code, channel, addr, "")
}

// SignInOnDevice is SignIn from a browser that may hold a known-device token of the number: it
// does not wait on the number's own failure bucket. An online sign-in hands the browser a token
// (ApplicantSession.Device); a kiosk, a public terminal, gets none.
func (a *Applicants) SignInOnDevice(ctx context.Context, idNumber, code, channel, addr, device string) (_ ApplicantSession, err error) {
	defer errs.Wrap(&err, "identity.Applicants.SignInOnDevice")
	ttl, ok := a.SessionTTL[channel]
	code = strings.TrimSpace(code)
	var v errs.Validation
	v.Check(ok, "channel", "渠道须为网上办事大厅或自助终端")
	v.Check(NormalizeID(idNumber) != "", "id_number", "请填写证件号码")
	v.Check(len(code) == 6 && strings.Trim(code, "0123456789") == "", "code", "验证码为 6 位数字")
	if err := v.Err(); err != nil {
		return ApplicantSession{}, err
	}
	known, err := knownDevice(ctx, a.db, a.deviceOwner(idNumber), device, a.now())
	if err != nil {
		return ApplicantSession{}, err
	}
	limits := a.signInLimits(NormalizeID(idNumber), addr)
	if known { // the owner's own browser does not wait on the number's shared bucket, only on its own
		limits = append(limits[:2], Bucket{Key: "signin:d:" + TokenHash(device), Burst: 5, Every: time.Minute})
	}
	// The try is counted before the code is checked (and given back if it is right), so that
	// parallel requests cannot all pass the limit before any of them is counted.
	if ok, err := a.limits.Spend(ctx, limits...); err != nil {
		return ApplicantSession{}, err
	} else if !ok {
		return ApplicantSession{}, errs.TooManyRequestsAfter("验证码输错次数过多，请 1 分钟后再试", time.Minute)
	}
	wrong := errs.Unauthorized("证件号码或验证码错误，或验证码已过期（请重新获取）")
	ap, err := a.ByIDNumber(ctx, idNumber)
	if errs.Is(err, errs.CodeNotFound) {
		return ApplicantSession{}, wrong
	} else if err != nil {
		return ApplicantSession{}, err
	}
	now := a.now().UTC()
	sess := ApplicantSession{Token: NewToken(), CSRF: NewToken(), Channel: channel, ExpiresAt: now.Add(ttl).Truncate(time.Second), Applicant: ap}
	miss := false
	err = a.db.Tx(ctx, func(tx *store.Tx) error {
		// Every live code works, not only the newest: someone asking for a code for the same
		// number from elsewhere must not make the owner's code useless.
		rows, err := tx.QueryContext(ctx, `SELECT id, code_hash FROM applicant_codes WHERE applicant_id = ? AND used_at IS NULL AND expires_at > ?
			ORDER BY created_at DESC, id DESC LIMIT 20`+tx.ForUpdate(), ap.ID, now)
		if err != nil {
			return err
		}
		var id, newest int64
		for rows.Next() {
			var cid int64
			var hash string
			if err := rows.Scan(&cid, &hash); err != nil {
				rows.Close()
				return err
			}
			if newest == 0 {
				newest = cid
			}
			if id == 0 && subtle.ConstantTimeCompare([]byte(hash), []byte(codeHash(ap.ID, code))) == 1 {
				id = cid
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if id == 0 {
			miss = true
			if newest == 0 {
				return nil
			}
			_, err := tx.ExecContext(ctx, `UPDATE applicant_codes SET attempts = attempts + 1 WHERE id = ?`, newest)
			if err == nil {
				err = a.audit.Record(ctx, tx, ap.Actor(), "applicant.login_failed", "applicant", strconv.FormatInt(ap.ID, 10), nil,
					map[string]string{"channel": channel, "addr": addr})
			}
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE applicant_codes SET used_at = ? WHERE id = ?`, now, id); err != nil {
			return err
		}
		if channel == ChannelOnline {
			sess.Device = device
			if !known {
				var err error
				if sess.Device, err = rememberDevice(ctx, tx, a.deviceOwner(idNumber), now); err != nil {
					return err
				}
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO applicant_sessions (token_hash, applicant_id, channel, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
			TokenHash(sess.Token), ap.ID, channel, sess.CSRF, now, sess.ExpiresAt); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM applicant_sessions WHERE applicant_id = ? AND expires_at < ?`, ap.ID, now); err != nil {
			return err
		}
		return a.audit.Record(ctx, tx, ap.Actor(), "applicant.login", "applicant", strconv.FormatInt(ap.ID, 10), nil, map[string]string{"channel": channel})
	})
	if err != nil {
		return ApplicantSession{}, err
	}
	if miss {
		return ApplicantSession{}, wrong
	}
	if err := a.limits.Refund(ctx, limits...); err != nil {
		return ApplicantSession{}, err
	}
	return sess, nil
}

// deviceOwner is how known_devices names an ID number (by a keyed hash, never in clear).
func (a *Applicants) deviceOwner(idNumber string) string {
	return "applicant:" + a.pii.Index("known-device:"+NormalizeID(idNumber))
}

// signInLimits are the buckets a failed code sign-in spends, keyed by the number's keyed hash
// whether or not it has an account: 5 wrong from one address on one number, 20 on any numbers,
// then one a minute; across addresses a number has 30, then one every 10 s — a six-digit code
// lives 5 minutes, so at most about 60 guesses reach it, and the owner is never shut out for long.
func (a *Applicants) signInLimits(idNumber, addr string) []Bucket {
	key := a.pii.Index("signin-limit:" + idNumber)
	return []Bucket{
		{Key: "signin:ia:" + key + "@" + addr, Burst: 5, Every: time.Minute},
		{Key: "signin:a:" + addr, Burst: 20, Every: time.Minute},
		{Key: "signin:i:" + key, Burst: 30, Every: 10 * time.Second},
	}
}

// Authenticate returns the session behind a token, or Unauthorized.
func (a *Applicants) Authenticate(ctx context.Context, token string) (_ ApplicantSession, err error) {
	defer errs.Wrap(&err, "identity.Applicants.Authenticate")
	if token == "" {
		return ApplicantSession{}, errs.Unauthorized("请先登录")
	}
	var sess ApplicantSession
	var acting sql.NullInt64
	var id int64
	err = a.db.QueryRowContext(ctx, `SELECT applicant_id, acting_for, channel, csrf, expires_at FROM applicant_sessions WHERE token_hash = ?`,
		TokenHash(token)).Scan(&id, &acting, &sess.Channel, &sess.CSRF, &sess.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !a.now().Before(sess.ExpiresAt)) {
		return ApplicantSession{}, errs.Unauthorized("登录已失效，请重新登录")
	}
	if err != nil {
		return ApplicantSession{}, err
	}
	if sess.Applicant, err = a.byID(ctx, a.db, id); err != nil {
		return ApplicantSession{}, err
	}
	sess.Token = token
	if acting.Valid {
		// The authorisation is read again on every request. Revoked or ended, it no longer
		// counts, but the session stays "acting for" the organisation with no mandate (nothing
		// may be read or applied for) until the agent switches back: a form opened for the
		// organisation must not quietly be filed in the agent's own name.
		au, err := a.mandate(ctx, id, acting.Int64)
		switch {
		case err == nil:
			sess.ActingFor, sess.Mandate = &au.Org, &au
		case errs.Is(err, errs.CodeForbidden):
			org, err := a.byID(ctx, a.db, acting.Int64)
			if err != nil {
				return ApplicantSession{}, err
			}
			sess.ActingFor = &org
		default:
			return ApplicantSession{}, err
		}
	}
	return sess, nil
}

// SignOut ends a session (the kiosk's idle timeout calls it too).
func (a *Applicants) SignOut(ctx context.Context, token string) (err error) {
	defer errs.Wrap(&err, "identity.Applicants.SignOut")
	_, err = a.db.ExecContext(ctx, `DELETE FROM applicant_sessions WHERE token_hash = ?`, TokenHash(token))
	return err
}

func randomCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("%06d", n.Int64())
}

func codeHash(applicant int64, code string) string {
	h := sha256.Sum256([]byte(strconv.FormatInt(applicant, 10) + ":" + code))
	return hex.EncodeToString(h[:])
}
