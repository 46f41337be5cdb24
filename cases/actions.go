package cases

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"banhao/audit"
	"banhao/calendar"
	"banhao/catalog"
	"banhao/certs"
	"banhao/errs"
	"banhao/identity"
	"banhao/store"
)

// who may do what: the window (clerk) handles intake and delivery; the approver of the case's
// department handles the back office.
var windowActions = []Action{Accept, AskCorrect, Supply, Reject, Deliver, Withdraw}
var officeActions = []Action{Suspend, Resume, Extend, Decide}

// Authorize is the rule of who may act on a case.
func Authorize(a audit.Actor, action Action, department string) error {
	if decidesByRules(a, action) { // 秒批: the system accepts and decides (autodecide.go)
		return nil
	}
	switch role := identity.Role(a.Role); {
	case slices.Contains(windowActions, action):
		if role != identity.Clerk {
			return errs.Forbidden(fmt.Sprintf("“%s”由综合窗口办理", audit.ActionName("case."+string(action))))
		}
	case slices.Contains(officeActions, action):
		if role != identity.Approver {
			return errs.Forbidden(fmt.Sprintf("“%s”由部门审批人员办理", audit.ActionName("case."+string(action))))
		}
		if a.Department != department {
			return errs.Forbidden("该办件属于其他部门")
		}
	case action == Terminate:
		if a.Role != audit.System.Role {
			return errs.Forbidden("终止由系统按容缺承诺规则执行")
		}
	default:
		return errs.Invalid("action", "未知操作 "+string(action))
	}
	return nil
}

// The inputs of the actions, one type each (API.md "Actions": the body of
// POST /api/v1/cases/{number}/ACTION). A field of another action is not among them: the API
// refuses it by name instead of ignoring it.

// AcceptInput accepts a case (受理): the 容缺 materials committed to a date.
type AcceptInput struct {
	Deferred []DeferInput `json:"deferred,omitempty"`
	// quiet: the system accepts to decide at once (秒批 at intake); the applicant is texted the
	// promised day only if the rules hand the case to a person (rulesAtIntake).
	quiet bool
}

// CorrectionInput asks for correction (补正告知): every material still needed, at once.
type CorrectionInput struct {
	Missing []string `json:"missing,omitempty"`
	Note    string   `json:"note,omitempty"`
}

// SupplyInput brings materials asked for by a correction or committed under 容缺 (补交).
type SupplyInput struct {
	Materials []MaterialRef `json:"materials,omitempty"`
}

// RejectInput refuses an application (不予受理): the reason and its legal basis.
type RejectInput struct {
	Reason string `json:"reason,omitempty"`
	Basis  string `json:"basis,omitempty"`
}

// SuspendInput stops the clock: Kind special_procedure (特别程序, where the item allows it) or
// suspension (依法中止), with the reason.
type SuspendInput struct {
	Kind   string `json:"kind,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// ResumeInput restarts the clock of a suspended case; it carries nothing.
type ResumeInput struct{}

// ExtendInput lengthens the limit by Days (延期), with the reason.
type ExtendInput struct {
	Days   int    `json:"days,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// DecisionInput decides a case: Decision approved (准予许可) or denied (不予许可, with Reason).
type DecisionInput struct {
	Decision string `json:"decision,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// DeliveryInput hands out the result (出件): Method window, mail (with TrackingNumber) or
// electronic.
type DeliveryInput struct {
	Method         string `json:"method,omitempty"`
	TrackingNumber string `json:"tracking_number,omitempty"`
}

// WithdrawInput records the applicant's withdrawal (撤回) and why.
type WithdrawInput struct {
	Reason string `json:"reason,omitempty"`
}

// ActionInput is the input of one action; each type names its action. Act runs any of them.
type ActionInput interface{ action() Action }

func (AcceptInput) action() Action     { return Accept }
func (CorrectionInput) action() Action { return AskCorrect }
func (SupplyInput) action() Action     { return Supply }
func (RejectInput) action() Action     { return Reject }
func (SuspendInput) action() Action    { return Suspend }
func (ResumeInput) action() Action     { return Resume }
func (ExtendInput) action() Action     { return Extend }
func (DecisionInput) action() Action   { return Decide }
func (DeliveryInput) action() Action   { return Deliver }
func (WithdrawInput) action() Action   { return Withdraw }

// Accept accepts a case: the deadline starts (受理).
func (s *Service) Accept(ctx context.Context, by audit.Actor, number string, in AcceptInput) (_ Case, err error) {
	defer errs.Wrap(&err, "cases.Accept")
	return s.Act(ctx, by, number, in)
}

// AskCorrection tells the applicant, at once, every material still needed (一次性补正告知).
func (s *Service) AskCorrection(ctx context.Context, by audit.Actor, number string, in CorrectionInput) (_ Case, err error) {
	defer errs.Wrap(&err, "cases.AskCorrection")
	return s.Act(ctx, by, number, in)
}

// Supply takes in materials supplied later (补正, 容缺).
func (s *Service) Supply(ctx context.Context, by audit.Actor, number string, in SupplyInput) (_ Case, err error) {
	defer errs.Wrap(&err, "cases.Supply")
	return s.Act(ctx, by, number, in)
}

// Reject refuses an application (不予受理).
func (s *Service) Reject(ctx context.Context, by audit.Actor, number string, in RejectInput) (_ Case, err error) {
	defer errs.Wrap(&err, "cases.Reject")
	return s.Act(ctx, by, number, in)
}

// Suspend stops a case's clock (特别程序, 中止).
func (s *Service) Suspend(ctx context.Context, by audit.Actor, number string, in SuspendInput) (_ Case, err error) {
	defer errs.Wrap(&err, "cases.Suspend")
	return s.Act(ctx, by, number, in)
}

// Resume restarts a suspended case's clock; the days it stood are added to its limit.
func (s *Service) Resume(ctx context.Context, by audit.Actor, number string, in ResumeInput) (_ Case, err error) {
	defer errs.Wrap(&err, "cases.Resume")
	return s.Act(ctx, by, number, in)
}

// Extend lengthens a case's limit (延期).
func (s *Service) Extend(ctx context.Context, by audit.Actor, number string, in ExtendInput) (_ Case, err error) {
	defer errs.Wrap(&err, "cases.Extend")
	return s.Act(ctx, by, number, in)
}

// Decide decides a case (准予许可, 不予许可).
func (s *Service) Decide(ctx context.Context, by audit.Actor, number string, in DecisionInput) (_ Case, err error) {
	defer errs.Wrap(&err, "cases.Decide")
	return s.Act(ctx, by, number, in)
}

// Deliver hands out a decided case's result (出件).
func (s *Service) Deliver(ctx context.Context, by audit.Actor, number string, in DeliveryInput) (_ Case, err error) {
	defer errs.Wrap(&err, "cases.Deliver")
	return s.Act(ctx, by, number, in)
}

// Withdraw ends a case the applicant withdraws (撤回).
func (s *Service) Withdraw(ctx context.Context, by audit.Actor, number string, in WithdrawInput) (_ Case, err error) {
	defer errs.Wrap(&err, "cases.Withdraw")
	return s.Act(ctx, by, number, in)
}

// Act performs the action of in on a case in one transaction: the rule, the change, the
// timeline entry and the audit entry. The methods above (Accept, Decide, …) are the readable
// way to call it; Act is for callers that hold an action as data (a test walking cases through
// their lives).
func (s *Service) Act(ctx context.Context, by audit.Actor, number string, in ActionInput) (_ Case, err error) {
	defer errs.Wrap(&err, "cases.Act")
	cal, err := s.cal.Calendar(ctx)
	if err != nil {
		return Case{}, err
	}
	var c Case
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		if err := s.actTx(ctx, tx, by, number, in, cal); err != nil {
			return err
		}
		if in.action() == Accept { // 秒批, 告知承诺 — a bundle's members too — decided by the system (systemdecide.go)
			if err := s.decideBySystem(ctx, tx, number, cal); err != nil {
				return err
			}
		}
		s.loadAtCommit(tx, number, &c)
		return nil
	})
	if err != nil {
		return Case{}, err
	}
	return s.present(ctx, by, c, identity.SeesFullPersonalData(identity.Role(by.Role))), nil
}

// actTx applies an action inside tx: the rule, the change, the timeline and the audit entry.
func (s *Service) actTx(ctx context.Context, tx *store.Tx, by audit.Actor, number string, in ActionInput, cal *calendar.Calendar) error {
	return s.actTxAs(ctx, tx, by, number, in, cal, nil)
}

// actTxAs is actTx under a window authorisation (grant not nil): its holder decides the case at
// the window, and the timeline and audit entries name the authorisation.
func (s *Service) actTxAs(ctx context.Context, tx *store.Tx, by audit.Actor, number string, in ActionInput, cal *calendar.Calendar, grant *Grant) error {
	return s.actTxOn(ctx, tx, by, number, nil, in, cal, grant)
}

// actTxOn is actTxAs on the case as passed on by the command's previous write (pass, when not
// nil and known) instead of the case read again.
func (s *Service) actTxOn(ctx context.Context, tx *store.Tx, by audit.Actor, number string, pass *passedOn, in ActionInput, cal *calendar.Calendar, grant *Grant) error {
	action := in.action()
	// The case, locked, and which materials it has: one round trip on PostgreSQL.
	c, supplied, found, err := s.readForStep(ctx, tx, number, pass)
	if err != nil {
		return err
	}
	if !found {
		return errs.NotFound("办件", number)
	}
	item, err := s.ItemOf(ctx, c)
	if err != nil {
		return err
	}
	// Who may act (MayAct, the rule the case page offers its forms by); under a window
	// authorisation, its holder decides a case it covers.
	if grant != nil && action == Decide && (by.Username != grant.Username || !grant.Covers(c.Item, c.Department.Code, s.today())) {
		return errs.Forbidden("窗口授权不涵盖该办件")
	}
	if err := mayAct(by, c, item, action, grant != nil, func(u string) string { return staffName(ctx, tx, u) }); err != nil {
		return err
	}
	if d, ok := in.(DeliveryInput); ok && grant == nil { // 材料流转: the paper result must have arrived (transfers.go)
		if err := s.resultHere(ctx, tx, number, d.Method); err != nil {
			return err
		}
	}
	st := &step{s: s, tx: tx, ctx: ctx, by: by, cal: cal, c: c, item: item, supplied: supplied, today: s.today(), now: s.now().UTC().Truncate(time.Microsecond), grant: grant}
	return st.run(in)
}

// suppliedRead reads which materials a case has into supplied.
func suppliedRead(number string, supplied map[string]bool) store.Read {
	return store.Read{Query: `SELECT material_id FROM case_materials WHERE case_number = ?`, Args: []any{number},
		Row: func(scan func(...any) error) error {
			var id string
			err := scan(&id)
			supplied[id] = true
			return err
		}}
}

// step is one action being applied.
type step struct {
	s    *Service
	tx   *store.Tx
	ctx  context.Context
	by   audit.Actor
	cal  *calendar.Calendar
	c    Case
	item catalog.Item
	// supplied are the materials the case has, by material id, as the step began.
	supplied map[string]bool
	today    calendar.Date
	now      time.Time
	// viaParent marks a child's step run on its bundle's behalf.
	viaParent bool
	// grant is the window authorisation a one-step (一柜办结) case is done under, or nil.
	grant *Grant
	// atOnce marks a decision given at once on the applicant's word (告知承诺): the case's due
	// day becomes the decision's day — it is not pending on the promised limit; its post-check
	// keeps its own deadline.
	atOnce bool
}

// run applies in to the step's case. Every action is the same three parts: begin (may the case
// take it now), its own rule and change (steps.go), record (the row, the timeline,
// the audit entry); what follows a recording (a text to the applicant, a certificate, …) is the
// action's own.
func (st *step) run(in ActionInput) error {
	switch in := in.(type) {
	case AcceptInput:
		return st.accept(in)
	case CorrectionInput:
		return st.askCorrection(in)
	case SupplyInput:
		return st.supply(in)
	case RejectInput:
		return st.reject(in)
	case SuspendInput:
		return st.suspend(in)
	case ResumeInput:
		return st.resume()
	case ExtendInput:
		return st.extend(in)
	case DecisionInput:
		return st.decide(in)
	case DeliveryInput:
		return st.deliver(in)
	case WithdrawInput:
		return st.withdraw(in)
	}
	return fmt.Errorf("case action %T: no such action", in)
}

// begin checks that the case may take action now, and returns the status it moves to.
func (st *step) begin(action Action) (Status, error) {
	next, err := Next(st.c.Status, action, true)
	if err != nil {
		return "", err
	}
	if err := holderRule(st.by, st.c, action, func(u string) string { return staffName(st.ctx, st.tx, u) }); err != nil {
		return "", err // Act checked it already (mayAct); a step a bundle or the system takes on a member did not
	}
	return next, st.bundleRule(action)
}

// record writes an action's change to the case's row and puts the action on its timeline and
// in the audit log (detail is what the entry says).
func (st *step) record(action Action, ch caseChange, detail map[string]any) error {
	if st.grant != nil {
		detail["one_step"], detail["authorisation"], detail["authorisation_id"] = true, st.grant.Label(), st.grant.ID
	}
	if err := st.write(ch); err != nil {
		return err
	}
	return st.s.event(st.ctx, st.tx, st.by, st.c.Number, string(action), ch.status, detail, map[string]any{"status": st.c.Status})
}

// caseChange is what an action writes to its case's row: the status (and updated_at) always,
// and the columns of each field that is set; a nil field leaves its columns as they are.
type caseChange struct {
	status       Status
	missing      []string       // missing: the materials a correction asks for (an empty list: none)
	acceptedOn   *calendar.Date // accepted_on
	deadline     *deadline      // due, yellow_from, red_from; warned_level back to 0
	unwarned     bool           // yellow_from, red_from NULL: a suspended case is not warned about
	suspension   *suspension    // suspended_on, suspend_kind
	pausedDays   *int           // paused_days
	extendedDays *int           // extended_days
	rejection    *RejectInput   // reject_reason, reject_basis
	decision     *ruling        // decision, decision_reason, decided_on
	delivery     *DeliveryInput // delivery_method, tracking_number
}

// deadline is a case's limit as reschedule computes it: the due day and the warnings' days.
type deadline struct{ due, yellow, red calendar.Date }

// suspension is a stopped clock (on: the day it stopped, kind: special_procedure or
// suspension), or a running one (on nil, kind "").
type suspension struct {
	on   *calendar.Date
	kind string
}

// ruling is a case's decision (approved or denied), its reason and its day.
type ruling struct {
	decision, reason string
	on               calendar.Date
}

// write updates the case's row with ch in one statement, and counts the move in the statistics.
func (st *step) write(ch caseChange) error {
	st.countMove(ch)
	cols := []string{"status = ?", "updated_at = ?"}
	args := []any{string(ch.status), st.now}
	set := func(col string, v any) {
		cols = append(cols, col+" = ?")
		args = append(args, v)
	}
	if ch.missing != nil {
		b, err := json.Marshal(ch.missing)
		if err != nil {
			return fmt.Errorf("case %s: missing: %w", st.c.Number, err)
		}
		set("missing", string(b))
	}
	if d := ch.acceptedOn; d != nil {
		set("accepted_on", d.String())
	}
	if d := ch.deadline; d != nil {
		set("due", d.due.String())
		set("yellow_from", d.yellow.String())
		set("red_from", d.red.String())
		set("warned_level", 0)
	}
	if ch.unwarned {
		set("yellow_from", nil)
		set("red_from", nil)
	}
	if p := ch.suspension; p != nil {
		var on any
		if p.on != nil {
			on = p.on.String()
		}
		set("suspended_on", on)
		set("suspend_kind", p.kind)
	}
	if n := ch.pausedDays; n != nil {
		set("paused_days", *n)
	}
	if n := ch.extendedDays; n != nil {
		set("extended_days", *n)
	}
	if r := ch.rejection; r != nil {
		set("reject_reason", r.Reason)
		set("reject_basis", r.Basis)
	}
	if d := ch.decision; d != nil {
		set("decision", d.decision)
		set("decision_reason", d.reason)
		set("decided_on", d.on.String())
	}
	if d := ch.delivery; d != nil {
		set("delivery_method", d.Method)
		set("tracking_number", d.TrackingNumber)
	}
	return st.tx.ExecLater(st.ctx, `UPDATE cases SET `+strings.Join(cols, ", ")+` WHERE number = ?`, append(args, st.c.Number)...)
}

// Claim gives a case to one approver of its department; Release gives it back.
func (s *Service) Claim(ctx context.Context, by audit.Actor, number string, claim bool) (_ Case, err error) {
	defer errs.Wrap(&err, "cases.Claim")
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		var dept, assignee, status string
		if err := tx.QueryRowContext(ctx, `SELECT department_code, assignee, status FROM cases WHERE number = ?`+tx.ForUpdate(), number).Scan(&dept, &assignee, &status); errors.Is(err, sql.ErrNoRows) {
			return errs.NotFound("办件", number)
		} else if err != nil {
			return fmt.Errorf("claim case %s: %w", number, err)
		}
		c := Case{Department: catalog.Ref{Code: dept}, Assignee: assignee, Status: Status(status)}
		if err := mayClaim(by, c, claim, func(u string) string { return staffName(ctx, tx, u) }); err != nil {
			return err
		}
		to, action := by.Username, "claim"
		if !claim {
			to, action = "", "release"
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET assignee = ?, updated_at = ? WHERE number = ?`, to, s.now().UTC(), number); err != nil {
			return fmt.Errorf("%s case %s: %w", action, number, err)
		}
		return s.event(ctx, tx, by, number, action, Status(status), map[string]string{"assignee": to}, map[string]string{"assignee": assignee})
	})
	if err != nil {
		return Case{}, err
	}
	return s.Get(ctx, by, number)
}

// issueCertificate puts the result of an approved case into the certificate library when its
// item declares a result certificate type: the applicant holds it from that moment, and the
// deciding department is the issuer.
func (st *step) issueCertificate() error {
	if st.item.ResultCertificate == "" {
		return nil
	}
	var credit, name string
	if err := st.tx.QueryRowContext(st.ctx, `SELECT credit_code, name FROM departments WHERE code = ?`, st.c.Department.Code).Scan(&credit, &name); err != nil {
		return fmt.Errorf("issuing department %s: %w", st.c.Department.Code, err)
	}
	cert, err := st.s.certs.IssueTx(st.ctx, st.tx, st.by, certs.Input{Type: st.item.ResultCertificate, HolderName: st.c.Applicant.Name,
		HolderID: st.c.Applicant.IDNumber, IssuerCode: credit, IssuerName: name, Case: st.c.Number}, "case")
	if err != nil {
		if e, ok := errs.As(err); ok {
			return errs.Conflict("无法签发电子证照" + st.item.ResultCertificate + "：" + e.Error())
		}
		return err
	}
	_, err = st.tx.ExecContext(st.ctx, `UPDATE cases SET result_certificate = ? WHERE number = ?`, cert.ID, st.c.Number)
	return err
}

// staffName is a staff member as a person reads them: the display name, or the username when
// the account has none or is gone.
func staffName(ctx context.Context, tx *store.Tx, username string) string {
	var name string
	if err := tx.QueryRowContext(ctx, `SELECT display_name FROM users WHERE username = ?`, username).Scan(&name); err != nil || name == "" {
		return username
	}
	return name
}
