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

// Act performs an action on a case in one transaction: the rule, the change, the timeline
// entry and the audit entry.
func (s *Service) Act(ctx context.Context, by audit.Actor, number string, action Action, in Input) (Case, error) {
	cal, err := s.cal.Calendar(ctx)
	if err != nil {
		return Case{}, err
	}
	var c Case
	err = s.db.Tx(ctx, func(tx *store.Tx) error {
		if err := s.actTx(ctx, tx, by, number, action, in, cal); err != nil {
			return err
		}
		if action == Accept { // 秒批, 告知承诺 — a bundle's members too — decided by the system (systemdecide.go)
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
func (s *Service) actTx(ctx context.Context, tx *store.Tx, by audit.Actor, number string, action Action, in Input, cal *calendar.Calendar) error {
	return s.actTxAs(ctx, tx, by, number, action, in, cal, nil)
}

// actTxAs is actTx under a window authorisation (grant not nil): its holder decides the case at
// the window, and the timeline and audit entries name the authorisation.
func (s *Service) actTxAs(ctx context.Context, tx *store.Tx, by audit.Actor, number string, action Action, in Input, cal *calendar.Calendar, grant *Grant) error {
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
	if action == Deliver && grant == nil { // 材料流转: the paper result must have arrived (transfers.go)
		if err := s.resultHere(ctx, tx, number, in.Method); err != nil {
			return err
		}
	}
	item, err := s.ItemOf(ctx, c)
	if err != nil {
		return err
	}
	st := &step{s: s, tx: tx, ctx: ctx, by: by, cal: cal, c: c, item: item, supplied: supplied, today: s.today(), now: s.now().UTC().Truncate(time.Microsecond), grant: grant}
	return st.run(action, in)
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

func (st *step) run(action Action, in Input) error {
	c := st.c
	var v errs.Validation
	next, err := Next(c.Status, action, true)
	if err != nil {
		return err
	}
	if err := st.bundleRule(action); err != nil {
		return err
	}
	detail := map[string]any{}
	set := map[string]any{} // column → value
	switch action {
	case Accept:
		if c.isParent() {
			if err := st.acceptBundle(in); err != nil {
				return err
			}
			in = Input{} // the commitments belong to the children
		}
		if err := st.accept(in, set, detail); err != nil {
			return err
		}
	case AskCorrect:
		if len(in.Missing) == 0 {
			return errs.Invalid("missing", "请一次性列出全部需补正的材料")
		}
		if c.isParent() {
			if err := st.correctBundle(in); err != nil {
				return err
			}
			b, _ := json.Marshal(in.Missing)
			set["missing"] = string(b)
			detail["missing"], detail["note"] = in.Missing, in.Note
			break
		}
		for i, id := range in.Missing {
			if _, ok := materialByID(st.item, id); !ok {
				v.Add(fmt.Sprintf("missing[%d]", i), fmt.Sprintf("事项没有编号为 %q 的材料", id))
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		b, _ := json.Marshal(in.Missing)
		set["missing"] = string(b)
		detail["missing"], detail["note"] = in.Missing, in.Note
	case Supply:
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
		for _, m := range in.Materials {
			supplied[m.MaterialID] = true
		}
		var still []string
		for _, id := range c.Missing {
			if !supplied[id] {
				still = append(still, id)
			}
		}
		if next, err = Next(c.Status, Supply, len(still) == 0); err != nil {
			return err
		}
		if c.Status == Correction {
			b, _ := json.Marshal(append([]string{}, still...))
			set["missing"] = string(b)
		}
		ids := make([]string, len(in.Materials))
		for i, m := range in.Materials {
			ids[i] = m.MaterialID
		}
		detail["materials"] = ids
	case Reject:
		v.Check(strings.TrimSpace(in.Reason) != "", "reason", "不予受理须说明理由")
		v.Check(strings.TrimSpace(in.Basis) != "", "basis", "不予受理须写明法律依据")
		if err := v.Err(); err != nil {
			return err
		}
		set["reject_reason"], set["reject_basis"] = in.Reason, in.Basis
		detail["reason"], detail["basis"] = in.Reason, in.Basis
	case Suspend:
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
		set["suspended_on"], set["suspend_kind"], set["yellow_from"], set["red_from"] = st.today.String(), in.Kind, nil, nil
		detail["kind"], detail["reason"] = in.Kind, in.Reason
	case Resume:
		if err := st.ownCase(); err != nil {
			return err
		}
		paused, err := PausedDays(st.cal, c.Limit.Unit, *c.suspended, st.today)
		if err != nil {
			return err
		}
		c.PausedWorkingDays += paused
		set["paused_days"], set["suspended_on"], set["suspend_kind"] = c.PausedWorkingDays, nil, ""
		if err := st.reschedule(c, set); err != nil {
			return err
		}
		detail["paused"] = paused
	case Extend:
		if !st.item.ExtensionAllowed {
			return errs.Conflict("该事项不允许延期")
		}
		max := st.item.LegalLimit.Value
		if max < 1 {
			max = 1
		}
		v.Check(in.Days >= 1 && c.ExtendedDays+in.Days <= max, "days", fmt.Sprintf("延期天数须为正数，合计不超过 %d 天", max))
		v.Check(strings.TrimSpace(in.Reason) != "", "reason", "延期须说明理由")
		if err := v.Err(); err != nil {
			return err
		}
		if err := st.ownCase(); err != nil {
			return err
		}
		c.ExtendedDays += in.Days
		set["extended_days"] = c.ExtendedDays
		if err := st.reschedule(c, set); err != nil {
			return err
		}
		detail["days"], detail["reason"] = in.Days, in.Reason
	case Decide:
		if err := st.ownCase(); err != nil {
			return err
		}
		var missing []string
		rows, err := st.tx.QueryContext(st.ctx, `SELECT material_id FROM case_deferred WHERE case_number = ? AND supplied_at IS NULL ORDER BY material_id`, c.Number)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			_ = rows.Scan(&id)
			if m, ok := materialByID(st.item, id); ok {
				id = m.Name
			}
			missing = append(missing, id)
		}
		rows.Close()
		if len(missing) > 0 {
			return errs.Conflict("容缺材料尚未补齐，不能作出决定：" + strings.Join(missing, "、"))
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
		set["decision"], set["decision_reason"], set["decided_on"] = in.Decision, in.Reason, st.today.String()
		detail["decision"], detail["reason"] = in.Decision, in.Reason
		if c.DeliveryCenterName != "" {
			// the last hand-off: from the deciding department to where the result is collected
			detail["text"] = resultText(c)
		}
	case Deliver:
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
		if c.DeliveryCenter != "" && c.DeliveryCenter != "mail" {
			detail["delivery_center"] = c.DeliveryCenterName // where it was handed over (出件地)
		}
		if c.isParent() {
			if err := st.deliverBundle(in); err != nil {
				return err
			}
		}
		set["delivery_method"], set["tracking_number"] = in.Method, strings.TrimSpace(in.TrackingNumber)
		detail["method"], detail["tracking_number"] = in.Method, in.TrackingNumber
	case Withdraw:
		detail["reason"] = in.Reason
	case Terminate:
		detail["reason"] = in.Reason
	}
	if st.grant != nil {
		detail["one_step"], detail["authorisation"], detail["authorisation_id"] = true, st.grant.Label(), st.grant.ID
	}
	set["status"] = string(next)
	set["updated_at"] = st.now
	if err := st.update(set); err != nil {
		return err
	}
	if err := st.s.event(st.ctx, st.tx, st.by, c.Number, string(action), next, detail, map[string]any{"status": c.Status}); err != nil {
		return err
	}
	if err := st.tellApplicant(action, in, set); err != nil {
		return err
	}
	if action == Decide && in.Decision == "approved" {
		if err := st.issueCertificate(); err != nil {
			return err
		}
	}
	if action == Decide {
		if err := st.orderPayment(in.Decision); err != nil { // 秒到账 (payments.go)
			return err
		}
	}
	if action == Decide && c.parent != "" {
		return st.advanceBundle(c.parent)
	}
	if action == Supply && c.parent != "" && c.Status == Correction && next == Submitted {
		return st.bundleCorrected(c.parent)
	}
	return nil
}

// tellApplicant texts the applicant about an acceptance, a correction request or a decision.
func (st *step) tellApplicant(action Action, in Input, set map[string]any) error {
	c := st.c
	due, _ := set["due"].(string)
	var missing []string
	if action == AskCorrect {
		for _, id := range in.Missing {
			missing = append(missing, st.s.materialName(st.ctx, st.item, id))
		}
	}
	if action == Decide {
		c.Decision, c.DecisionReason = in.Decision, in.Reason
	}
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

// accept starts the clock: every required material is supplied, or deferrable and committed
// to a date within the promised limit.
func (st *step) accept(in Input, set, detail map[string]any) error {
	c, supplied := st.c, st.supplied

	due, err := Due(st.cal, st.today, c.Limit, 0, 0)
	if err != nil {
		return err
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
		return err
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
		return errs.Conflict("缺少必需材料，不能受理：" + strings.Join(missing, "、") + "（可容缺的材料请登记承诺补交日期，其余请发出补正告知）")
	}
	for id, d := range deferred {
		if err := st.tx.ExecLater(st.ctx, `INSERT INTO case_deferred (case_number, material_id, due) VALUES (?, ?, ?)`, c.Number, id, d); err != nil {
			return err
		}
	}
	accepted := st.today
	c.AcceptedOn = &accepted
	set["accepted_on"] = accepted.String()
	set["missing"] = "[]"
	if err := st.recordImmediate(accepted); err != nil { // 即办率 (immediate.go)
		return err
	}
	if err := st.reschedule(c, set); err != nil {
		return err
	}
	detail["accepted_on"], detail["due"] = accepted, set["due"]
	if len(deferred) > 0 {
		detail["deferred"] = in.Deferred
	}
	return nil
}

// reschedule recomputes the deadline and the warning dates.
func (st *step) reschedule(c Case, set map[string]any) error {
	due, err := Due(st.cal, *c.AcceptedOn, c.Limit, c.PausedWorkingDays, c.ExtendedDays)
	if err != nil {
		return err
	}
	set["due"] = due.String()
	set["yellow_from"] = YellowFrom(st.cal, st.s.Policy, *c.AcceptedOn, due, c.Limit.Value).String()
	set["red_from"] = RedFrom(due).String()
	set["warned_level"] = 0 // a new deadline is warned about afresh
	return st.scheduleWarnings(set)
}

// ownCase: back-office actions belong to the officer who holds the case, if anyone does.
func (st *step) ownCase() error {
	if st.c.Assignee != "" && st.c.Assignee != st.by.Username {
		return errs.Conflict(fmt.Sprintf("该办件由 %s 办理中，请其释放后再操作", staffName(st.ctx, st.tx, st.c.Assignee)))
	}
	return nil
}

func (st *step) update(set map[string]any) error {
	st.countMove(set)
	cols := make([]string, 0, len(set))
	for k := range set {
		cols = append(cols, k)
	}
	slices.Sort(cols)
	args := make([]any, 0, len(cols)+1)
	for i, k := range cols {
		cols[i] = k + " = ?"
		args = append(args, set[k])
	}
	args = append(args, st.c.Number)
	return st.tx.ExecLater(st.ctx, `UPDATE cases SET `+strings.Join(cols, ", ")+` WHERE number = ?`, args...)
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
