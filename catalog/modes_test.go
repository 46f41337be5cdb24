package catalog_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"banhao/autodecide"
	"banhao/catalog"
	"banhao/errs"
	"banhao/store"
	"banhao/store/storetest"
)

// TestHandlingModeRules: the five modes and the four 证照分离 modes are known, a reform mode
// agrees with the handling mode, a 即办 item promises 即办, a 秒批 item promises days for the
// cases handed to a person, and each error names its field in
// Chinese.
func TestHandlingModeRules(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		mode, reform string
		promised     catalog.Limit
		field        string
	}{
		{"approval", "", catalog.Limit{Value: 5, Unit: catalog.WorkingDay}, ""},
		{"immediate", "", catalog.Limit{Unit: catalog.Immediate}, ""},
		{"rules", "optimize", catalog.Limit{Value: 1, Unit: catalog.WorkingDay}, ""},
		{"commitment", "commitment", catalog.Limit{Value: 1, Unit: catalog.WorkingDay}, ""},
		{"filing", "to_filing", catalog.Limit{Value: 1, Unit: catalog.WorkingDay}, ""},
		{"filing", "cancel", catalog.Limit{Value: 1, Unit: catalog.WorkingDay}, ""},
		{"approval", "optimize", catalog.Limit{Value: 5, Unit: catalog.WorkingDay}, ""},
		{"instant", "", catalog.Limit{Value: 5, Unit: catalog.WorkingDay}, "handling_mode"},
		{"approval", "abolish", catalog.Limit{Value: 5, Unit: catalog.WorkingDay}, "reform_mode"},
		{"approval", "cancel", catalog.Limit{Value: 5, Unit: catalog.WorkingDay}, "handling_mode"},
		{"approval", "to_filing", catalog.Limit{Value: 5, Unit: catalog.WorkingDay}, "handling_mode"},
		{"filing", "commitment", catalog.Limit{Value: 5, Unit: catalog.WorkingDay}, "handling_mode"},
		{"immediate", "", catalog.Limit{Value: 5, Unit: catalog.WorkingDay}, "promised_limit"},
		{"rules", "", catalog.Limit{Value: 3, Unit: catalog.WorkingDay}, ""},
	} {
		it := item("M-1", "测试事项")
		it.HandlingMode, it.ReformMode, it.PromisedLimit = tc.mode, tc.reform, tc.promised
		if tc.mode == "commitment" {
			it.Commitment, it.PostCheckDays = testCommitment, 20
		}
		if tc.mode == catalog.ModeRules { // a published 秒批 item carries its rules (rules_test.go)
			it.Rules = &autodecide.Set{Rules: []autodecide.Rule{{Name: "成年", Expr: "applicant.age >= 18", Message: "未成年"}}}
		}
		it.Normalize()
		err := catalog.Validate(&it, catalog.StatusPublished)
		if tc.field == "" && err != nil {
			t.Errorf("%s/%s: %v", tc.mode, tc.reform, err)
			continue
		}
		if tc.field != "" {
			if field, msg := firstField(err); field != tc.field || !strings.ContainsAny(msg, "办理方式证照分离承诺时限") {
				t.Errorf("%s/%s: %v, want an error on %s", tc.mode, tc.reform, err, tc.field)
			}
		}
	}
}

// TestRulesLimitRule: a 秒批 case the rules hand over is decided by a person, so a draft or
// published 秒批 item may not set 即办 — unless the limit is kept as it was; retiring is always allowed.
func TestRulesLimitRule(t *testing.T) {
	t.Parallel()
	it := item("M-1", "测试事项")
	it.HandlingMode, it.PromisedLimit = catalog.ModeRules, catalog.Limit{Unit: catalog.Immediate}
	days := catalog.Limit{Value: 3, Unit: catalog.WorkingDay}
	for _, st := range []string{catalog.StatusDraft, catalog.StatusPublished} {
		if field, msg := firstField(catalog.CheckRulesLimit(it, st, days)); field != "promised_limit" || !strings.Contains(msg, "不能是即办") {
			t.Errorf("%s 秒批 set to 即办: %s %q", st, field, msg)
		}
		if err := catalog.CheckRulesLimit(it, st, days, it.PromisedLimit); err != nil {
			t.Errorf("%s 秒批 keeping 即办: %v", st, err)
		}
	}
	if err := catalog.CheckRulesLimit(it, catalog.StatusRetired); err != nil {
		t.Errorf("retiring: %v", err)
	}
	ok := it
	ok.PromisedLimit = days
	if err := catalog.CheckRulesLimit(ok, catalog.StatusPublished); err != nil {
		t.Errorf("秒批 in days: %v", err)
	}
}

// TestHandlingModeDefaultsAndWords: an item that says nothing (and every document written before
// 办理方式) is 审批; modes read from codes or names; the guide has them in words.
func TestHandlingModeDefaultsAndWords(t *testing.T) {
	t.Parallel()
	var it catalog.Item
	if err := json.Unmarshal([]byte(`{"code":"X","name":"旧事项"}`), &it); err != nil {
		t.Fatal(err)
	}
	it.Normalize()
	if it.HandlingMode != catalog.ModeApproval || it.HandlingModeName() != "审批" || it.ReformModeName() != "" {
		t.Errorf("an old document reads as %q (%s)", it.HandlingMode, it.HandlingModeName())
	}
	b, _ := json.Marshal(it)
	if !strings.Contains(string(b), `"handling_mode":"approval"`) || !strings.Contains(string(b), `"reform_mode":""`) {
		t.Errorf("item JSON lacks its modes: %s", b)
	}
	for in, want := range map[string]string{"即办": "immediate", "rules": "rules", " 告知承诺 ": "commitment", "备案": "filing", "": "approval"} {
		if got, ok := catalog.ParseHandlingMode(in); !ok || got != want {
			t.Errorf("ParseHandlingMode(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
	if _, ok := catalog.ParseHandlingMode("快办"); ok {
		t.Error("快办 read as a mode")
	}
	for in, want := range map[string]string{"审批改为备案": "to_filing", "cancel": "cancel", "无": "", "": ""} {
		if got, ok := catalog.ParseReformMode(in); !ok || got != want {
			t.Errorf("ParseReformMode(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
	it.HandlingMode, it.ReformMode = catalog.ModeCommitment, catalog.ReformCommitment
	if it.HandlingModeName() != "告知承诺" || it.ReformModeName() != "实行告知承诺" || !strings.Contains(it.HandlingModeWords(), "承诺") {
		t.Errorf("in words: %s %s %s", it.HandlingModeName(), it.ReformModeName(), it.HandlingModeWords())
	}
}

// TestModesTravelInEveryFormatAndFilter: modes survive export and import in CSV, Excel and
// JSON; a spreadsheet may say them in Chinese and a bad one is named by row and column; the
// catalog keeps the items of one mode; a filter that is no mode is refused naming its field.
func TestModesTravelInEveryFormatAndFilter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		src := orgService(t, db)
		for _, x := range []struct{ code, mode, reform string }{{"M-IMM", "immediate", ""}, {"M-COM", "commitment", "commitment"}, {"M-APP", "", "optimize"}} {
			it := item(x.code, "事项"+x.code)
			it.HandlingMode, it.ReformMode = x.mode, x.reform
			if x.mode == "immediate" {
				it.PromisedLimit, it.Steps = catalog.Limit{Unit: catalog.Immediate}, nil
			}
			if x.mode == "commitment" {
				it.Commitment, it.PostCheckDays = testCommitment, 20
			}
			if _, err := src.PutItem(ctx, admin, it, catalog.StatusPublished); err != nil {
				t.Fatal(err)
			}
		}
		want := map[string]string{"M-IMM": "immediate/", "M-COM": "commitment/commitment", "M-APP": "approval/optimize"}
		eachFormat(t, src, func(format string, written []byte) {
			dst := importCopy(t, db, format, written)
			for code, w := range want {
				got, err := dst.Item(ctx, code)
				if err != nil || got.HandlingMode+"/"+got.ReformMode != w {
					t.Errorf("%s: %s came back as %q/%q (%v), want %s", format, code, got.HandlingMode, got.ReformMode, err, w)
				}
			}
		})

		csv := "code,name,type,department,handling_mode,reform_mode,legal_limit_value,legal_limit_unit,promised_limit_value,promised_limit_unit,online_depth\n" +
			"M-CN,中文方式,行政许可,XZSP,告知承诺,实行告知承诺,20,working_day,1,working_day,3\n"
		f, err := catalog.ParseCSV([]byte(csv))
		if err != nil || f.Items[0].HandlingMode != "commitment" || f.Items[0].ReformMode != "commitment" {
			t.Fatalf("Chinese modes in a CSV: %+v %v", f, err)
		}
		_, err = catalog.ParseCSV([]byte(strings.Replace(csv, "告知承诺,实行", "快办,实行", 1)))
		var ie *catalog.ImportError
		if !asImportError(err, &ie) || len(ie.Rows) != 1 || ie.Rows[0].Row != 2 || !strings.Contains(ie.Rows[0].Column, "handling_mode") || !strings.Contains(ie.Rows[0].Message, "办理方式") {
			t.Errorf("a bad mode in a CSV: %v", err)
		}

		res, err := src.Search(ctx, catalog.Query{HandlingMode: "immediate", Limit: 50})
		if err != nil || res.Total != 1 || res.Items[0].Code != "M-IMM" || res.Items[0].HandlingMode != "immediate" {
			t.Errorf("filter 即办: %+v %v", res, err)
		}
		res, err = src.Search(ctx, catalog.Query{HandlingMode: "告知承诺", ReformMode: "commitment", Limit: 50})
		if err != nil || res.Total != 1 || res.Items[0].Code != "M-COM" {
			t.Errorf("filter 告知承诺: %+v %v", res, err)
		}
		res, err = src.Search(ctx, catalog.Query{Q: "事项", ReformMode: "optimize", Limit: 50})
		if err != nil || res.Total != 1 || res.Items[0].Code != "M-APP" {
			t.Errorf("filter 优化审批服务 with words: %+v %v", res, err)
		}
		_, err = src.Search(ctx, catalog.Query{HandlingMode: "fast"})
		if e, ok := errs.As(err); !ok || e.Code != errs.CodeInvalid || len(e.Fields) != 1 || e.Fields[0].Field != "handling_mode" {
			t.Errorf("filter by no mode: %v", err)
		}
	})
}

func asImportError(err error, target **catalog.ImportError) bool {
	ie, ok := err.(*catalog.ImportError)
	*target = ie
	return ok
}
