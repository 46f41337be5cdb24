package demo_test

import (
	"strings"
	"testing"

	"banhao/catalog"
	"banhao/demo"
)

// TestDemoHandlingModes: 住房公积金提取 is 即办 (decided at the window), 住房公积金个人住房贷款 is
// promised in 5 working days, two licences (食品经营许可, the fire check) are 告知承诺 under the 证照分离
// reform (each with its 承诺书 and a 20-working-day post-check), one item is 秒批, every item
// promised 即办 is 即办 and every 备案 is 备案, the rest 审批; the 公积金 window clerk is among the accounts.
func TestDemoHandlingModes(t *testing.T) {
	t.Parallel()
	f, err := demo.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	count := map[string][]string{}
	for _, it := range f.Items {
		mode := it.HandlingMode
		if mode == "" {
			mode = catalog.ModeApproval
		}
		count[mode] = append(count[mode], it.Name)
		switch it.Name {
		case "住房公积金提取（购买住房）":
			if mode != catalog.ModeImmediate || it.PromisedLimit.Unit != catalog.Immediate {
				t.Errorf("%s: %s, promised %s", it.Name, mode, it.PromisedLimit)
			}
		case "住房公积金个人住房贷款":
			if it.PromisedLimit != (catalog.Limit{Value: 5, Unit: catalog.WorkingDay}) {
				t.Errorf("%s promised %s, want 5个工作日", it.Name, it.PromisedLimit)
			}
		case "城乡居民基本养老保险参保登记": // 秒批: a case the rules hand over waits for a person, in working days
			if it.PromisedLimit.Unit != catalog.WorkingDay || it.PromisedLimit.Value < 1 {
				t.Errorf("%s (秒批) promised %s, want working days for the cases handed to a person", it.Name, it.PromisedLimit)
			}
		case "食品经营许可", demo.FireCheckItemName:
			if mode != catalog.ModeCommitment || it.ReformMode != catalog.ReformCommitment {
				t.Errorf("%s: %s/%s, want 告知承诺 under 实行告知承诺", it.Name, mode, it.ReformMode)
			}
			if len([]rune(it.Commitment)) < 50 || it.PostCheckDays != demo.CommitmentPostCheckDays {
				t.Errorf("%s: commitment %q, post-check %d", it.Name, it.Commitment, it.PostCheckDays)
			}
		}
	}
	if len(count[catalog.ModeImmediate]) < 20 || len(count[catalog.ModeCommitment]) != 2 || len(count[catalog.ModeRules]) != 1 ||
		count[catalog.ModeRules][0] != "城乡居民基本养老保险参保登记" || len(count[catalog.ModeFiling]) < 10 {
		t.Errorf("modes: %v", count)
	}
	// The guide and the mode agree: an item promised 即办 is not 审批; a 备案 is 备案.
	for _, it := range f.Items {
		if it.PromisedLimit.Unit == catalog.Immediate && (it.HandlingMode == "" || it.HandlingMode == catalog.ModeApproval) {
			t.Errorf("%s promises 即办 but is 审批", it.Name)
		}
		if strings.HasSuffix(it.Name, "备案") && it.HandlingMode != catalog.ModeFiling {
			t.Errorf("%s is %s, want 备案", it.Name, it.HandlingMode)
		}
	}
	found := false
	for _, a := range demo.Accounts() {
		if a.Username == "clerk_gjj" {
			found = a.Role == "clerk" && a.Note != ""
		}
	}
	if !found {
		t.Error("no 公积金 window clerk among the demo accounts")
	}
}

// TestDemoInvestmentApprovals: the seed's 投资项目 approvals cut from 20 working days to 3 —
// 企业投资项目核准 and 政府投资项目可行性研究报告审批 — are 行政许可 of the city's 发展和改革委员会,
// legal limit 20 and promised 3 working days, each with a material it accepts under 容缺.
func TestDemoInvestmentApprovals(t *testing.T) {
	t.Parallel()
	f, err := demo.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	dept := map[string]string{}
	for _, d := range f.Departments {
		dept[d.Code] = d.Name
	}
	found := 0
	for _, it := range f.Items {
		if it.Name != "企业投资项目核准" && it.Name != "政府投资项目可行性研究报告审批" {
			continue
		}
		found++
		if it.Type != "行政许可" || dept[it.Department.Code] != "滨州市发展和改革委员会" {
			t.Errorf("%s: %s of %q", it.Name, it.Type, dept[it.Department.Code])
		}
		if it.LegalLimit != (catalog.Limit{Value: 20, Unit: catalog.WorkingDay}) || it.PromisedLimit != (catalog.Limit{Value: 3, Unit: catalog.WorkingDay}) {
			t.Errorf("%s: legal %s, promised %s, want 20 and 3 个工作日", it.Name, it.LegalLimit, it.PromisedLimit)
		}
		deferrable := 0
		for _, m := range it.Materials {
			if m.Deferrable && m.Required {
				deferrable++
			}
		}
		if deferrable == 0 || it.HandlingMode != "" && it.HandlingMode != catalog.ModeApproval {
			t.Errorf("%s: %d required materials deferrable (容缺), mode %s", it.Name, deferrable, it.HandlingMode)
		}
	}
	if found != 2 {
		t.Errorf("found %d of the two investment approvals", found)
	}
}
