package certs

import (
	"context"
	"database/sql"
	"encoding/json"
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
	"banhao/store"
	"banhao/wiring"
)

// Type is a kind of certificate (营业执照, 居民身份证…).
type Type struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	HolderKind string `json:"holder_kind"`
	ValidYears int    `json:"valid_years"`
}

// Certificate is one certificate of the library. HolderID is the holder's ID number or credit
// code: full for the holder and for a recorded read, masked otherwise.
type Certificate struct {
	ID           string         `json:"id"`
	Type         string         `json:"type"`
	TypeCode     string         `json:"type_code"`
	Number       string         `json:"number"`
	HolderKind   string         `json:"holder_kind"`
	HolderName   string         `json:"holder_name"`
	HolderID     string         `json:"holder_id"`
	IssuerCode   string         `json:"issuer_code"`
	IssuerName   string         `json:"issuer_name"`
	IssuedOn     calendar.Date  `json:"issued_on"`
	ExpiresOn    *calendar.Date `json:"expires_on,omitempty"`
	Data         map[string]any `json:"data"`
	Status       string         `json:"status"`
	StatusName   string         `json:"status_name"`
	RevokedAt    *time.Time     `json:"revoked_at,omitempty"`
	RevokeReason string         `json:"revoke_reason,omitempty"`
	Case         string         `json:"case,omitempty"`
	Source       string         `json:"source"`

	holderIdx string
	row       string // the stored status (valid | revoked)
}

// Config is what the service needs.
type Config struct {
	DB       *store.DB
	Audit    *audit.Log
	PII      *identity.PII
	Now      func() time.Time
	Location *time.Location
}

// Service is the certificate library.
type Service struct {
	db    *store.DB
	audit *audit.Log
	pii   *identity.PII
	now   func() time.Time
	loc   *time.Location
}

// New returns the library.
// Every field of c is required.
func New(c Config) (_ *Service, err error) {
	defer errs.Wrap(&err, "certs.New")
	if err := wiring.Require("certs.New", wiring.Deps{"DB": c.DB, "Audit": c.Audit, "PII": c.PII, "Now": c.Now, "Location": c.Location}); err != nil {
		return nil, err
	}
	return &Service{db: c.DB, audit: c.Audit, pii: c.PII, now: c.Now, loc: c.Location}, nil
}

func (s *Service) today() calendar.Date { return calendar.DateOf(s.now(), s.loc) }

// HolderIndex is the lookup key of a holder's ID number or credit code (the same keyed hash the
// cases keep for applicants; the index ignores case and surrounding spaces).
func (s *Service) HolderIndex(holderID string) string { return s.pii.Index(holderID) }

// SaveType creates or updates a certificate type.
func (s *Service) SaveType(ctx context.Context, by audit.Actor, t Type) (err error) {
	defer errs.Wrap(&err, "certs.SaveType")
	t.Code, t.Name = strings.TrimSpace(t.Code), strings.TrimSpace(t.Name)
	var v errs.Validation
	v.Check(ValidTypeCode(t.Code), "code", "证照类型代码须为 2–20 位数字或大写字母")
	v.Check(t.Name != "" && utf8.RuneCountInString(t.Name) <= 60, "name", "证照类型名称须为 1–60 字")
	v.Check(t.HolderKind == Person || t.HolderKind == Org, "holder_kind", "持证主体须为自然人或法人和其他组织")
	v.Check(t.ValidYears >= 0 && t.ValidYears <= 100, "valid_years", "有效年限须为 0–100（0 = 长期有效）")
	if err := v.Err(); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO certificate_types (code, name, holder_kind, valid_years, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (code) DO UPDATE SET name = excluded.name, holder_kind = excluded.holder_kind, valid_years = excluded.valid_years,
			updated_at = excluded.updated_at`, t.Code, t.Name, t.HolderKind, t.ValidYears, s.now().UTC())
		if store.IsUniqueViolation(err) {
			return errs.Invalid("name", "证照类型名称已被另一代码使用："+t.Name)
		}
		if err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, by, "certificate_type.save", "certificate_type", t.Code, nil, t)
	})
}

// Types lists the certificate types by code.
func (s *Service) Types(ctx context.Context) (_ []Type, err error) {
	defer errs.Wrap(&err, "certs.Types")
	rows, err := s.db.QueryContext(ctx, `SELECT code, name, holder_kind, valid_years FROM certificate_types ORDER BY code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Type{}
	for rows.Next() {
		var t Type
		if err := rows.Scan(&t.Code, &t.Name, &t.HolderKind, &t.ValidYears); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// typeOf finds a type by its code or its name.
func typeOf(ctx context.Context, q Querier, codeOrName string) (Type, error) {
	var t Type
	err := q.QueryRowContext(ctx, `SELECT code, name, holder_kind, valid_years FROM certificate_types WHERE code = ? OR name = ?`,
		codeOrName, codeOrName).Scan(&t.Code, &t.Name, &t.HolderKind, &t.ValidYears)
	if errors.Is(err, sql.ErrNoRows) {
		return t, errs.Invalid("type", "没有这种证照类型："+codeOrName)
	}
	return t, err
}

// Input issues or imports one certificate.
type Input struct {
	Type       string         `json:"type"` // code or name
	Number     string         `json:"number,omitempty"`
	HolderName string         `json:"holder_name"`
	HolderID   string         `json:"holder_id"`
	IssuerCode string         `json:"issuer_code"`
	IssuerName string         `json:"issuer_name"`
	IssuedOn   *calendar.Date `json:"issued_on,omitempty"`
	ExpiresOn  *calendar.Date `json:"expires_on,omitempty"`
	Data       map[string]any `json:"data,omitempty"`
	Case       string         `json:"case,omitempty"`
}

// check validates an input against its type; field names are prefixed with at ("rows[3].").
func (s *Service) check(t Type, in *Input, at string, v *errs.Validation) {
	in.Number, in.HolderName, in.IssuerName = strings.TrimSpace(in.Number), strings.TrimSpace(in.HolderName), strings.TrimSpace(in.IssuerName)
	in.HolderID, in.IssuerCode = identity.NormalizeID(in.HolderID), identity.NormalizeID(in.IssuerCode)
	v.Check(in.HolderName != "" && utf8.RuneCountInString(in.HolderName) <= 100, at+"holder_name", "持证主体名称须为 1–100 字")
	if t.HolderKind == Person {
		v.Check(ids.ValidIDNumber(in.HolderID), at+"holder_id", "持证人身份证号码无效（18 位，校验位按 GB 11643）")
	} else {
		v.Check(ids.ValidCreditCode(in.HolderID), at+"holder_id", "持证主体统一社会信用代码无效（18 位，校验位按 GB 32100）")
	}
	v.Check(ids.ValidCreditCode(in.IssuerCode), at+"issuer_code", "发证机关统一社会信用代码无效（18 位，校验位按 GB 32100）")
	v.Check(in.IssuerName != "" && utf8.RuneCountInString(in.IssuerName) <= 100, at+"issuer_name", "发证机关名称须为 1–100 字")
	v.Check(utf8.RuneCountInString(in.Number) <= 64, at+"number", "证照编号最多 64 个字符")
	if in.IssuedOn != nil && in.ExpiresOn != nil {
		v.Check(*in.ExpiresOn >= *in.IssuedOn, at+"expires_on", "有效期截止日不能早于发证日期")
	}
	if in.IssuedOn != nil {
		v.Check(*in.IssuedOn <= s.today(), at+"issued_on", "发证日期不能晚于今天")
	}
}

// Issue adds one certificate in its own transaction.
func (s *Service) Issue(ctx context.Context, by audit.Actor, in Input) (_ Certificate, err error) {
	defer errs.Wrap(&err, "certs.Issue")
	var c Certificate
	err = s.db.Tx(ctx, func(tx *store.Tx) (err error) {
		c, err = s.IssueTx(ctx, tx, by, in, "manual")
		return err
	})
	return c, err
}

// IssueTx adds one certificate inside tx (a case's decision issues its result this way). The
// identifier takes the next serial of the type and issuer; without a number the certificate is
// numbered from it.
func (s *Service) IssueTx(ctx context.Context, tx *store.Tx, by audit.Actor, in Input, source string) (_ Certificate, err error) {
	defer errs.Wrap(&err, "certs.IssueTx")
	t, err := typeOf(ctx, tx, strings.TrimSpace(in.Type))
	if err != nil {
		return Certificate{}, err
	}
	var v errs.Validation
	s.check(t, &in, "", &v)
	if err := v.Err(); err != nil {
		return Certificate{}, err
	}
	c, err := s.insert(ctx, tx, t, in, source)
	if err != nil {
		return c, err
	}
	return c, s.audit.Record(ctx, tx, by, "certificate.issue", "certificate", c.ID, nil,
		map[string]any{"type": t.Name, "number": c.Number, "holder": identity.MaskName(c.HolderName), "source": source, "case": in.Case})
}

func (s *Service) insert(ctx context.Context, tx *store.Tx, t Type, in Input, source string) (Certificate, error) {
	serial, err := tx.Count(ctx, "cert:"+t.Code+":"+in.IssuerCode)
	if err != nil {
		return Certificate{}, err
	}
	issued := s.today()
	if in.IssuedOn != nil {
		issued = *in.IssuedOn
	}
	expires := in.ExpiresOn
	if expires == nil {
		expires = ExpiryFor(issued, t.ValidYears)
	}
	id := Identifier(t.Code, in.IssuerCode, serial, 1)
	if in.Number == "" {
		in.Number = fmt.Sprintf("%s%04d%08d", t.Code, calendar.Date(issued).Time(time.UTC).Year(), serial)
	}
	if in.Data == nil {
		in.Data = map[string]any{}
	}
	data, _ := json.Marshal(in.Data)
	var caseNumber any
	if in.Case != "" {
		caseNumber = in.Case
	}
	c := Certificate{ID: id, Type: t.Name, TypeCode: t.Code, Number: in.Number, HolderKind: t.HolderKind, HolderName: in.HolderName,
		HolderID: in.HolderID, IssuerCode: in.IssuerCode, IssuerName: in.IssuerName, IssuedOn: issued, ExpiresOn: expires, Data: in.Data,
		Case: in.Case, Source: source, row: Valid, holderIdx: s.HolderIndex(in.HolderID)}
	_, err = tx.ExecContext(ctx, `INSERT INTO certificates (id, type_code, number, holder_kind, holder_name, holder_id_enc, holder_id_idx,
		issuer_code, issuer_name, issued_on, expires_on, data, status, case_number, source, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, t.Code, c.Number, c.HolderKind, c.HolderName, s.pii.Seal(c.HolderID),
		c.holderIdx, c.IssuerCode, c.IssuerName, issued, expires, string(data), Valid, caseNumber, source, s.now().UTC())
	if store.IsUniqueViolation(err) {
		return c, errs.Invalid("number", fmt.Sprintf("%s编号 %s 已存在", t.Name, c.Number))
	}
	if err != nil {
		return c, err
	}
	c.Status, c.StatusName = s.status(c)
	return c, nil
}

func (s *Service) status(c Certificate) (string, string) {
	st := StatusOn(c.row, c.ExpiresOn, s.today())
	return st, StatusName(st, c.RevokeReason)
}

// Revoke marks a certificate revoked at once; verification says so from the next request on.
func (s *Service) Revoke(ctx context.Context, by audit.Actor, id, reason string) (_ Certificate, err error) {
	defer errs.Wrap(&err, "certs.Revoke")
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > 500 {
		return Certificate{}, errs.Invalid("reason", "注销须写明原因（1–500 字）")
	}
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		c, err := s.get(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := mayRevoke(ctx, tx, by, c); err != nil {
			return err
		}
		if c.row == Revoked {
			return errs.Conflict("该证照已注销")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE certificates SET status = ?, revoked_at = ?, revoke_reason = ? WHERE id = ?`,
			Revoked, s.now().UTC(), reason, id); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, by, "certificate.revoke", "certificate", id, map[string]string{"status": Valid},
			map[string]string{"status": Revoked, "reason": reason})
	})
	if err != nil {
		return Certificate{}, err
	}
	c, err := s.get(ctx, s.db, id)
	c.HolderID = identity.MaskID(c.HolderID)
	return c, err
}

// mayRevoke: a certificate is revoked by the body that issued it — an approver of the department
// whose credit code is the issuer's — or by an administrator or the system (a revoked decision).
// A certificate imported from outside (no department here has its issuer's code) is revoked by
// an administrator only.
func mayRevoke(ctx context.Context, q Querier, by audit.Actor, c Certificate) error {
	switch identity.Role(by.Role) {
	case identity.Admin:
		return nil
	case identity.Approver:
		var credit string
		err := q.QueryRowContext(ctx, `SELECT credit_code FROM departments WHERE code = ?`, by.Department).Scan(&credit)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("department of %s: %w", by.Username, err)
		}
		if credit != "" && credit == c.IssuerCode {
			return nil
		}
		return errs.Forbidden(fmt.Sprintf("该证照由%s核发，只能由发证部门的审批人员或管理员注销", c.IssuerName))
	}
	if by.Role == audit.System.Role {
		return nil
	}
	return errs.Forbidden("只有发证部门的审批人员或管理员可以注销证照")
}

const columns = `c.id, c.type_code, t.name, c.number, c.holder_kind, c.holder_name, c.holder_id_enc, c.holder_id_idx, c.issuer_code,
	c.issuer_name, c.issued_on, c.expires_on, c.data, c.status, c.revoked_at, c.revoke_reason, COALESCE(c.case_number, ''), c.source`

type scanner interface{ Scan(dest ...any) error }

func (s *Service) scan(r scanner) (Certificate, error) {
	var c Certificate
	var enc, data string
	var expires sql.Null[calendar.Date]
	var revoked sql.NullTime
	err := r.Scan(&c.ID, &c.TypeCode, &c.Type, &c.Number, &c.HolderKind, &c.HolderName, &enc, &c.holderIdx, &c.IssuerCode,
		&c.IssuerName, &c.IssuedOn, &expires, &data, &c.row, &revoked, &c.RevokeReason, &c.Case, &c.Source)
	if err != nil {
		return c, err
	}
	if expires.Valid {
		c.ExpiresOn = &expires.V
	}
	if revoked.Valid {
		t := revoked.Time.UTC()
		c.RevokedAt = &t
	}
	if c.HolderID, err = s.pii.Open(enc); err != nil {
		return c, err
	}
	_ = json.Unmarshal([]byte(data), &c.Data)
	c.Status, c.StatusName = s.status(c)
	return c, nil
}

func (s *Service) get(ctx context.Context, q Querier, id string) (Certificate, error) {
	c, err := s.scan(q.QueryRowContext(ctx, `SELECT `+columns+` FROM certificates c JOIN certificate_types t ON t.code = c.type_code WHERE c.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, errs.NotFound("电子证照", id)
	}
	return c, err
}

// Public is what verification shows anyone holding the code: nothing personal but the holder's
// masked name.
type Public struct {
	Valid      bool           `json:"valid"`
	Status     string         `json:"status"`
	StatusName string         `json:"status_name"`
	Kind       string         `json:"kind"`
	Number     string         `json:"number"`
	IssuedOn   calendar.Date  `json:"issued_on"`
	ExpiresOn  *calendar.Date `json:"expires_on,omitempty"`
	Issuer     string         `json:"issuer"`
	Holder     string         `json:"holder"`
	RevokedAt  *time.Time     `json:"revoked_at,omitempty"`
	ID         string         `json:"id"`
}

// Verify looks a certificate up by its identifier for the public verification page. A wrong
// check character is "not found" without a query.
func (s *Service) Verify(ctx context.Context, id string) (_ Public, err error) {
	defer errs.Wrap(&err, "certs.Verify")
	if _, _, _, _, ok := ParseIdentifier(id); !ok {
		return Public{}, errs.NotFound("电子证照", id)
	}
	c, err := s.get(ctx, s.db, id)
	if err != nil {
		return Public{}, err
	}
	holder := identity.MaskName(c.HolderName)
	if c.HolderKind == Org {
		holder = c.HolderName // an organisation's name is public (it is on the licence on the wall)
	}
	return Public{Valid: c.Status == Valid, Status: c.Status, StatusName: c.StatusName, Kind: c.Type, Number: c.Number, IssuedOn: c.IssuedOn,
		ExpiresOn: c.ExpiresOn, Issuer: c.IssuerName, Holder: holder, RevokedAt: c.RevokedAt, ID: c.ID}, nil
}

// Held lists a holder's certificates, newest first: what the holder sees in their own account or
// at the kiosk after signing in (their own data: no access record).
func (s *Service) Held(ctx context.Context, holderID string) (_ []Certificate, err error) {
	defer errs.Wrap(&err, "certs.Held")
	return s.held(ctx, s.HolderIndex(holderID))
}

func (s *Service) held(ctx context.Context, idx string) ([]Certificate, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+columns+` FROM certificates c JOIN certificate_types t ON t.code = c.type_code
		WHERE c.holder_id_idx = ? ORDER BY c.issued_on DESC, c.id`, idx)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Certificate{}
	for rows.Next() {
		c, err := s.scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Own returns one certificate to its holder (holderID signed in), or not found.
func (s *Service) Own(ctx context.Context, holderID, id string) (_ Certificate, err error) {
	defer errs.Wrap(&err, "certs.Own")
	c, err := s.get(ctx, s.db, id)
	if err == nil && c.holderIdx != s.HolderIndex(holderID) {
		err = errs.NotFound("电子证照", id)
	}
	return c, err
}

// HeldBy lists the principal's certificates to a signed-in applicant: none for an agent whose
// mandate does not cover every item.
func (s *Service) HeldBy(ctx context.Context, sess identity.ApplicantSession) (_ []Certificate, err error) {
	defer errs.Wrap(&err, "certs.HeldBy")
	if !sess.SeesCertificates() {
		return []Certificate{}, nil
	}
	return s.Held(ctx, sess.Principal().IDNumber)
}

// OwnBy returns one of the principal's certificates to a signed-in applicant, or not found.
func (s *Service) OwnBy(ctx context.Context, sess identity.ApplicantSession, id string) (_ Certificate, err error) {
	defer errs.Wrap(&err, "certs.OwnBy")
	if !sess.SeesCertificates() {
		return Certificate{}, errs.NotFound("电子证照", id)
	}
	return s.Own(ctx, sess.Principal().IDNumber, id)
}

// Usable returns the holder's valid certificate of a type (by name), newest first, for reuse in
// place of an upload; not found when there is none.
func (s *Service) Usable(ctx context.Context, holderID, typeName string) (_ Certificate, err error) {
	defer errs.Wrap(&err, "certs.Usable")
	cs, err := s.Held(ctx, holderID)
	if err != nil {
		return Certificate{}, err
	}
	for _, c := range cs {
		if c.Type == typeName && c.Status == Valid {
			return c, nil
		}
	}
	return Certificate{}, errs.NotFound("有效的"+typeName, identity.MaskID(holderID))
}

// Querier is a database or a transaction.
type Querier interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// CheckUse checks that a certificate may stand for a material: it exists, is valid today, is of
// the type the material asks for, and belongs to the applicant.
func (s *Service) CheckUse(ctx context.Context, q Querier, id, typeName, applicantID string) error {
	c, err := s.get(ctx, q, id)
	if err != nil {
		return errs.Invalid("certificate_id", "电子证照不存在："+id)
	}
	switch {
	case c.Type != typeName:
		return errs.Invalid("certificate_id", fmt.Sprintf("该材料须为%s，所给证照是%s", typeName, c.Type))
	case c.holderIdx != s.HolderIndex(applicantID):
		return errs.Invalid("certificate_id", "证照持有人不是申请人")
	case c.Status != Valid:
		return errs.Invalid("certificate_id", fmt.Sprintf("%s %s %s，不能使用", c.Type, c.Number, c.StatusName))
	}
	return nil
}
