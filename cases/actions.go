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
func (s *Service) Accept(ctx context.Context, by audit.Actor, number string, in AcceptInput) (Case, error) {
	return s.Act(ctx, by, number, in)
}

// AskCorrection tells the applicant, at once, every material still needed (一次性补正告知).
func (s *Service) AskCorrection(ctx context.Context, by audit.Actor, number string, in CorrectionInput) (Case, error) {
	return s.Act(ctx, by, number, in)
}

// Supply takes in materials supplied later (补正, 容缺).
func (s *Service) Supply(ctx context.Context, by audit.Actor, number string, in SupplyInput) (Case, error) {
	return s.Act(ctx, by, number, in)
}

// Reject refuses an application (不予受理).
func (s *Service) Reject(ctx context.Context, by audit.Actor, number string, in RejectInput) (Case, error) {
	return s.Act(ctx, by, number, in)
}

// Suspend stops a case's clock (特别程序, 中止).
func (s *Service) Suspend(ctx context.Context, by audit.Actor, number string, in SuspendInput) (Case, error) {
	return s.Act(ctx, by, number, in)
}

// Resume restarts a suspended case's clock; the days it stood are added to its limit.
func (s *Service) Resume(ctx context.Context, by audit.Actor, number string, in ResumeInput) (Case, error) {
	return s.Act(ctx, by, number, in)
}

// Extend lengthens a case's limit (延期).
func (s *Service) Extend(ctx context.Context, by audit.Actor, number string, in ExtendInput) (Case, error) {
	return s.Act(ctx, by, number, in)
}

// Decide decides a case (准予许可, 不予许可).
func (s *Service) Decide(ctx context.Context, by audit.Actor, number string, in DecisionInput) (Case, error) {
	return s.Act(ctx, by, number, in)
}

// Deliver hands out a decided case's result (出件).
func (s *Service) Deliver(ctx context.Context, by audit.Actor, number string, in DeliveryInput) (Case, error) {
	return s.Act(ctx, by, number, in)
}

// Withdraw ends a case the applicant withdraws (撤回).
func (s *Service) Withdraw(ctx context.Context, by audit.Actor, number string, in WithdrawInput) (Case, error) {
	return s.Act(ctx, by, number, in)
}

// Act performs the action of in on a case in one transaction: the rule, the change, the
// timeline entry and the audit entry. The methods above (Accept, Decide, …) are the readable
// way to call it; Act is for callers that hold an action as data (a test walking cases through
// their lives).
func (s *Service) Act(ctx context.Context, by audit.Actor, number string, in ActionInput) (Case, error) {
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
	action := in.action()
	// The case, locked, and which materials it has: one round trip on PostgreSQL.
	var c Case
	found := false
	supplied := map[string]bool{}
	err := tx.ReadTogether(ctx,
		store.Read{Query: `SELECT ` + caseColumns + ` FROM cases WHERE number = ?` + tx.ForUpdate(), Args: []any{number},
			Row: func(scan func(...any) error) (err error) {
				found = true
				c, err = s.scan(store.ScanFunc(scan))
				return err
			}},
		suppliedRead(number, supplied))
	if err != nil {
		return err
	}
	if !found {
		return errs.NotFound("办件", number)
	}
	if grant != nil && action == Decide {
		if by.Username != grant.Username || !grant.Covers(c.Item, c.Department.Code, s.today()) {
			return errs.Forbidden("窗口授权不涵盖该办件")
		}
	} else if err := Authorize(by, action, c.Department.Code); err != nil {
		return err
	}
	if !AtWindowOf(by, c.AcceptedCenter, c.DeliveryCenter) {
		return errs.Forbidden("该办件不在本中心受理或出件")
	}
	if action == Deliver && grant == nil && !DeliversAt(by, c.DeliveryCenter) {
		return errs.Forbidden("申请人选择在" + c.DeliveryCenterName + "领取结果，请由该中心窗口出件")
	}
	item, err := s.ItemOf(ctx, c)
	if err != nil {
		return err
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
}

// run applies in to the step's case. Every action is the same three parts: begin (may the case
// take it now), its own rule and change (the functions below), record (the row, the timeline,
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
	decision     *decision      // decision, decision_reason, decided_on
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

// decision is a case's decision and its day.
type decision struct {
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

// accept starts the clock: every required material is supplied, or deferrable and committed
// to a date within the promised limit. A bundle is accepted as a whole: each waiting member
// with the commitments made for its item.
func (st *step) accept(in AcceptInput) error {
	next, err := st.begin(Accept)
	if err != nil {
		return err
	}
	if st.c.isParent() {
		if err := st.acceptBundle(in); err != nil {
			return err
		}
		in = AcceptInput{} // the commitments belong to the children
	}
	ch, detail, err := st.acceptance(in)
	if err != nil {
		return err
	}
	ch.status = next
	if err := st.record(Accept, ch, detail); err != nil {
		return err
	}
	return st.tellApplicant(Accept, ch.deadline.due.String(), nil, st.c)
}

// acceptance checks the commitments of an acceptance and the materials, and writes the
// commitments: the change of the case's row and what its timeline says.
func (st *step) acceptance(in AcceptInput) (caseChange, map[string]any, error) {
	c, supplied := st.c, st.supplied

	due, err := Due(st.cal, st.today, c.Limit, 0, 0)
	if err != nil {
		return caseChange{}, nil, err
	}
	var v errs.Validation
	deferred := map[string]calendar.Date{}
	for i, d := range in.Deferred {
		f := fmt.Sprintf("deferred[%d]", i)
		m, ok := materialByID(st.item, d.MaterialID)
		switch {
		case !ok:
			v.Add(f+".material_id", fmt.Sprintf("事项没有编号为 %q 的材料", d.MaterialID))
		case !m.Deferrable:
			v.Add(f+".material_id", fmt.Sprintf("材料「%s」不可容缺，须当场提交", m.Name))
		case supplied[d.MaterialID]:
			v.Add(f+".material_id", fmt.Sprintf("材料「%s」已提交，无需容缺", m.Name))
		case d.Due < st.today || d.Due > due:
			v.Add(f+".due", fmt.Sprintf("承诺补交日期须在受理日 %s 至承诺办结日 %s 之间", st.today, due))
		default:
			deferred[d.MaterialID] = d.Due
		}
	}
	if err := v.Err(); err != nil {
		return caseChange{}, nil, err
	}
	var missing []string
	for _, m := range st.item.Materials {
		if m.Required && m.Source != catalog.SourceShared && !supplied[m.ID] {
			if _, ok := deferred[m.ID]; !ok {
				missing = append(missing, m.Name)
			}
		}
	}
	if len(missing) > 0 {
		return caseChange{}, nil, errs.Conflict("缺少必需材料，不能受理：" + strings.Join(missing, "、") + "（可容缺的材料请登记承诺补交日期，其余请发出补正告知）")
	}
	for id, d := range deferred {
		if err := st.tx.ExecLater(st.ctx, `INSERT INTO case_deferred (case_number, material_id, due) VALUES (?, ?, ?)`, c.Number, id, d); err != nil {
			return caseChange{}, nil, err
		}
	}
	accepted := st.today
	c.AcceptedOn = &accepted
	if err := st.recordImmediate(accepted); err != nil { // 即办率 (immediate.go)
		return caseChange{}, nil, err
	}
	dl, err := st.reschedule(c)
	if err != nil {
		return caseChange{}, nil, err
	}
	detail := map[string]any{"accepted_on": accepted, "due": dl.due.String()}
	if len(deferred) > 0 {
		detail["deferred"] = in.Deferred
	}
	return caseChange{acceptedOn: &accepted, missing: []string{}, deadline: &dl}, detail, nil
}

// askCorrection sends the one correction notice: a case's own materials by id, a bundle's as
// "ITEM/MATERIAL" (each member with missing materials goes into correction too).
func (st *step) askCorrection(in CorrectionInput) error {
	next, err := st.begin(AskCorrect)
	if err != nil {
		return err
	}
	if len(in.Missing) == 0 {
		return errs.Invalid("missing", "请一次性列出全部需补正的材料")
	}
	if st.c.isParent() {
		if err := st.correctBundle(in); err != nil {
			return err
		}
	} else {
		var v errs.Validation
		for i, id := range in.Missing {
			if _, ok := materialByID(st.item, id); !ok {
				v.Add(fmt.Sprintf("missing[%d]", i), fmt.Sprintf("事项没有编号为 %q 的材料", id))
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
	}
	if err := st.record(AskCorrect, caseChange{status: next, missing: in.Missing}, map[string]any{"missing": in.Missing, "note": in.Note}); err != nil {
		return err
	}
	var names []string
	for _, id := range in.Missing {
		names = append(names, st.s.materialName(st.ctx, st.item, id))
	}
	return st.tellApplicant(AskCorrect, "", names, st.c)
}

// supply takes in materials; a case in correction is submitted again once nothing it asked
// for is missing (and its bundle too, once no member awaits correction).
func (st *step) supply(in SupplyInput) error {
	c := st.c
	if _, err := st.begin(Supply); err != nil {
		return err
	}
	if len(in.Materials) == 0 {
		return errs.Invalid("materials", "请提供补交的材料")
	}
	stored, err := st.s.storedFiles(st.ctx, st.by, c.Applicant.IDNumber, in.Materials)
	if err != nil {
		return err
	}
	if err := st.s.checkMaterials(st.ctx, st.item, in.Materials, c.Applicant.IDNumber, stored); err != nil {
		return err
	}
	if err := st.s.saveMaterials(st.ctx, st.tx, c.Number, in.Materials, st.now, true); err != nil {
		return err
	}
	supplied := map[string]bool{}
	ids := make([]string, len(in.Materials))
	for i, m := range in.Materials {
		supplied[m.MaterialID] = true
		ids[i] = m.MaterialID
	}
	still := []string{}
	for _, id := range c.Missing {
		if !supplied[id] {
			still = append(still, id)
		}
	}
	next, err := Next(c.Status, Supply, len(still) == 0)
	if err != nil {
		return err
	}
	ch := caseChange{status: next}
	if c.Status == Correction {
		ch.missing = still
	}
	if err := st.record(Supply, ch, map[string]any{"materials": ids}); err != nil {
		return err
	}
	if c.parent != "" && c.Status == Correction && next == Submitted {
		return st.bundleCorrected(c.parent)
	}
	return nil
}

// reject refuses the application, with the reason and the legal basis (不予受理).
func (st *step) reject(in RejectInput) error {
	next, err := st.begin(Reject)
	if err != nil {
		return err
	}
	var v errs.Validation
	v.Check(strings.TrimSpace(in.Reason) != "", "reason", "不予受理须说明理由")
	v.Check(strings.TrimSpace(in.Basis) != "", "basis", "不予受理须写明法律依据")
	if err := v.Err(); err != nil {
		return err
	}
	return st.record(Reject, caseChange{status: next, rejection: &in}, map[string]any{"reason": in.Reason, "basis": in.Basis})
}

// suspend stops the clock: no warnings while it stands.
func (st *step) suspend(in SuspendInput) error {
	next, err := st.begin(Suspend)
	if err != nil {
		return err
	}
	switch in.Kind {
	case "special_procedure":
		if !st.item.SpecialProceduresAllowed {
			return errs.Conflict("该事项不适用特别程序")
		}
	case "suspension":
	default:
		return errs.Invalid("kind", "类型须为特别程序或依法中止")
	}
	if strings.TrimSpace(in.Reason) == "" {
		return errs.Invalid("reason", "须说明中止或特别程序的事由")
	}
	if err := st.ownCase(); err != nil {
		return err
	}
	today := st.today
	ch := caseChange{status: next, suspension: &suspension{on: &today, kind: in.Kind}, unwarned: true}
	return st.record(Suspend, ch, map[string]any{"kind": in.Kind, "reason": in.Reason})
}

// resume restarts the clock: the working days it stood lengthen the limit.
func (st *step) resume() error {
	c := st.c
	next, err := st.begin(Resume)
	if err != nil {
		return err
	}
	if err := st.ownCase(); err != nil {
		return err
	}
	paused, err := PausedDays(st.cal, c.Limit.Unit, *c.suspended, st.today)
	if err != nil {
		return err
	}
	c.PausedWorkingDays += paused
	dl, err := st.reschedule(c)
	if err != nil {
		return err
	}
	ch := caseChange{status: next, pausedDays: &c.PausedWorkingDays, suspension: &suspension{}, deadline: &dl}
	return st.record(Resume, ch, map[string]any{"paused": paused})
}

// extend lengthens the limit, within the legal limit, where the item allows it.
func (st *step) extend(in ExtendInput) error {
	c := st.c
	next, err := st.begin(Extend)
	if err != nil {
		return err
	}
	if !st.item.ExtensionAllowed {
		return errs.Conflict("该事项不允许延期")
	}
	most := max(st.item.LegalLimit.Value, 1)
	var v errs.Validation
	v.Check(in.Days >= 1 && c.ExtendedDays+in.Days <= most, "days", fmt.Sprintf("延期天数须为正数，合计不超过 %d 天", most))
	v.Check(strings.TrimSpace(in.Reason) != "", "reason", "延期须说明理由")
	if err := v.Err(); err != nil {
		return err
	}
	if err := st.ownCase(); err != nil {
		return err
	}
	c.ExtendedDays += in.Days
	dl, err := st.reschedule(c)
	if err != nil {
		return err
	}
	ch := caseChange{status: next, extendedDays: &c.ExtendedDays, deadline: &dl}
	return st.record(Extend, ch, map[string]any{"days": in.Days, "reason": in.Reason})
}

// decide decides the case once every 容缺 material is in; an approval puts the result in the
// certificate library, the decision releases or cancels a held payment (秒到账), and a bundle's
// member moves its bundle on.
func (st *step) decide(in DecisionInput) error {
	c := st.c
	next, err := st.begin(Decide)
	if err != nil {
		return err
	}
	if err := st.ownCase(); err != nil {
		return err
	}
	open, err := st.openDeferred()
	if err != nil {
		return err
	}
	if len(open) > 0 {
		return errs.Conflict("容缺材料尚未补齐，不能作出决定：" + strings.Join(open, "、"))
	}
	switch in.Decision {
	case "approved":
	case "denied":
		if strings.TrimSpace(in.Reason) == "" {
			return errs.Invalid("reason", "不予许可须说明理由")
		}
	default:
		return errs.Invalid("decision", "决定须为准予许可或不予许可")
	}
	detail := map[string]any{"decision": in.Decision, "reason": in.Reason}
	if c.DeliveryCenterName != "" {
		// the last hand-off: from the deciding department to where the result is collected
		detail["text"] = resultText(c)
	}
	ch := caseChange{status: next, decision: &decision{decision: in.Decision, reason: in.Reason, on: st.today}}
	if err := st.record(Decide, ch, detail); err != nil {
		return err
	}
	c.Decision, c.DecisionReason = in.Decision, in.Reason
	if err := st.tellApplicant(Decide, "", nil, c); err != nil {
		return err
	}
	if in.Decision == "approved" {
		if err := st.issueCertificate(); err != nil {
			return err
		}
	}
	if err := st.orderPayment(in.Decision); err != nil { // 秒到账 (payments.go)
		return err
	}
	if c.parent != "" {
		return st.advanceBundle(c.parent)
	}
	return nil
}

// openDeferred names the 容缺 materials of the case not supplied yet.
func (st *step) openDeferred() ([]string, error) {
	var open []string
	err := st.tx.ReadTogether(st.ctx, store.Read{Query: `SELECT material_id FROM case_deferred WHERE case_number = ? AND supplied_at IS NULL ORDER BY material_id`,
		Args: []any{st.c.Number}, Row: func(scan func(...any) error) error {
			var id string
			if err := scan(&id); err != nil {
				return err
			}
			if m, ok := materialByID(st.item, id); ok {
				id = m.Name
			}
			open = append(open, id)
			return nil
		}})
	if err != nil {
		return nil, fmt.Errorf("case %s: open 容缺 materials: %w", st.c.Number, err)
	}
	return open, nil
}

// deliver hands out the result by a method the item offers (a bundle's with its members').
func (st *step) deliver(in DeliveryInput) error {
	c := st.c
	next, err := st.begin(Deliver)
	if err != nil {
		return err
	}
	if !slices.Contains(catalog.DeliveryMethods, in.Method) {
		return errs.Invalid("method", "出件方式须为窗口领取、邮寄送达或电子送达")
	}
	if len(st.item.DeliveryMethods) > 0 && !slices.Contains(st.item.DeliveryMethods, in.Method) {
		return errs.Invalid("method", "该事项不支持此出件方式")
	}
	if in.Method == "mail" && strings.TrimSpace(in.TrackingNumber) == "" {
		return errs.Invalid("tracking_number", "邮寄送达须填写快递单号")
	}
	if c.DeliveryCenter == "mail" && in.Method == "window" { // the applicant chose the post at intake
		return errs.Invalid("method", "申请人选择了邮寄送达，请邮寄并填写快递单号（或电子送达）")
	}
	detail := map[string]any{"method": in.Method, "tracking_number": in.TrackingNumber}
	if c.DeliveryCenter != "" && c.DeliveryCenter != "mail" {
		detail["delivery_center"] = c.DeliveryCenterName // where it was handed over (出件地)
	}
	if c.isParent() {
		if err := st.deliverBundle(in); err != nil {
			return err
		}
	}
	ch := caseChange{status: next, delivery: &DeliveryInput{Method: in.Method, TrackingNumber: strings.TrimSpace(in.TrackingNumber)}}
	return st.record(Deliver, ch, detail)
}

// withdraw ends the case at the applicant's wish.
func (st *step) withdraw(in WithdrawInput) error {
	next, err := st.begin(Withdraw)
	if err != nil {
		return err
	}
	return st.record(Withdraw, caseChange{status: next}, map[string]any{"reason": in.Reason})
}

// tellApplicant texts the applicant of c about an acceptance (with the due day), a correction
// request (with the materials' names) or a decision.
func (st *step) tellApplicant(action Action, due string, missing []string, c Case) error {
	return st.s.tellApplicant(st.ctx, st.tx, c, action, due, missing, st.item)
}

// bundleRule: a bundle is accepted and delivered as a whole at the window; its children are
// worked by their departments.
func (st *step) bundleRule(action Action) error {
	c := st.c
	switch {
	case c.isParent() && action != Accept && action != Deliver && action != AskCorrect:
		return errs.Conflict("一件事的主办件只能整体受理、一次性告知补正和统一出件；其余操作在各事项的子办件上办理")
	case c.parent != "" && !st.viaParent && (action == Accept || action == Deliver):
		return errs.Conflict(fmt.Sprintf("该办件属于一件事 %s，须在主办件上整体受理、统一出件", c.parent))
	}
	return nil
}

// reschedule computes the deadline and the warning dates of c (accepted, with its paused and
// extended days), and schedules its warnings.
func (st *step) reschedule(c Case) (deadline, error) {
	due, err := Due(st.cal, *c.AcceptedOn, c.Limit, c.PausedWorkingDays, c.ExtendedDays)
	if err != nil {
		return deadline{}, err
	}
	d := deadline{due: due, yellow: YellowFrom(st.cal, st.s.Policy, *c.AcceptedOn, due, c.Limit.Value), red: RedFrom(due)}
	return d, st.scheduleWarnings(d)
}

// ownCase: back-office actions belong to the officer who holds the case, if anyone does.
func (st *step) ownCase() error {
	if st.c.Assignee != "" && st.c.Assignee != st.by.Username {
		return errs.Conflict(fmt.Sprintf("该办件由 %s 办理中，请其释放后再操作", staffName(st.ctx, st.tx, st.c.Assignee)))
	}
	return nil
}

// Claim gives a case to one approver of its department; Release gives it back.
func (s *Service) Claim(ctx context.Context, by audit.Actor, number string, claim bool) (Case, error) {
	err := s.db.Tx(ctx, func(tx *store.Tx) error {
		var dept, assignee, status string
		if err := tx.QueryRowContext(ctx, `SELECT department_code, assignee, status FROM cases WHERE number = ?`+tx.ForUpdate(), number).Scan(&dept, &assignee, &status); errors.Is(err, sql.ErrNoRows) {
			return errs.NotFound("办件", number)
		} else if err != nil {
			return fmt.Errorf("claim case %s: %w", number, err)
		}
		if identity.Role(by.Role) != identity.Approver || by.Department != dept {
			return errs.Forbidden("只有本部门审批人员可以认领办件")
		}
		to, action := by.Username, "claim"
		switch {
		case claim && assignee != "" && assignee != by.Username:
			return errs.Conflict(fmt.Sprintf("该办件已由 %s 认领", staffName(ctx, tx, assignee)))
		case !Claimable(Status(status)):
			return errs.Conflict(fmt.Sprintf("办件%s，无需认领或释放", StatusNames[Status(status)]))
		case !claim && assignee != by.Username:
			return errs.Conflict("只能释放自己认领的办件")
		case !claim:
			to, action = "", "release"
		}
		if _, err := tx.ExecContext(ctx, `UPDATE cases SET assignee = ?, updated_at = ? WHERE number = ?`, to, s.now().UTC(), number); err != nil {
			return err
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
