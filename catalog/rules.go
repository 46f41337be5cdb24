package catalog

import (
	"encoding/json"
	"fmt"
	"strings"

	"banhao/autodecide"
	"banhao/errs"
)

// 秒批 rules on an item version (issue 16): Item.Rules holds the rules, the form fields they
// read and the examples they must pass (autodecide.Set). They are compiled and type-checked,
// and every example run, when the item is saved or imported (checkRules inside Validate); a 秒批
// item that is published must have them, and no other item may. Being part of the item's
// document they are versioned, exported and imported with the rest of it.

// checkRules is the 秒批 part of Validate.
func checkRules(v *errs.Validation, it *Item, status string) {
	mode := it.HandlingMode
	if it.Rules.Empty() {
		if it.Rules != nil && len(it.Rules.Fields)+len(it.Rules.Examples) == 0 {
			it.Rules = nil // {} or {"rules": []}: none
		}
		if mode == ModeRules && status == StatusPublished {
			v.Add("rules", "办理方式为秒批的事项须有秒批规则（否则请改为审批等其他办理方式）")
			return
		}
		if it.Rules == nil {
			return
		}
	}
	if mode != ModeRules {
		v.Add("rules", "只有办理方式为秒批的事项可以设置秒批规则")
		return
	}
	if _, probs := autodecide.Compile(*it.Rules); len(probs) > 0 {
		for _, p := range probs {
			v.Add(p.Field, p.Message)
		}
	}
}

// RulesText is the item's rules as the editor and the tabular files show them: indented JSON,
// "" for none.
func (it Item) RulesText() string {
	if it.Rules == nil {
		return ""
	}
	b, _ := json.MarshalIndent(it.Rules, "", "  ")
	return string(b)
}

// ParseRules reads rules from the editor's or a file's text ("" for none), naming what is wrong.
func ParseRules(s string) (*autodecide.Set, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var set autodecide.Set
	d := json.NewDecoder(strings.NewReader(s))
	d.DisallowUnknownFields()
	if err := d.Decode(&set); err != nil {
		return nil, fmt.Errorf("秒批规则须为 JSON：{\"fields\": [...], \"rules\": [{\"name\", \"expr\", \"message\"}], \"examples\": [...]}（%s）", Excerpt(err.Error()))
	}
	return &set, nil
}

// Public is the item as the public reads it (the public item API): its 秒批 rules' stored
// examples with their personal data masked (autodecide.Set.Masked); the editor keeps them whole.
func (it Item) Public() Item {
	if it.Rules != nil {
		m := it.Rules.Masked()
		it.Rules = &m
	}
	return it
}

// RuleNames are the names of the item's rules, in order (the guide lists them).
func (it Item) RuleNames() []string {
	if it.Rules == nil {
		return nil
	}
	out := make([]string, len(it.Rules.Rules))
	for i, r := range it.Rules.Rules {
		out[i] = r.Name
	}
	return out
}

// the item sheet's and CSV file's 秒批规则 column (JSON in one cell), after the others.
func init() {
	itemColumns = append(itemColumns, column{key: "rules", label: "秒批规则", field: "rules",
		get: func(it *Item) string { return it.RulesText() },
		set: func(it *Item, v string) (err error) { it.Rules, err = ParseRules(v); return err }})
}
