package cases

// steps.go — each case action's own rule and change, one small function per action; the path
// they share (the case locked, who may act, begin, record) is in actions.go.

import (
	"fmt"
	"slices"
	"strings"

	"banhao/calendar"
	"banhao/catalog"
	"banhao/errs"
	"banhao/store"
)

// accept starts the clock: every required material is supplied, or deferrable and committed
// to a date within the promised limit. A bundle is accepted as a whole: each waiting member
// with the commitments made for its item.
func (st *step) accept(in AcceptInput) error {
	next, err := st.begin(Accept)
	if err != nil {
		return err
	}
	quiet := st.atOnce || in.quiet // decided in this transaction: the decision's text says 已办结
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
	if quiet {
		return nil
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
	ch := caseChange{status: next, decision: &ruling{decision: in.Decision, reason: in.Reason, on: st.today}}
	if st.atOnce {
		ch.deadline = &deadline{due: st.today, yellow: st.today, red: st.today}
	}
	if err := st.record(Decide, ch, detail); err != nil {
		return err
	}
	c.Decision, c.DecisionReason = in.Decision, in.Reason
	// A result the system sends once its decision is recorded (deliverBySystem) is told as
	// sent: nothing to collect.
	if in.Decision == "approved" && c.parent == "" && SystemDelivers(c, st.item, bySystem(st.by)) {
		c.DeliveryMethod = "electronic"
	}
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
		return nil, fmt.Errorf("case %s: open deferred materials: %w", st.c.Number, err)
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
	if in.Method == "electronic" { // no paper travels to a 出件地 for a result sent electronically
		if err := st.s.dropPaperResults(st.ctx, st.tx, c.Number); err != nil {
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
	return bundleRule(st.c, action, st.viaParent) // permit.go
}

// reschedule computes the deadline and the warning dates of c (accepted, with its paused and
// extended days), and schedules its warnings.
func (st *step) reschedule(c Case) (deadline, error) {
	due, err := Due(st.cal, *c.AcceptedOn, c.Limit, c.PausedWorkingDays, c.ExtendedDays)
	if err != nil {
		return deadline{}, err
	}
	d := deadline{due: due, yellow: YellowFrom(st.cal, st.s.policy, *c.AcceptedOn, due, c.Limit.Value), red: RedFrom(due)}
	return d, st.scheduleWarnings(d)
}
