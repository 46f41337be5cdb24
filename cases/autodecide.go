package cases

// 秒批 (issue 16): the system decides a case by its item's rules, inside the transaction that
// submits or accepts it. This file is the one place the system decides on its own:
//
//   - rulesAtIntake: an online, kiosk or agent application of a 秒批 item with every required
//     material is accepted by the system (RulesActor) at once, then decided by rules; a window
//     application accepted at registration is decided by rules after the clerk's acceptance.
//   - decideByRules: after any acceptance (Act, registration) of a 秒批 item's case, the rules
//     are evaluated (autodecide, compiled once per item version): when all hold, the system
//     approves the case (timeline: 秒批审核 naming the rules that held, then 作出决定, both by
//     系统（秒批）); otherwise the case stays 办理中 in the department's queue with the failed
//     rules stored (case_rule_results) and shown there and on the case page (转人工：…).
//   - a bundle's member (一件事一次办) is decided the same way once the bundle is accepted or
//     its stage opens (decideBySystem, systemdecide.go).
//
// The rules themselves are plain functions in package autodecide.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"banhao/audit"
	"banhao/autodecide"
	"banhao/calendar"
	"banhao/catalog"
	"banhao/certs"
	"banhao/errs"
	"banhao/store"
)

// RulesActor is who decides by rules: the system, as 秒批.
var RulesActor = audit.Actor{Username: "rules", Role: audit.System.Role}

// decidesByRules is the part of Authorize for the system's 秒批: it accepts self-service
// applications and decides by rules, nothing else.
func decidesByRules(a audit.Actor, action Action) bool {
	return a == RulesActor && (action == Accept || action == Decide)
}

// RulesOutcome is what the rules said of a case: Outcome approve or manual, the rules that held
// and those that failed.
type RulesOutcome struct {
	Outcome string               `json:"outcome"`
	Passed  []string             `json:"passed"`
	Failed  []autodecide.Failure `json:"failed,omitempty"`
}

// Text is the outcome in words: 秒批通过，符合规则：… or 转人工：….
func (o RulesOutcome) Text() string {
	return autodecide.Result{Outcome: o.Outcome, Passed: o.Passed, Failed: o.Failed}.Text()
}

// HandedOver reports a case the rules handed to a person.
func (o RulesOutcome) HandedOver() bool { return o.Outcome == autodecide.Manual }

// rulesAtIntake runs 秒批 on an application just registered: a self-service one of a 秒批 item
// with nothing deferred is accepted by the system first; one the window accepted is decided.
func (s *Service) rulesAtIntake(ctx context.Context, tx *store.Tx, number string, item catalog.Item, in CreateInput, later []string, cal *calendar.Calendar) error {
	if item.HandlingMode != catalog.ModeRules || item.Rules.Empty() || in.OneStep != nil {
		return nil
	}
	switch {
	case in.Accept != nil:
	case selfService(in.Channel) && in.Reject == nil && in.Correct == nil && len(later) == 0:
		if err := s.actTx(ctx, tx, RulesActor, number, AcceptInput{quiet: true}, cal); err != nil {
			return err
		}
		if err := s.decideByRules(ctx, tx, number, cal); err != nil {
			return err
		}
		c, err := s.load(ctx, tx, number)
		if err != nil || c.Status != Accepted || c.Due == nil { // approved: its text says 已办结
			return err
		}
		return s.tellApplicant(ctx, tx, c, Accept, c.Due.String(), nil, item) // handed to a person: the promised day
	default:
		return nil
	}
	return s.decideByRules(ctx, tx, number, cal)
}

// decideByRules evaluates the rules of an accepted case of a 秒批 item (once) and approves it
// when they all hold, in tx.
func (s *Service) decideByRules(ctx context.Context, tx *store.Tx, number string, cal *calendar.Calendar) error {
	c, err := s.load(ctx, tx, number)
	if err != nil {
		return err
	}
	if c.isParent() || c.Status != Accepted { // a bundle's member is decided as a case alone (systemdecide.go)
		return nil
	}
	item, err := s.ItemOf(ctx, c)
	if err != nil {
		return err
	}
	if item.HandlingMode != catalog.ModeRules || item.Rules.Empty() {
		return nil
	}
	var done int
	var open int
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM case_rule_results WHERE case_number = ?),
		(SELECT COUNT(*) FROM case_deferred WHERE case_number = ? AND supplied_at IS NULL)`, number, number).Scan(&done, &open); err != nil {
		return err
	}
	if done > 0 {
		return nil
	}
	prog, probs := autodecide.Cached(item.Rules)
	if prog == nil { // saved rules always compile; a set that does not is a person's to decide
		return s.handOver(ctx, tx, c, autodecide.Result{Outcome: autodecide.Manual, Passed: []string{},
			Failed: []autodecide.Failure{{Name: "秒批规则", Message: "规则有误，须人工审批（" + problemsText(probs) + "）"}}})
	}
	in := autodecide.Input{Kind: c.Applicant.Type, IDNumber: c.Applicant.IDNumber, Date: s.today()}
	if len(c.Form) > 0 {
		_ = json.Unmarshal(c.Form, &in.Form)
	}
	if prog.ReadsCertificates() { // has_cert, certs: the rules read the applicant's certificates
		held, err := s.certs.Held(ctx, c.Applicant.IDNumber)
		if err != nil {
			return err
		}
		for _, h := range held {
			in.Certs = append(in.Certs, autodecide.Cert{Type: h.Type, Valid: h.Status == certs.Valid, ExpiresOn: dateText(h.ExpiresOn)})
			// Each certificate the rules read goes on the applicant's data-access list, by the
			// system (系统（秒批规则）), with the case and why — as a person's read would.
			if err := s.certs.RecordAccess(ctx, tx, RulesActor, c.Applicant.IDNumber, certs.Access{ObjectType: "certificate", ObjectID: h.ID,
				ObjectName: h.Type + " " + h.Number, Case: number, Purpose: "秒批规则核验持证情况"}); err != nil {
				return err
			}
		}
	}
	res, err := prog.Evaluate(in)
	if err != nil {
		return err
	}
	if open > 0 && res.Outcome == autodecide.Approve {
		res = autodecide.Result{Outcome: autodecide.Manual, Passed: res.Passed,
			Failed: []autodecide.Failure{{Name: "容缺材料", Message: "有容缺后补的材料，补齐后由人工审批"}}}
	}
	if res.Outcome != autodecide.Approve {
		return s.handOver(ctx, tx, c, res)
	}
	if err := s.recordRules(ctx, tx, c, res); err != nil {
		return err
	}
	if err := s.actTx(ctx, tx, RulesActor, number, DecisionInput{Decision: "approved"}, cal); err != nil {
		return err
	}
	return s.deliverBySystem(ctx, tx, number, cal) // online: the result on /my (sysdelivery.go)
}

// handOver leaves the case to the department's approvers with the failed rules named.
func (s *Service) handOver(ctx context.Context, tx *store.Tx, c Case, res autodecide.Result) error {
	return s.recordRules(ctx, tx, c, res)
}

// recordRules writes the outcome on the case and its timeline entry (秒批审核, by 系统（秒批）).
func (s *Service) recordRules(ctx context.Context, tx *store.Tx, c Case, res autodecide.Result) error {
	passed, _ := json.Marshal(res.Passed)
	failed, _ := json.Marshal(res.Failed)
	if res.Failed == nil {
		failed = []byte("[]")
	}
	now := s.now().UTC()
	if err := tx.ExecLater(ctx, `INSERT INTO case_rule_results (case_number, item_code, item_version, department_code, outcome, passed, failed, evaluated_on, evaluated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.Number, c.Item, c.ItemVersion, c.Department.Code, res.Outcome, string(passed), string(failed), s.today().String(), now); err != nil {
		return err
	}
	detail := map[string]any{"outcome": res.Outcome, "passed": res.Passed, "text": res.Text()}
	if len(res.Failed) > 0 {
		detail["failed"] = res.Failed
	}
	return s.event(ctx, tx, RulesActor, c.Number, "rules", c.Status, detail, nil)
}

func problemsText(ps []autodecide.Problem) string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Message
	}
	return strings.Join(out, "；")
}

func dateText(d *calendar.Date) string {
	if d == nil {
		return ""
	}
	return d.String()
}

// RulesOutcomes are the rules' outcomes of the given cases, by number (none for a case no rule
// decided).
func (s *Service) RulesOutcomes(ctx context.Context, numbers ...string) (_ map[string]RulesOutcome, err error) {
	defer errs.Wrap(&err, "cases.RulesOutcomes")
	out := map[string]RulesOutcome{}
	for len(numbers) > 0 {
		n := min(len(numbers), 500)
		batch := numbers[:n]
		numbers = numbers[n:]
		args := make([]any, len(batch))
		for i, v := range batch {
			args[i] = v
		}
		rows, err := s.db.QueryContext(ctx, `SELECT case_number, outcome, passed, failed FROM case_rule_results WHERE case_number IN (`+
			strings.TrimSuffix(strings.Repeat("?, ", n), ", ")+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var number, passed, failed string
			var o RulesOutcome
			if err := rows.Scan(&number, &o.Outcome, &passed, &failed); err != nil {
				rows.Close()
				return nil, err
			}
			_ = json.Unmarshal([]byte(passed), &o.Passed)
			_ = json.Unmarshal([]byte(failed), &o.Failed)
			out[number] = o
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// RulesOutcomeOf is the rules' outcome of one case; ok false when no rule decided it.
func (s *Service) RulesOutcomeOf(ctx context.Context, number string) (_ RulesOutcome, _ bool, err error) {
	defer errs.Wrap(&err, "cases.RulesOutcomeOf")
	var o RulesOutcome
	var passed, failed string
	err = s.db.QueryRowContext(ctx, `SELECT outcome, passed, failed FROM case_rule_results WHERE case_number = ?`, number).Scan(&o.Outcome, &passed, &failed)
	if errors.Is(err, sql.ErrNoRows) {
		return o, false, nil
	}
	if err != nil {
		return o, false, err
	}
	_ = json.Unmarshal([]byte(passed), &o.Passed)
	_ = json.Unmarshal([]byte(failed), &o.Failed)
	return o, true, nil
}

// RulesFigures is 秒批率 for a period: applications to 秒批 items the rules evaluated, and how
// many they approved (by the day they were evaluated, from..to inclusive; department "" for all).
type RulesFigures struct {
	Evaluated int     `json:"evaluated"`
	Approved  int     `json:"approved"`
	Rate      float64 `json:"rate"`
}

// RateText is 秒批率 in words: 75.0% (3/4), or — when nothing was evaluated.
func (f RulesFigures) RateText() string {
	if f.Evaluated == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f%%（%d/%d）", f.Rate*100, f.Approved, f.Evaluated)
}

// Percent is 秒批率 as a headline figure: 75.0%, or — when nothing was evaluated.
func (f RulesFigures) Percent() string {
	if f.Evaluated == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f%%", f.Rate*100)
}

// RulesStats counts the 秒批 outcomes of a period.
func (s *Service) RulesStats(ctx context.Context, from, to calendar.Date, department string) (_ RulesFigures, err error) {
	defer errs.Wrap(&err, "cases.RulesStats")
	return s.rulesStats(ctx, from, to, department, nil)
}

// rulesStats is RulesStats over depts (nil: all).
func (s *Service) rulesStats(ctx context.Context, from, to calendar.Date, department string, depts map[string]bool) (RulesFigures, error) {
	var f RulesFigures
	cond, in := inDepts("department_code", depts)
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN outcome = 'approve' THEN 1 ELSE 0 END), 0)
		FROM case_rule_results WHERE evaluated_on >= ? AND evaluated_on <= ? AND (? = '' OR department_code = ?)`+cond,
		append([]any{from.String(), to.String(), department, department}, in...)...).Scan(&f.Evaluated, &f.Approved)
	if f.Evaluated > 0 {
		f.Rate = float64(f.Approved) / float64(f.Evaluated)
	}
	return f, err
}

// checkRuleAnswers refuses a 秒批 application whose answers to the rules' form fields cannot be
// read (a 是/否 field answered "maybe"): the rules would hand it to a person for a typing slip.
// Online and at the kiosk every field must be answered (all); at the window an answer left out
// hands the case to a person, as the clerk may not know it.
func checkRuleAnswers(item catalog.Item, form json.RawMessage, all bool) error {
	if item.HandlingMode != catalog.ModeRules || item.Rules == nil {
		return nil
	}
	answers := map[string]any{}
	if len(form) > 0 {
		if err := json.Unmarshal(form, &answers); err != nil {
			return errs.Invalid("form", "申请表格式有误："+err.Error())
		}
	}
	var v errs.Validation
	for _, p := range item.Rules.CheckAnswers(answers, all) {
		v.Add(p.Key, p.Message)
	}
	return v.Err()
}
