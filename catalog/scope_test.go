package catalog_test

import (
	"context"
	"strings"
	"testing"

	"banhao/audit"
	"banhao/catalog"
	"banhao/errs"
	"banhao/store"
	"banhao/store/storetest"
)

// TestMayChange: a county's admin changes their region's items and those below it, never the
// city's, another county's or one of no region; the city's admins every item.
func TestMayChange(t *testing.T) {
	for _, c := range []struct {
		scope, region string
		want          bool
	}{
		{"", cityCode, true}, {"", zhanhua, true}, {"", "", true},
		{zhanhua, zhanhua, true}, {zhanhua, "371603100000", true},
		{zhanhua, cityCode, false}, {zhanhua, huimin, false}, {zhanhua, "", false},
		{"371603100000", zhanhua, false},
	} {
		if got := catalog.MayChange(c.scope, c.region); got != c.want {
			t.Errorf("MayChange(%q, %q) = %v, want %v", c.scope, c.region, got, c.want)
		}
	}
	err := catalog.ChangeRefusal("沾化区", "滨州市")
	if !errs.Is(err, errs.CodeForbidden) || !strings.Contains(err.Error(), "该事项属于滨州市，沾化区的管理员只能修改沾化区及其下辖区划的事项") {
		t.Errorf("refusal: %v", err)
	}
}

// TestCountyAdminChangesOnlyItsRegion: 沾化区's admin cannot edit, publish or withdraw the
// city's standard item nor 惠民县's implementing item (403 naming the item's region, nothing
// written), nor create a city item; they can publish 沾化区's and create one of 沾化区.
func TestCountyAdminChangesOnlyItsRegion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, _ := newService(t, db)
		seedNetwork(t, db, svc)
		std, err := svc.PutItem(ctx, admin, standard(), catalog.StatusPublished)
		if err != nil {
			t.Fatal(err)
		}
		own, err := svc.Derive(ctx, admin, stdItemKey, catalog.Local{Department: "XZSP-371603"})
		if err != nil {
			t.Fatal(err)
		}
		other, err := svc.Derive(ctx, admin, stdItemKey, catalog.Local{Department: "XZSP-371621", Status: catalog.StatusPublished})
		if err != nil {
			t.Fatal(err)
		}
		zh := audit.Actor{Username: "admin_zhanhua", Role: "admin", Center: "ZWFW-371603"}
		before := countVersions(t, db)

		changed := std
		changed.Conditions = "县里改的条件"
		refused := func(what, region string, err error) {
			t.Helper()
			want := "该事项属于" + region + "，沾化区的管理员只能修改沾化区及其下辖区划的事项"
			if !errs.Is(err, errs.CodeForbidden) || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: %v, want 403 %q", what, err, want)
			}
		}
		_, err = svc.PutItem(ctx, zh, changed, catalog.StatusPublished)
		refused("edit the city's standard", "滨州市", err)
		_, err = svc.Publish(ctx, zh, std.Code)
		refused("publish the city's standard", "滨州市", err)
		_, err = svc.Retire(ctx, zh, std.Code)
		refused("withdraw the city's standard", "滨州市", err)
		_, err = svc.Retire(ctx, zh, other.Code)
		refused("withdraw 惠民县's item", "惠民县", err)
		cityNew := item("T-CITY-NEW", "市级新事项")
		cityNew.RegionCode = cityCode
		_, err = svc.PutItem(ctx, zh, cityNew, catalog.StatusDraft)
		refused("create a city item", "滨州市", err)
		moved := own
		moved.RegionCode = huimin
		_, err = svc.PutItem(ctx, zh, moved, catalog.StatusDraft)
		if err == nil {
			t.Error("沾化区's admin moved their item to 惠民县")
		}
		if n := countVersions(t, db); n != before {
			t.Fatalf("refused changes wrote %d versions", n-before)
		}

		if _, err := svc.Publish(ctx, zh, own.Code); err != nil {
			t.Errorf("沾化区's admin publishes 沾化区's item: %v", err)
		}
		local := item("T-ZH-NEW", "沾化区本地事项")
		local.RegionCode, local.Department = zhanhua, catalog.Ref{Code: "XZSP-371603"}
		if _, err := svc.PutItem(ctx, zh, local, catalog.StatusDraft); err != nil {
			t.Errorf("沾化区's admin creates a 沾化区 item: %v", err)
		}
		if _, err := svc.PutItem(ctx, admin, changed, catalog.StatusPublished); err != nil {
			t.Errorf("the city's admin edits the standard: %v", err)
		}
	})
}
