package cases_test

import (
	"context"
	"slices"
	"testing"

	"banhao/audit"
	"banhao/cases"
	"banhao/catalog"
	"banhao/store"
)

// deriveFor publishes, for region, an implementing item of the standard item code decided there by
// dept, promised in days working days (stricter than the standard's; 0: the standard's).
func (e *env) deriveFor(t *testing.T, code, region, dept string, days int) catalog.Item {
	t.Helper()
	local := catalog.Local{RegionCode: region, Department: dept, Status: catalog.StatusPublished}
	if days > 0 {
		local.PromisedLimit = &catalog.Limit{Value: days, Unit: catalog.WorkingDay}
	}
	it, err := e.cat.Derive(context.Background(), audit.System, code, local)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

// TestRouteTakesTheDecidingRegionsImplementingItem: 沾化区 published its own 失业保险金申领 (its
// 人社局, 3 working days where the city's 社保中心 promises 5); a 沾化区 resident's application
// accepted at 彭李街道 is made under it — its department, its limit and deadline, its code and
// version — and the timeline says so; a 惠民县 resident's, with no implementing item there, still
// goes to the department that decides for 惠民县 (the city's 社保中心).
func TestRouteTakesTheDecidingRegionsImplementingItem(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		svc := e.networked(t)
		benefit := e.itemCode(t, "失业保险金申领")
		std, _ := e.cat.Item(ctx, benefit)
		if std.PromisedLimit.Value != 5 || std.Department.Code != "SBZX" {
			t.Fatalf("the standard: %+v %s", std.PromisedLimit, std.Department.Code)
		}
		local := e.deriveFor(t, benefit, zhanhua, "RSJ-371603", 3)
		create := func(region string) cases.Case {
			t.Helper()
			c, _, err := svc.Create(ctx, clerkPengli, cases.CreateInput{Item: benefit, Applicant: person, Materials: e.allMaterials(t, clerkPengli, benefit),
				DecidingRegion: region, Accept: &cases.AcceptInput{}}, "")
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		c := create(zhanhua)
		if c.Item != local.Code || c.ItemVersion != local.Version || c.Department.Code != "RSJ-371603" || c.DecidingRegion != zhanhua ||
			c.Limit != (catalog.Limit{Value: 3, Unit: catalog.WorkingDay}) {
			t.Fatalf("沾化区's case: item %s v%d, department %s, region %s, limit %+v; want %s v%d, RSJ-371603, 3 working days",
				c.Item, c.ItemVersion, c.Department.Code, c.DecidingRegion, c.Limit, local.Code, local.Version)
		}
		e.dueBy(t, c, local.PromisedLimit, "沾化区's item's")
		if route := routeOf(c); route != "受理地：彭李街道便民服务中心 → 审批地：沾化区 沾化区人力资源和社会保障局 → 出件地：彭李街道便民服务中心" {
			t.Fatalf("route on the timeline: %q", route)
		}
		if list, total, err := svc.List(ctx, rsjZhanhua, cases.Query{Limit: 10}); err != nil || total != 1 || list[0].Number != c.Number {
			t.Fatalf("沾化区 人社局's queue: %d %v", total, err)
		}
		if _, err := svc.Act(ctx, rsjZhanhua, c.Number, cases.DecisionInput{Decision: "approved"}); err != nil {
			t.Fatalf("沾化区's 人社局 deciding: %v", err)
		}
		h := create("371621000000") // 惠民县: no implementing item of its own
		if h.Item != benefit || h.Department.Code != "SBZX" || h.Limit.Value != 5 {
			t.Fatalf("惠民县's case: item %s, department %s, limit %+v; want the standard's, the city's 社保中心", h.Item, h.Department.Code, h.Limit)
		}
		// the window's form says who decides for each region before anything is typed
		plan, err := svc.RoutePlan(ctx, clerkPengli, std, "window", cases.Applicant{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range plan.Regions {
			if r.Code == zhanhua && (r.Department.Code != "RSJ-371603" || r.Fallback || r.Local == nil || r.Local.Code != local.Code) {
				t.Fatalf("the plan for 沾化区: %+v", r)
			}
		}
	})
}

// TestBundleMemberTakesTheImplementingItem: a bundle's member decided in the applicant's county is
// made under the county's implementing item, as a single case.
func TestBundleMemberTakesTheImplementingItem(t *testing.T) {
	withCatalog(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		svc := e.networked(t)
		b, err := e.cat.Bundle(ctx, "KBQY")
		if err != nil {
			t.Fatal(err)
		}
		// 单位社会保险登记: the 社保中心's, which no county has — 沾化区 has it decided by its 人社局
		member, err := e.cat.Item(ctx, e.itemCode(t, "单位社会保险登记"))
		if err != nil || !slices.Contains(b.Stages[0].Items, member.Code) || !member.Scope().DecidedBelow() {
			t.Fatalf("开办企业's member 单位社会保险登记: %+v %v", member.Scope(), err)
		}
		dept := "RSJ-371603"
		local := e.deriveFor(t, member.Code, zhanhua, dept, 0)
		org := cases.Applicant{Type: "organization", Name: "滨州示例科技有限公司", IDNumber: "91350100M000100Y43", Phone: "13805431234"}
		p, _, err := svc.Create(ctx, clerkPengli, cases.CreateInput{Bundle: "KBQY", Applicant: org, Form: companyForm,
			Materials: pengliBundleMaterials(t, e, "KBQY"), DecidingRegion: zhanhua, Accept: &cases.AcceptInput{}}, "")
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, ch := range p.Children {
			k, err := svc.Get(ctx, clerkPengli, ch.Number)
			if err != nil {
				t.Fatal(err)
			}
			if k.Item == member.Code {
				t.Fatalf("member %s made under the standard, not 沾化区's %s", member.Name, local.Code)
			}
			if k.Item == local.Code {
				found = true
				if k.Department.Code != dept || k.Limit != local.PromisedLimit || k.Status != cases.Accepted {
					t.Fatalf("member %s: department %s, limit %+v, status %s", k.ItemName, k.Department.Code, k.Limit, k.Status)
				}
			}
		}
		if !found {
			t.Fatalf("no member made under 沾化区's %s", local.Code)
		}
	})
}
