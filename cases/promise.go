package cases

// 告知承诺 (issue 16): an application of an item in the commitment mode is approved at once on
// the applicant's signed 承诺书 (commitdecide.go); a post-check (事后核查) with its own deadline in
// working days goes to the department; a false commitment revokes the decision and the
// certificate it issued and records it on the applicant (信用记录), shown to staff on the
// applicant's next application and to the applicant on /my.
//
// The rules are plain functions (CommitmentRule, PostCheckDue, PostCheckState, PostCheckNext);
// the service below stores their results, one transaction per command.

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
	"banhao/catalog"
	"banhao/certs"
	"banhao/errs"
	"banhao/identity"
	"banhao/ids"
	"banhao/notify"
	"banhao/store"
)

// How a commitment was signed.
const (
	SignedOnline = "online" // ticked and typed their name in the online hall (or kiosk)
	SignedWindow = "window" // on paper or the signing pad at the window, recorded by the clerk
)

// SignedViaNames are the ways of signing in words.
var SignedViaNames = map[string]string{SignedOnline: "网上勾选承诺并签名", SignedWindow: "窗口现场书面（签字板）签署"}

// CommitmentPledge is the box the applicant ticks.
const CommitmentPledge = "本人已阅读并承诺：所填信息和所交材料真实、准确，本人（单位）符合上述承诺书所列条件，承诺不实的愿意承担撤销许可并记入信用记录的后果"

// CommitmentInput is the applicant's signature of the item's 承诺书: Agreed is the ticked box,
// Signer the name typed (online; it must be the applicant's). At the window the clerk records
// that the applicant signed on paper or the pad (Via "window", Agreed true; Signer defaults to
// the applicant's name).
type CommitmentInput struct {
	Agreed bool   `json:"agreed"`
	Signer string `json:"signer,omitempty"`
	Via    string `json:"via,omitempty"`
}

// SignedCommitment is the 承诺书 a case was approved on, as kept (never changed).
type SignedCommitment struct {
	Text       string    `json:"text"`
	Signer     string    `json:"signer"`
	SignedVia  string    `json:"signed_via"`
	ViaName    string    `json:"signed_via_name"`
	SignedAt   time.Time `json:"signed_at"`
	RecordedBy string    `json:"recorded_by"`
}

// CommitmentRule checks a signature before anything is written: an item in the commitment mode
// needs one (ticked, and online the applicant's own name typed); another item takes none. It
// returns the signature as it will be kept.
func CommitmentRule(item catalog.Item, channel, applicant string, in *CommitmentInput) (_ CommitmentInput, err error) {
	defer errs.Wrap(&err, "cases.CommitmentRule")
	if item.HandlingMode != catalog.ModeCommitment {
		if in != nil && in.Agreed {
			return CommitmentInput{}, errs.Invalid("commitment", "该事项不是告知承诺事项，无需签署承诺书")
		}
		return CommitmentInput{}, nil
	}
	// The tick and the signature are checked together: both problems are told at once.
	var v errs.Validation
	if in == nil {
		in = &CommitmentInput{}
	}
	v.Check(in.Agreed, "commitment", "告知承诺事项须签署承诺书：请阅读承诺书并勾选“本人已阅读并承诺…”")
	out := CommitmentInput{Agreed: true, Signer: strings.TrimSpace(in.Signer), Via: in.Via}
	if channel == "window" {
		out.Via = SignedWindow
		if out.Signer == "" {
			out.Signer = applicant
		}
	} else {
		out.Via = SignedOnline
	}
	switch {
	case out.Signer == "":
		v.Add("commitment.signer", "请在“签名”处输入申请人姓名（名称）以签署承诺书")
	case strings.TrimSpace(applicant) == "": // the applicant's name is refused at its own field
	case utf8.RuneCountInString(out.Signer) > 100 || !SameName(out.Signer, applicant):
		v.Add("commitment.signer", fmt.Sprintf("承诺书的签名须与申请人姓名（名称）“%s”一致", applicant))
	}
	if err := v.Err(); err != nil {
		return CommitmentInput{}, err
	}
	return out, nil
}

// Post-check statuses.
const (
	PostCheckOpen  = "open"  // 待核查
	PostCheckTrue  = "true"  // 承诺属实
	PostCheckFalse = "false" // 承诺不实: decision revoked, credit record written
)

// PostCheckStatusNames are the post-check statuses in words.
var PostCheckStatusNames = map[string]string{PostCheckOpen: "待核查", PostCheckTrue: "承诺属实", PostCheckFalse: "承诺不实（已撤销许可）"}

// PostCheckDue is the last day of a post-check: the item's working days counted from the day
// after the approval (the approval day itself not counted), on the official calendar.
func PostCheckDue(cal *calendar.Calendar, approved calendar.Date, days int) (_ calendar.Date, err error) {
	defer errs.Wrap(&err, "cases.PostCheckDue")
	if days < 1 {
		return approved, errs.Invalid("post_check_days", "事后核查时限须为 1 个工作日以上")
	}
	return cal.AddWorkingDays(approved, days)
}

// PostCheckState says whether a post-check is kept to its deadline: open and not yet due →
// 按期 (待核查), open past its day → 逾期 (逾期未核查), done on or before its day → 按期, done after → 逾期.
// The label is what a person reads.
func PostCheckState(status string, due calendar.Date, checkedOn *calendar.Date, today calendar.Date) (onTime bool, label string) {
	if status == PostCheckOpen {
		if today <= due {
			return true, "按期（待核查）"
		}
		return false, "逾期未核查"
	}
	if checkedOn != nil && *checkedOn <= due {
		return true, "按期核查"
	}
	return false, "逾期核查"
}

// PostCheckNext is the rule of recording a post-check: only an open one, as 属实 or 不实, and 不实
// with its reason (it revokes the decision and is written on the applicant's credit record).
func PostCheckNext(status, finding, reason string) (string, error) {
	if status != PostCheckOpen {
		return status, errs.Conflict("该办件的事后核查已记录为“" + PostCheckStatusNames[status] + "”，不能再次核查")
	}
	switch finding {
	case PostCheckTrue:
		return PostCheckTrue, nil
	case PostCheckFalse:
		n := utf8.RuneCountInString(strings.TrimSpace(reason))
		if n < 2 || n > 500 {
			return status, errs.Invalid("reason", "承诺不实须写明核查发现的情况（2–500 字），将作为撤销许可和信用记录的理由")
		}
		return PostCheckFalse, nil
	}
	return status, errs.Invalid("finding", "核查结论须为承诺属实或承诺不实")
}

// PostCheck is one 事后核查 task, as the department's list shows it.
type PostCheck struct {
	CaseNumber    string         `json:"case_number"`
	Department    string         `json:"department"`
	Item          string         `json:"item"`
	ItemName      string         `json:"item_name"`
	ApplicantName string         `json:"applicant_name"`
	CreatedOn     calendar.Date  `json:"created_on"`
	Due           calendar.Date  `json:"due"`
	Status        string         `json:"status"`
	StatusName    string         `json:"status_name"`
	CheckedOn     *calendar.Date `json:"checked_on,omitempty"`
	CheckedBy     string         `json:"checked_by,omitempty"`
	Note          string         `json:"note,omitempty"`
	// OnTime and State: 按期/逾期 as of today (PostCheckState).
	OnTime bool   `json:"on_time"`
	State  string `json:"state"`
	// Credit is how many credit records (信用记录) the applicant has from other cases (PostChecks).
	Credit int `json:"credit_records"`
	// DaysLeft is the working days from today to Due while the check is open and not late
	// (PostCheckOf): a 告知承诺 case's one pending deadline.
	DaysLeft *int `json:"days_left,omitempty"`
	// UncoveredYear is Due's year while the check is open and the calendar lacks that year's
	// official schedule (calendar.Uncovered): Due and DaysLeft are counted Monday to Friday
	// only, the holidays unknown — provisional, and the pages say so.
	UncoveredYear int `json:"uncovered_year,omitempty"`
}

// markUncovered sets UncoveredYear of an open post-check whose due day falls in a year cal does
// not cover.
func (p *PostCheck) markUncovered(cal *calendar.Calendar) {
	if year, ok := calendar.Uncovered(cal, p.Due); ok && p.Status == PostCheckOpen {
		p.UncoveredYear = year
	}
}

// uncoveredWords is what a deadline counted without its year's holidays says beside it.
func uncoveredWords(year int) string {
	return "（" + calendar.UncoveredNote(year) + "）"
}

// CreditRecord is one 信用记录: a false commitment of the applicant.
type CreditRecord struct {
	ApplicantName string        `json:"applicant_name"`
	CaseNumber    string        `json:"case_number"`
	ItemName      string        `json:"item_name"`
	Department    string        `json:"department"`
	Reason        string        `json:"reason"`
	RecordedOn    calendar.Date `json:"recorded_on"`
}

// PostCheckInput records a post-check: Finding "true" (属实) or "false" (不实, with Reason).
type PostCheckInput struct {
	Finding string `json:"finding"`
	Reason  string `json:"reason,omitempty"`
}

const postCheckColumns = `case_number, department_code, item_code, item_name, applicant_name, created_on, due, status,
	checked_on, checked_by, note`

func (s *Service) scanPostCheck(row scanner) (PostCheck, error) {
	var p PostCheck
	var checked sql.NullString
	err := row.Scan(&p.CaseNumber, &p.Department, &p.Item, &p.ItemName, &p.ApplicantName, &p.CreatedOn, &p.Due, &p.Status,
		&checked, &p.CheckedBy, &p.Note)
	p.CheckedOn = optDate(checked)
	p.StatusName = PostCheckStatusNames[p.Status]
	p.OnTime, p.State = PostCheckState(p.Status, p.Due, p.CheckedOn, s.today())
	return p, err
}

// PostCheckQuery filters the post-checks: Status open, done or "" (all).
type PostCheckQuery struct {
	Status string
}

// PostChecks lists the post-checks a person may see: an approver those of their department,
// an administrator or supervisor every department's; open ones first, by due day.
func (s *Service) PostChecks(ctx context.Context, viewer audit.Actor, q PostCheckQuery) (_ []PostCheck, err error) {
	defer errs.Wrap(&err, "cases.PostChecks")
	where, args := []string{"1 = 1"}, []any{}
	switch identity.Role(viewer.Role) {
	case identity.Approver:
		where, args = append(where, "department_code = ?"), append(args, viewer.Department)
	case identity.Admin, identity.Supervisor:
	default:
		return nil, errs.Forbidden("事后核查由部门审批人员办理")
	}
	switch q.Status {
	case "":
	case "open":
		where = append(where, "status = 'open'")
	case "done":
		where = append(where, "status <> 'open'")
	default:
		return nil, errs.Invalid("status", "状态须为 open（待核查）或 done（已核查）")
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+postCheckColumns+` FROM post_checks WHERE `+strings.Join(where, " AND ")+`
		ORDER BY CASE WHEN status = 'open' THEN 0 ELSE 1 END, due, case_number LIMIT 500`, args...)
	if err != nil {
		return nil, fmt.Errorf("post checks: %w", err)
	}
	defer rows.Close()
	out := []PostCheck{}
	for rows.Next() {
		p, err := s.scanPostCheck(rows)
		if err != nil {
			return nil, fmt.Errorf("post checks: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("post checks: %w", err)
	}
	rows.Close()
	if err := s.withCredit(ctx, out); err != nil {
		return nil, err
	}
	cal, err := s.cal.Calendar(ctx)
	if err != nil {
		return nil, fmt.Errorf("post checks: %w", err)
	}
	for i := range out {
		out[i].markUncovered(cal)
	}
	return out, nil
}

// PostCheckOf is the post-check of a case, if it has one.
func (s *Service) PostCheckOf(ctx context.Context, number string) (_ *PostCheck, err error) {
	defer errs.Wrap(&err, "cases.PostCheckOf")
	p, err := s.scanPostCheck(s.db.QueryRowContext(ctx, `SELECT `+postCheckColumns+` FROM post_checks WHERE case_number = ?`, number))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cases: the post-check of %s: %w", number, err)
	}
	if p.Status == PostCheckOpen && p.OnTime {
		cal, err := s.cal.Calendar(ctx)
		if err != nil {
			return nil, fmt.Errorf("cases: the post-check of %s: %w", number, err)
		}
		p.markUncovered(cal)
		if left, err := cal.WorkingDaysBetween(s.today(), p.Due); err == nil {
			p.DaysLeft = &left
		}
	}
	return &p, nil
}

// CommitmentOf is the 承诺书 a case was approved on, if any.
func (s *Service) CommitmentOf(ctx context.Context, number string) (_ *SignedCommitment, err error) {
	defer errs.Wrap(&err, "cases.CommitmentOf")
	var c SignedCommitment
	err = s.db.QueryRowContext(ctx, `SELECT text, signer, signed_via, signed_at, recorded_by FROM case_commitments WHERE case_number = ?`, number).
		Scan(&c.Text, &c.Signer, &c.SignedVia, &c.SignedAt, &c.RecordedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cases: the commitment of %s: %w", number, err)
	}
	c.ViaName = SignedViaNames[c.SignedVia]
	return &c, nil
}

// RecordPostCheck records the post-check of a case by an approver of its department: 属实 closes
// it; 不实 revokes the decision (status 已撤销许可, timeline 撤销许可 with the reason), revokes the
// certificate the approval issued and writes a credit record on the applicant — one transaction.
func (s *Service) RecordPostCheck(ctx context.Context, by audit.Actor, number string, in PostCheckInput) (_ PostCheck, err error) {
	defer errs.Wrap(&err, "cases.RecordPostCheck")
	if identity.Role(by.Role) != identity.Approver {
		return PostCheck{}, errs.Forbidden("事后核查由部门审批人员办理")
	}
	in.Reason = strings.TrimSpace(in.Reason)
	today, now := s.today(), s.now().UTC().Truncate(time.Microsecond)
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		p, err := s.scanPostCheck(tx.QueryRowContext(ctx, `SELECT `+postCheckColumns+` FROM post_checks WHERE case_number = ?`+tx.ForUpdate(), number))
		if errors.Is(err, sql.ErrNoRows) {
			return errs.NotFound("事后核查", number)
		}
		if err != nil {
			return err
		}
		if p.Department != by.Department {
			return errs.Forbidden("该事后核查属于其他部门")
		}
		next, err := PostCheckNext(p.Status, in.Finding, in.Reason)
		if err != nil {
			return err
		}
		if err := tx.ExecLater(ctx, `UPDATE post_checks SET status = ?, checked_on = ?, checked_by = ?, note = ? WHERE case_number = ?`,
			next, today.String(), by.Username, in.Reason, number); err != nil {
			return err
		}
		c, err := s.scan(tx.QueryRowContext(ctx, `SELECT `+caseColumns+` FROM cases WHERE number = ?`+tx.ForUpdate(), number))
		if err != nil {
			return err
		}
		onTime, _ := PostCheckState(next, p.Due, &today, today)
		text := "事后核查：承诺属实"
		if next == PostCheckFalse {
			text = "事后核查：承诺不实——" + in.Reason
		}
		if !onTime {
			text += "（逾期核查，核查期限 " + p.Due.String() + "）"
		}
		if err := s.event(ctx, tx, by, number, "post_check", c.Status, map[string]any{"finding": next, "reason": in.Reason,
			"due": p.Due, "on_time": onTime, "text": text}, map[string]any{"post_check": p.Status}); err != nil {
			return err
		}
		if next != PostCheckFalse {
			return nil
		}
		return s.revokeOnFalseCommitment(ctx, tx, by, c, in.Reason, today, now)
	})
	if err != nil {
		return PostCheck{}, fmt.Errorf("cases: record the post-check of %s: %w", number, err)
	}
	p, err := s.PostCheckOf(ctx, number)
	if err != nil || p == nil {
		return PostCheck{}, err
	}
	return *p, nil
}

// revokeOnFalseCommitment revokes a case's approval after its commitment was found false: the
// case's status, its timeline, its certificate and the applicant's credit record.
func (s *Service) revokeOnFalseCommitment(ctx context.Context, tx *store.Tx, by audit.Actor, c Case, reason string, today calendar.Date, now time.Time) error {
	if c.Status != Decided && c.Status != Delivered || c.Decision != "approved" {
		return errs.Conflict(fmt.Sprintf("办件当前状态为「%s」，没有可撤销的许可", StatusNames[c.Status]))
	}
	s.countMove(tx, c, Revoked, c.DecidedOn, c.Due)
	if err := tx.ExecLater(ctx, `UPDATE cases SET status = ?, updated_at = ? WHERE number = ?`, string(Revoked), now, c.Number); err != nil {
		return err
	}
	detail := map[string]any{"reason": reason, "text": "承诺不实，撤销准予许可决定：" + reason}
	if c.ResultCertificate != "" {
		why := []rune("撤销许可（告知承诺不实）：" + reason)
		if len(why) > 500 {
			why = why[:500]
		}
		if err := s.certs.RevokeTx(ctx, tx, by, c.ResultCertificate, string(why)); err != nil {
			return err
		}
		detail["certificate"] = c.ResultCertificate
	}
	if err := s.event(ctx, tx, by, c.Number, "revoke", Revoked, detail, map[string]any{"status": c.Status}); err != nil {
		return err
	}
	if text := RevocationText(s.center, c, reason); c.phone != "" && c.parent == "" {
		if err := s.outbox.Add(ctx, tx, notify.Message{Recipient: "case:" + c.Number, Event: "case.revoke", Subject: text, Body: text,
			Payload: map[string]any{"case": c.Number}}); err != nil {
			return err
		}
	}
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO credit_records (applicant_idx, applicant_name, case_number, item_name, department_code,
		reason, recorded_on, recorded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		s.pii.Index(c.Applicant.IDNumber), c.Applicant.Name, c.Number, c.ItemName, c.Department.Code, reason, today.String(), by.Username, now).Scan(&id); err != nil {
		return fmt.Errorf("credit record for %s: %w", c.Number, err)
	}
	return s.audit.Record(ctx, tx, by, "credit.record", "credit_record", fmt.Sprint(id), nil,
		map[string]any{"applicant": c.Applicant.Name, "case": c.Number, "reason": reason, "recorded_on": today})
}

// RevocationText is the applicant's message when their approval is revoked after a false
// commitment: what was revoked, why, and that the certificate no longer holds.
func RevocationText(center string, c Case, reason string) string {
	text := "【" + center + "】您的办件 " + c.Number + "（" + c.ItemName + "）许可已撤销：经事后核查，告知承诺不实——" + reason + "。"
	if c.ResultCertificate != "" {
		text += "所发证照 " + c.ResultCertificate + " 已撤销作废。"
	}
	return text + "如不服，可依法申请行政复议或者提起行政诉讼。"
}

// Revocation is why a revoked case's approval was revoked, as its timeline says it (撤销许可),
// "" for a case not revoked: pages show it instead of offering the certificate as valid.
func (c Case) Revocation() string {
	if c.Status != Revoked {
		return ""
	}
	for i := len(c.Timeline) - 1; i >= 0; i-- {
		if c.Timeline[i].Action == "revoke" && c.Timeline[i].Text != "" {
			return c.Timeline[i].Text
		}
	}
	return "许可已撤销"
}

// creditRecords lists the credit records of the applicant with this ID number, newest first.
func (s *Service) creditRecords(ctx context.Context, idNumber string) ([]CreditRecord, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT r.applicant_name, r.case_number, r.item_name,
		COALESCE((SELECT name FROM departments d WHERE d.code = r.department_code), r.department_code), r.reason, r.recorded_on
		FROM credit_records r WHERE r.applicant_idx = ? ORDER BY r.recorded_on DESC, r.id DESC`, s.pii.Index(identity.NormalizeID(idNumber)))
	if err != nil {
		return nil, fmt.Errorf("cases: credit records: %w", err) // the applicant's number stays out of the log
	}
	defer rows.Close()
	out := []CreditRecord{}
	for rows.Next() {
		var r CreditRecord
		if err := rows.Scan(&r.ApplicantName, &r.CaseNumber, &r.ItemName, &r.Department, &r.Reason, &r.RecordedOn); err != nil {
			return nil, fmt.Errorf("cases: credit records: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("cases: credit records: %w", err)
	}
	return out, nil
}

// CreditRecords are an applicant's credit records for the staff handling their application
// (the window, the approver, the supervisors).
func (s *Service) CreditRecords(ctx context.Context, viewer audit.Actor, idNumber string) (_ []CreditRecord, err error) {
	defer errs.Wrap(&err, "cases.CreditRecords")
	switch identity.Role(viewer.Role) {
	case identity.Clerk, identity.Approver, identity.Admin, identity.Supervisor:
	default:
		return nil, errs.Forbidden("信用记录仅供办理人员查看")
	}
	return s.creditRecords(ctx, idNumber)
}

// OwnCreditRecords are the credit records of a signed-in applicant's principal.
func (s *Service) OwnCreditRecords(ctx context.Context, sess identity.ApplicantSession) (_ []CreditRecord, err error) {
	defer errs.Wrap(&err, "cases.OwnCreditRecords")
	if sess.ActingFor != nil {
		return []CreditRecord{}, nil // an agent sees the cases of their mandate, not the principal's record
	}
	return s.creditRecords(ctx, sess.Principal().IDNumber)
}

// CreditWarning is the line staff read on an applicant with credit records ("" without).
func CreditWarning(records []CreditRecord) string {
	if len(records) == 0 {
		return ""
	}
	r := records[0]
	more := ""
	if len(records) > 1 {
		more = fmt.Sprintf("等 %d 条", len(records))
	}
	return fmt.Sprintf("该申请人有失信记录%s：%s 办理“%s”（%s）承诺不实——%s。请依法审慎办理。",
		more, r.RecordedOn, r.ItemName, r.CaseNumber, r.Reason)
}

// PostCheckFigures counts, for the supervisors, the post-checks that belong to the days from to
// to: a completed check in the period of its completion (on time when completed on or before its
// due day), an open one in the period where it falls due once that day has passed (late; one
// still in time belongs to no period yet): 承诺制事后核查按期率 = onTime / due. Each check belongs to
// one day, so the figures of adjoining periods add up (PostCheckPeriod).
func (s *Service) PostCheckFigures(ctx context.Context, from, to calendar.Date) (due, onTime int, err error) {
	defer errs.Wrap(&err, "cases.PostCheckFigures")
	return s.postCheckFigures(ctx, from, to, nil)
}

// postCheckFigures is PostCheckFigures over the cases of depts (nil: all).
func (s *Service) postCheckFigures(ctx context.Context, from, to calendar.Date, depts map[string]bool) (due, onTime int, err error) {
	today := s.today().String()
	cond, in := inDepts("department_code", depts)
	err = s.db.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN status <> 'open' AND checked_on <= due THEN 1 ELSE 0 END), 0)
		FROM post_checks WHERE ((status <> 'open' AND checked_on >= ? AND checked_on <= ?) OR (status = 'open' AND due >= ? AND due <= ? AND due < ?))`+cond,
		append([]any{from.String(), to.String(), from.String(), to.String(), today}, in...)...).Scan(&due, &onTime)
	if err != nil {
		return 0, 0, fmt.Errorf("post-check figures: %w", err)
	}
	return due, onTime, nil
}

// PostCheckPeriod is the day a post-check is counted on by PostCheckFigures, and whether it is
// counted yet: a completed one on its completion day, an open one on its due day once past.
func PostCheckPeriod(p PostCheck, today calendar.Date) (calendar.Date, bool) {
	if p.Status != PostCheckOpen && p.CheckedOn != nil {
		return *p.CheckedOn, true
	}
	return p.Due, p.Due < today
}

// CreditRecordsOfCase are the credit records of a case's applicant other than the one the case
// itself caused, for the staff handling it (the warning on the case page).
func (s *Service) CreditRecordsOfCase(ctx context.Context, viewer audit.Actor, number string) (_ []CreditRecord, err error) {
	defer errs.Wrap(&err, "cases.CreditRecordsOfCase")
	var enc string
	if err := s.db.QueryRowContext(ctx, `SELECT applicant_id_enc FROM cases WHERE number = ?`, number).Scan(&enc); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, errs.NotFound("办件", number)
		}
		return nil, fmt.Errorf("cases: the applicant of %s: %w", number, err)
	}
	id, err := s.pii.Open(enc)
	if err != nil {
		return nil, fmt.Errorf("cases: the applicant of %s: %w", number, err)
	}
	recs, err := s.CreditRecords(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	out := recs[:0]
	for _, r := range recs {
		if r.CaseNumber != number {
			out = append(out, r)
		}
	}
	return out, nil
}

// The applicant sees the commitment's steps on their road (progress.go): signed, approved on it,
// checked, and — found false — revoked, where the case stops.
func init() {
	citizenSteps["commitment_sign"] = CitizenStep{Name: "已签署告知承诺书"}
	citizenSteps["commitment_approve"] = CitizenStep{Name: "承诺制审批通过（依您的承诺准予许可，部门将在期限内事后核查）"}
	citizenSteps["post_check"] = CitizenStep{Name: "部门已完成事后核查"}
	citizenSteps["revoke"] = CitizenStep{Name: "事后核查发现承诺不实，已撤销许可", Ends: true}
}

// CreditBeforeCommitment are the credit records staff read before registering a 告知承诺
// application of item for the applicant with idNumber (the window's intake, as the number is
// typed): none for another handling mode or a number not yet complete. The page only renders
// them (CreditWarning).
func (s *Service) CreditBeforeCommitment(ctx context.Context, viewer audit.Actor, item catalog.Item, idNumber string) (_ []CreditRecord, err error) {
	defer errs.Wrap(&err, "cases.CreditBeforeCommitment")
	id := strings.ToUpper(strings.TrimSpace(idNumber))
	if item.HandlingMode != catalog.ModeCommitment || !(ids.ValidIDNumber(id) || ids.ValidCreditCode(id)) {
		return nil, nil
	}
	recs, err := s.CreditRecords(ctx, viewer, id)
	if err != nil {
		return nil, err
	}
	// On the applicant's list of who read their data, once per reader, item and day (the page asks
	// again as the form is corrected): there is no case yet, the item says what it was for.
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		return s.certs.RecordLookupOnce(ctx, tx, viewer, id, certs.Access{ObjectType: "credit_record", ObjectID: item.Code,
			ObjectName: "信用记录（受理“" + item.Name + "”前）", Purpose: CreditLookupPurpose}, s.today().Time(s.loc))
	})
	if err != nil {
		return nil, fmt.Errorf("cases: credit records before %s: %w", item.Code, err)
	}
	return recs, nil
}

// CreditLookupPurpose is the purpose on the applicant's data-access list of the window's look-up
// of their credit records.
const CreditLookupPurpose = "信用记录查询"

// OwnCreditNotice is what an applicant reads of their own credit records before signing a
// commitment online, plainly ("" without records).
func OwnCreditNotice(records []CreditRecord) string {
	if len(records) == 0 {
		return ""
	}
	parts := make([]string, len(records))
	for i, r := range records {
		parts[i] = fmt.Sprintf("%s 办理“%s”（%s）的承诺经核查不实：%s", r.RecordedOn, r.ItemName, r.CaseNumber, r.Reason)
	}
	return fmt.Sprintf("您有 %d 条信用记录：%s。信用修复前不适用告知承诺制：您的申请将由部门按一般程序审查后决定，不能当即审批。",
		len(records), strings.Join(parts, "；"))
}
