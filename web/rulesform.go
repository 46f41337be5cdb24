package web

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"banhao/audit"
	"banhao/calendar"
	"banhao/cases"
	"banhao/catalog"
)

// 秒批 (issue 16) on the pages: the form fields a 秒批 item's rules read are asked on the online
// and kiosk application (/my/apply, /kiosk/apply) and at the window's intake, each as an input
// named rf_<key> (the partial "rule-fields" of layout.html); the values go into the case's form
// as <key>. The rules' outcome shows on the department's queue and the case page (转人工：…).

// ruleField is one such input as the partial draws it.
type ruleField struct {
	Name, Label, Type, Value string
}

// ruleFields are the item's rule form fields with their values (get reads a posted or saved
// value by input name).
func ruleFields(it catalog.Item, get func(string) string) []ruleField {
	if it.HandlingMode != catalog.ModeRules || it.Rules == nil {
		return nil
	}
	out := make([]ruleField, 0, len(it.Rules.Fields))
	for _, f := range it.Rules.Fields {
		out = append(out, ruleField{Name: "rf_" + f.Key, Label: f.Label, Type: f.Type, Value: get("rf_" + f.Key)})
	}
	return out
}

// withRuleFields adds a 秒批 item's rule fields to a form's table: an error about an answer
// (keyed by the field's key, cases.checkRuleAnswers) shows at its input, named by its label.
func withRuleFields(ff formFields, it catalog.Item) formFields {
	for _, f := range ruleFields(it, func(string) string { return "" }) {
		ff[strings.TrimPrefix(f.Name, "rf_")] = formField{f.Name, f.Label}
	}
	return ff
}

// keepRuleValues copies the posted rule fields into values (a draft keeps them).
func keepRuleValues(it catalog.Item, get func(string) string, values map[string]string) {
	for _, f := range ruleFields(it, get) {
		if v := strings.TrimSpace(f.Value); v != "" {
			values[f.Name] = v
		}
	}
}

// ruleForm is the case's form: the note, if any, and the rule fields by their keys.
func ruleForm(it catalog.Item, get func(string) string, base map[string]string) json.RawMessage {
	out := map[string]string{}
	for k, v := range base {
		out[k] = v
	}
	for _, f := range ruleFields(it, get) {
		if v := strings.TrimSpace(f.Value); v != "" {
			out[strings.TrimPrefix(f.Name, "rf_")] = v
		}
	}
	b, _ := json.Marshal(out)
	return b
}

// ruleOutcomes are the rules' outcomes of the listed cases, by number (the department's queue
// shows why the rules handed a case over); none when they cannot be read.
func (s *Server) ruleOutcomes(ctx context.Context, list []cases.Case) map[string]cases.RulesOutcome {
	numbers := make([]string, len(list))
	for i, c := range list {
		numbers[i] = c.Number
	}
	out, err := s.Cases.RulesOutcomes(ctx, numbers...)
	if err != nil {
		s.Logger.Warn("秒批 outcomes", "err", err)
		return nil
	}
	return out
}

// caseRules is the rules' outcome of one case, nil when no rule decided it.
func (s *Server) caseRules(ctx context.Context, number string) *cases.RulesOutcome {
	o, ok, err := s.Cases.RulesOutcomeOf(ctx, number)
	if err != nil || !ok {
		return nil
	}
	return &o
}

// ruleFormFields names the editor's 秒批 errors (rules, rules.rules[i], rules.fields[i],
// rules.examples[i]) by the rules textarea.
func ruleFormFields(ff formFields) {
	ff["rules"] = formField{"rules", "秒批规则"}
	for i := range 50 {
		for _, part := range []string{"rules", "fields", "examples"} {
			ff[fmt.Sprintf("rules.%s[%d]", part, i)] = formField{"rules", "秒批规则"}
		}
	}
}

// rulesFigure is 秒批率 for /supervise (nil, and no block, when it cannot be read).
func (s *Server) rulesFigure(ctx context.Context, by audit.Actor, from, to calendar.Date) *cases.RulesFigures {
	f, err := s.Cases.RulesStatsFor(ctx, by, from, to) // a county's supervisor: its departments
	if err != nil {
		s.Logger.Warn("秒批率", "err", err)
		return nil
	}
	return &f
}

// immediateFigure is 即办率 for /supervise (nil, and no block, when it cannot be read).
func (s *Server) immediateFigure(ctx context.Context, by audit.Actor, from, to calendar.Date) *cases.ImmediateFigures {
	f, err := s.Cases.ImmediateStatsFor(ctx, by, from, to) // a county's supervisor: its departments
	if err != nil {
		s.Logger.Warn("即办率", "err", err)
		return nil
	}
	return &f
}
