package catalog_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"banhao/autodecide"
	"banhao/catalog"
	"banhao/errs"
	"banhao/store"
	"banhao/store/storetest"
)

func rulesItem() catalog.Item {
	it := item("R-1", "城乡居民养老保险参保登记")
	it.HandlingMode = catalog.ModeRules
	it.Rules = &autodecide.Set{
		Fields: []autodecide.Field{{Key: "student", Label: "是否为在校学生", Type: autodecide.Bool}},
		Rules: []autodecide.Rule{{Name: "年满16周岁", Expr: "applicant.age >= 16", Message: "未满16周岁"},
			{Name: "非在校学生", Expr: "!form.student", Message: "在校学生不参保"}},
		Examples: []autodecide.Example{{Name: "成年人", Form: map[string]any{"student": false},
			Applicant: autodecide.ExampleApplicant{IDNumber: "11010519491231002X"}, Expect: autodecide.Approve}},
	}
	return it
}

// TestRulesAreCheckedOnSave: a 秒批 item's rules are saved with its version (and a new version
// with new rules), refused with a Chinese error naming the rule when they use a field or a
// function that does not exist or an example does not give its expected outcome; a published
// 秒批 item without rules, and rules on another mode, are refused. Nothing is written when refused.
func TestRulesAreCheckedOnSave(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, _ := newService(t, db)
		seedOrgs(t, svc)
		saved, err := svc.PutItem(ctx, admin, rulesItem(), catalog.StatusPublished)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := svc.Item(ctx, "R-1")
		if got.Rules == nil || len(got.Rules.Rules) != 2 || got.Rules.Rules[1].Expr != "!form.student" || len(got.Rules.Examples) != 1 {
			t.Fatalf("rules read back: %+v", got.Rules)
		}
		for _, tc := range []struct {
			name string
			edit func(*catalog.Item)
			want string
		}{
			{"unknown field", func(it *catalog.Item) { it.Rules.Rules[1].Expr = "!form.school" }, "规则「非在校学生」用到了未定义的表单字段 form.school"},
			{"unknown function", func(it *catalog.Item) { it.Rules.Rules[0].Expr = `age_of(applicant) >= 16` }, "规则「年满16周岁」用到了不存在的函数 age_of()"},
			{"example fails", func(it *catalog.Item) { it.Rules.Rules[0].Expr = "applicant.age >= 100" }, "示例「成年人」预期秒批通过，规则给出转人工（「年满16周岁」未满16周岁）"},
			{"no rules", func(it *catalog.Item) { it.Rules = nil }, "办理方式为秒批的事项须有秒批规则"},
			{"rules on 审批", func(it *catalog.Item) { it.HandlingMode = catalog.ModeApproval }, "只有办理方式为秒批的事项可以设置秒批规则"},
		} {
			it := rulesItem()
			tc.edit(&it)
			_, err := svc.PutItem(ctx, admin, it, catalog.StatusPublished)
			e, ok := errs.As(err)
			if !ok || !strings.Contains(e.Error(), tc.want) || len(e.Fields) == 0 || !strings.HasPrefix(e.Fields[0].Field, "rules") {
				t.Errorf("%s: %v, want %q on the rules", tc.name, err, tc.want)
			}
		}
		vs, _ := svc.Versions(ctx, "R-1")
		if len(vs) != 1 {
			t.Errorf("%d versions after refused saves, want 1", len(vs))
		}
		next := rulesItem()
		next.Rules.Rules[0].Expr = "applicant.age >= 18"
		v2, err := svc.PutItem(ctx, admin, next, catalog.StatusPublished)
		if err != nil || v2.Version != saved.Version+1 {
			t.Fatalf("new rules, new version: %v %d", err, v2.Version)
		}
		old, _ := svc.ItemVersion(ctx, "R-1", saved.Version)
		if old.Rules.Rules[0].Expr != "applicant.age >= 16" {
			t.Errorf("the old version keeps its rules: %s", old.Rules.Rules[0].Expr)
		}
	})
}

// TestRulesInFiles: the rules travel in JSON, Excel and CSV (one JSON cell: rules, 秒批规则) and come
// back the same; a file whose rules name an unknown field is refused with the row and the rule.
func TestRulesInFiles(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, _ := newService(t, db)
		seedOrgs(t, svc)
		if _, err := svc.PutItem(ctx, admin, rulesItem(), catalog.StatusPublished); err != nil {
			t.Fatal(err)
		}
		exported, err := svc.Export(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, format := range []string{"json", "xlsx", "csv"} {
			var buf bytes.Buffer
			if err := catalog.Write(format, &buf, exported, time.Now()); err != nil {
				t.Fatal(err)
			}
			if format == "csv" && !strings.Contains(strings.SplitN(buf.String(), "\n", 2)[0], ",rules") {
				t.Errorf("csv: no rules column")
			}
			f, err := catalog.Parse(format, bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			var back *catalog.Item
			for i := range f.Items {
				if f.Items[i].Code == "R-1" {
					back = &f.Items[i]
				}
			}
			if back == nil || back.Rules == nil || back.RulesText() != rulesItem().RulesText() {
				t.Errorf("%s: rules did not come back: %+v", format, back)
			}
			if format == "csv" {
				bad := strings.Replace(buf.String(), "!form.student", "!form.pupil", 1)
				f, err := catalog.Parse(format, strings.NewReader(bad))
				if err == nil {
					_, err = svc.Import(ctx, admin, f)
				}
				if err == nil || !strings.Contains(err.Error(), "规则「非在校学生」用到了未定义的表单字段 form.pupil") {
					t.Errorf("csv with a bad rule: %v", err)
				}
			}
		}
	})
}
