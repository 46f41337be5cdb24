package network_test

import (
	"context"
	"testing"

	"banhao/audit"
	"banhao/errs"
	"banhao/network"
	"banhao/store"
	"banhao/store/storetest"
)

// TestSupervisedRegion: a county center's account oversees its county and the townships below,
// not another county; a township's its township; the city's center, an account of no center and
// one of an unknown center oversee everything.
func TestSupervisedRegion(t *testing.T) {
	t.Parallel()
	centers := []network.Center{
		{Code: "BZ", RegionCode: "371600000000", Level: network.City, Main: true},
		{Code: "BC", RegionCode: "371602000000", Level: network.County},
		{Code: "ZH", RegionCode: "371603000000", Level: network.County},
		{Code: "PL", RegionCode: "371602005000", Level: network.Township},
	}
	for _, tc := range []struct {
		center, scope string
		sees, not     []string
	}{
		{"", "", []string{"371603000000", "371602005000"}, nil},
		{"BZ", "", []string{"371600000000", "371603000000"}, nil},
		{"nowhere", "", []string{"371603000000"}, nil},
		{"BC", "371602000000", []string{"371602000000", "371602005000"}, []string{"371603000000", "371600000000", "371603001000"}},
		{"PL", "371602005000", []string{"371602005000"}, []string{"371602000000", "371602004000"}},
	} {
		scope := network.SupervisedRegion(centers, tc.center)
		if scope != tc.scope {
			t.Errorf("%q oversees %q, want %q", tc.center, scope, tc.scope)
		}
		for _, c := range tc.sees {
			if !network.Oversees(scope, c) {
				t.Errorf("%q does not oversee %s", tc.center, c)
			}
		}
		for _, c := range tc.not {
			if network.Oversees(scope, c) {
				t.Errorf("%q oversees %s", tc.center, c)
			}
		}
	}
}

// TestCountyAdminChangesItsCountyOnly: an admin of 滨城区's center adds a township under 滨城区 and
// its center, and is refused a region or center of 沾化区, or moving a center out of 沾化区;
// nothing of a refused change is written.
func TestCountyAdminChangesItsCountyOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := newService(t, db)
		mustRegion(t, svc, "371600000000", "滨州市", "")
		mustRegion(t, svc, "371602000000", "滨城区", "371600000000")
		mustRegion(t, svc, "371603000000", "沾化区", "371600000000")
		for _, c := range []network.Center{{Code: "BZ", Name: "滨州市政务服务中心", RegionCode: "371600000000"},
			{Code: "BC", Name: "滨城区政务服务中心", RegionCode: "371602000000"}, {Code: "ZH", Name: "沾化区政务服务中心", RegionCode: "371603000000"}} {
			if _, err := svc.PutCenter(ctx, admin, c); err != nil {
				t.Fatal(err)
			}
		}
		bc := audit.Actor{Username: "admin_bc", Role: "admin", Center: "BC"}
		if _, err := svc.PutRegion(ctx, bc, network.Region{Code: "371602009000", Name: "新立河街道", Parent: "371602000000"}); err != nil {
			t.Fatalf("滨城区 admin adding its township: %v", err)
		}
		if _, err := svc.PutCenter(ctx, bc, network.Center{Code: "XLH", Name: "新立河街道便民服务中心", RegionCode: "371602009000"}); err != nil {
			t.Fatalf("滨城区 admin adding its township's center: %v", err)
		}
		_, err := svc.PutRegion(ctx, bc, network.Region{Code: "371603001000", Name: "富国街道", Parent: "371603000000"})
		if e, ok := errs.As(err); !ok || e.Code != errs.CodeForbidden || e.Message != "您只能修改滨城区及其下级的区划和中心" {
			t.Errorf("滨城区 admin adding a township of 沾化区: %v", err)
		}
		if _, err := svc.Region(ctx, "371603001000"); !errs.Is(err, errs.CodeNotFound) {
			t.Errorf("the refused region was written: %v", err)
		}
		if _, err := svc.PutCenter(ctx, bc, network.Center{Code: "ZH", Name: "改名", RegionCode: "371602000000"}); !errs.Is(err, errs.CodeForbidden) {
			t.Errorf("滨城区 admin moving 沾化区's center into 滨城区: %v", err)
		}
		if c, _ := svc.Center(ctx, "ZH"); c.Name != "沾化区政务服务中心" || c.RegionCode != "371603000000" {
			t.Errorf("沾化区's center after a refused change: %+v", c)
		}
		if _, err := svc.PutCenter(ctx, audit.Actor{Username: "admin_bz", Role: "admin", Center: "BZ"}, network.Center{Code: "ZH", Name: "沾化区政务服务中心", RegionCode: "371603000000", Address: "富源四路"}); err != nil {
			t.Errorf("the city's admin changing 沾化区's center: %v", err)
		}
	})
}
