package catalog_test

import (
	"bytes"
	"context"
	"testing"

	"banhao/catalog"
	"banhao/store"
	"banhao/store/storetest"
)

const testCommitment = "本人承诺所填信息及所交材料真实、准确，符合许可条件；如有不实，愿承担相应法律责任。"

// TestCommitmentRules: a 告知承诺 item needs its 承诺书 and a post-check limit, and may say the
// scope of its commitment path (告知承诺适用范围); another mode carries none of them; the error names the field by its label's words.
func TestCommitmentRules(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		mode, text string
		days       int
		field      string
	}{
		{"complete", catalog.ModeCommitment, testCommitment, 20, ""},
		{"no text", catalog.ModeCommitment, "", 20, "commitment"},
		{"no limit", catalog.ModeCommitment, testCommitment, 0, "post_check_days"},
		{"too long a limit", catalog.ModeCommitment, testCommitment, 251, "post_check_days"},
		{"text on 审批", catalog.ModeApproval, testCommitment, 0, "commitment"},
		{"limit on 审批", catalog.ModeApproval, "", 20, "post_check_days"},
		{"scope on 审批", catalog.ModeApproval, "", 0, "commitment_scope"},
	} {
		it := item("M-1", "测试事项")
		it.HandlingMode, it.Commitment, it.PostCheckDays = tc.mode, tc.text, tc.days
		if tc.field == "" || tc.field == "commitment_scope" { // 告知承诺适用范围: only on a 告知承诺 item
			it.CommitmentScope = "仅限低风险经营者"
		}
		it.Normalize()
		wantFirstField(t, tc.name, catalog.Validate(&it, catalog.StatusPublished), tc.field, "告知承诺")
	}
}

// TestCommitmentTravelsInEveryFormat: the 承诺书, the post-check limit and the scope survive export and
// import in CSV, Excel and JSON, and a new version keeps the old one's text as it was.
func TestCommitmentTravelsInEveryFormat(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		src := orgService(t, db)
		it := item("M-COM", "告知承诺事项")
		it.HandlingMode, it.ReformMode, it.Commitment, it.PostCheckDays = catalog.ModeCommitment, catalog.ReformCommitment, testCommitment, 20
		v1, err := src.PutItem(ctx, admin, it, catalog.StatusPublished)
		if err != nil {
			t.Fatal(err)
		}
		it.Commitment, it.PostCheckDays, it.CommitmentScope = testCommitment+"（第二版）", 15, "仅限低风险经营者"
		if _, err := src.PutItem(ctx, admin, it, catalog.StatusPublished); err != nil {
			t.Fatal(err)
		}
		old, err := src.ItemVersion(ctx, "M-COM", v1.Version)
		if err != nil || old.Commitment != testCommitment || old.PostCheckDays != 20 || old.CommitmentScope != "" {
			t.Fatalf("version 1: %q %d %v", old.Commitment, old.PostCheckDays, err)
		}
		eachFormat(t, src, func(format string, written []byte) {
			f, err := catalog.Parse(format, bytes.NewReader(written))
			if err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			var got *catalog.Item
			for i := range f.Items {
				if f.Items[i].Code == "M-COM" {
					got = &f.Items[i]
				}
			}
			if got == nil || got.Commitment != testCommitment+"（第二版）" || got.PostCheckDays != 15 || got.CommitmentScope != "仅限低风险经营者" {
				t.Errorf("%s: %+v", format, got)
			}
		})
	})
}
