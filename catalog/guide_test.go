package catalog_test

import (
	"context"
	"strings"
	"testing"

	"banhao/catalog"
	"banhao/store"
	"banhao/store/storetest"
)

// TestGuideFollowsTheMode: the guide's limit and steps say how the item is decided — 告知承诺
// approved at once with the post-check after it, 秒批 by the system with a person for the rest,
// 即办 by the authorised window; no such step names a department's approver; 审批 keeps its own.
func TestGuideFollowsTheMode(t *testing.T) {
	t.Parallel()
	five := catalog.Limit{Value: 5, Unit: catalog.WorkingDay}
	approverSteps := []catalog.Step{{Name: "受理", Limit: catalog.Limit{Unit: catalog.Immediate}, Actor: "综合窗口"},
		{Name: "审核办结", Limit: catalog.Limit{Unit: catalog.Immediate}, Actor: "部门审批人员"}}

	com := item("M-COM", "食品经营许可")
	com.HandlingMode, com.Commitment, com.PostCheckDays, com.PromisedLimit, com.Steps = catalog.ModeCommitment, testCommitment, 20, five, approverSteps
	if w := com.LimitWords(); !strings.Contains(w, "当场审批") || strings.Contains(w, "5个工作日") || com.PostCheckWords() != "审批后 20 个工作日内事后核查" {
		t.Errorf("告知承诺's limit: %q", w)
	}
	if f := com.CommitmentFallback(); !strings.Contains(f, "5个工作日") {
		t.Errorf("告知承诺's fallback: %q", f)
	}
	steps := com.GuideSteps()
	if last := steps[len(steps)-1]; last.Name != "事后核查" || last.Limit != (catalog.Limit{Value: 20, Unit: catalog.WorkingDay}) || !strings.Contains(steps[1].Name, "依承诺审批") {
		t.Errorf("告知承诺's steps: %+v", steps)
	}

	rules := item("M-RUL", "城乡居民基本养老保险参保登记")
	rules.HandlingMode, rules.Steps = catalog.ModeRules, approverSteps
	if s := rules.GuideSteps(); len(s) != 3 || !strings.Contains(s[1].Actor, "系统按规则自动审批") || !strings.Contains(s[1].Actor, "转部门人工审核") {
		t.Errorf("秒批's steps: %+v", s)
	}
	if w := rules.LimitWords(); !strings.Contains(w, "即时办结") {
		t.Errorf("秒批's limit: %q", w)
	}
	if w := rules.LimitWords(); !strings.Contains(w, "转人工审核的 5个工作日") {
		t.Errorf("秒批's limit for a case handed to a person: %q", w)
	}
	// a version stored before Validate refused it: no 当场 promised for a person's review, the
	// words say what the clock does (due the day of acceptance)
	rules.PromisedLimit = catalog.Limit{Unit: catalog.Immediate}
	if w := rules.LimitWords(); w != "符合规则的即时办结（秒批）；转人工审核的受理当日办结" {
		t.Errorf("秒批's limit when stored as 即办: %q", w)
	}
	if s := rules.GuideSteps(); strings.Contains(s[1].Actor, "即办") || !strings.Contains(s[1].Actor, "受理当日办结") {
		t.Errorf("秒批's steps when stored as 即办: %+v", s)
	}

	imm := item("M-IMM", "住房公积金提取")
	imm.HandlingMode, imm.PromisedLimit, imm.Steps = catalog.ModeImmediate, catalog.Limit{Unit: catalog.Immediate}, approverSteps
	if s := imm.GuideSteps(); !strings.Contains(s[0].Actor, "首席代表") || !strings.Contains(s[0].Name, "一柜办结") {
		t.Errorf("即办's steps: %+v", s)
	}

	for _, it := range []catalog.Item{com, rules, imm} {
		for _, s := range it.GuideSteps() {
			if strings.Contains(s.Actor, "部门审批人员") || s.Name == "审核办结" {
				t.Errorf("%s: a step of the department's approver: %+v", it.HandlingModeName(), s)
			}
		}
	}
	app := item("M-APP", "企业投资项目核准")
	app.PromisedLimit, app.Steps = catalog.Limit{Value: 3, Unit: catalog.WorkingDay}, approverSteps
	app.PromiseNote = "由20个工作日压缩至3个工作日，力争1个工作日办结。"
	if s := app.GuideSteps(); len(s) != 2 || s[1].Actor != "部门审批人员" {
		t.Errorf("审批 keeps its steps: %+v", s)
	}
	if w := app.LimitWords(); w != "3个工作日，由20个工作日压缩至3个工作日，力争1个工作日办结" {
		t.Errorf("审批's limit with the promise: %q", w)
	}
}

// TestCommitmentVisitAndPromiseNoteRules: a 告知承诺 item may not send the applicant to an
// inspection before approval (it is the post-check); a 时限承诺说明 is one short sentence.
func TestCommitmentVisitAndPromiseNoteRules(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		change func(*catalog.Item)
		field  string
	}{
		{"告知承诺 with an inspection", func(it *catalog.Item) {
			it.HandlingMode, it.Commitment, it.PostCheckDays, it.Visits, it.VisitsReason, it.OnlineDepth = catalog.ModeCommitment, testCommitment, 20, 1, "需现场勘验", 3
		}, "visits_reason"},
		{"告知承诺 checking originals", func(it *catalog.Item) {
			it.HandlingMode, it.Commitment, it.PostCheckDays, it.Visits, it.VisitsReason, it.OnlineDepth = catalog.ModeCommitment, testCommitment, 20, 1, "需现场核验原件", 3
		}, ""},
		{"审批 with an inspection", func(it *catalog.Item) { it.Visits, it.VisitsReason, it.OnlineDepth = 1, "需现场勘验", 3 }, ""},
		{"a promise", func(it *catalog.Item) { it.PromiseNote = "力争1个工作日办结" }, ""},
		{"a promise too long", func(it *catalog.Item) { it.PromiseNote = strings.Repeat("力争", 51) }, "promise_note"},
		{"a promise with markup", func(it *catalog.Item) { it.PromiseNote = "<b>力争</b>" }, "promise_note"},
	} {
		it := item("M-1", "测试事项")
		tc.change(&it)
		it.Normalize()
		wantFirstField(t, tc.name, catalog.Validate(&it, catalog.StatusPublished), tc.field, "")
	}
}

// TestPromiseNoteTravelsInEveryFormat: the 时限承诺说明 is exported and imported in CSV, Excel
// and JSON, and each saved version keeps its own.
func TestPromiseNoteTravelsInEveryFormat(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		src := orgService(t, db)
		it := item("M-NOTE", "企业投资项目核准")
		it.PromiseNote = "由20个工作日压缩至3个工作日，力争1个工作日办结"
		v1, err := src.PutItem(ctx, admin, it, catalog.StatusPublished)
		if err != nil {
			t.Fatal(err)
		}
		it.PromiseNote = "力争当日办结"
		if _, err := src.PutItem(ctx, admin, it, catalog.StatusPublished); err != nil {
			t.Fatal(err)
		}
		if old, err := src.ItemVersion(ctx, "M-NOTE", v1.Version); err != nil || old.PromiseNote != "由20个工作日压缩至3个工作日，力争1个工作日办结" {
			t.Errorf("version %d's note: %q %v", v1.Version, old.PromiseNote, err)
		}
		eachFormat(t, src, func(format string, written []byte) {
			dst := importCopy(t, db, format, written)
			if got, err := dst.Item(ctx, "M-NOTE"); err != nil || got.PromiseNote != "力争当日办结" {
				t.Errorf("%s: the note came back as %q (%v)", format, got.PromiseNote, err)
			}
		})
	})
}
