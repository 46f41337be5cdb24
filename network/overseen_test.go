package network_test

import (
	"context"
	"testing"
	"time"

	"banhao/audit"
	"banhao/demo"
	"banhao/network"
	"banhao/store"
	"banhao/store/storetest"
)

// TestOverseenIsTheAccountsSubtree: a 滨城区 center's admin sees 滨城区 and its townships and their
// centers, not 沾化区's; the city's sees all.
func TestOverseenIsTheAccountsSubtree(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := network.Seed(ctx, db, demo.Regions(), demo.Centers(), time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
		svc := newService(t, db)
		all, _ := svc.Regions(ctx)
		allCenters, _ := svc.Centers(ctx)
		scope, regions, centers, err := svc.Overseen(ctx, audit.Actor{Username: "admin_bc", Role: "admin", Center: "ZWFW-371602"})
		if err != nil || scope != bincheng {
			t.Fatalf("scope %q %v", scope, err)
		}
		for _, r := range regions {
			if !network.Within(r.Code, bincheng) {
				t.Errorf("滨城区's admin sees region %s %s", r.Code, r.Name)
			}
		}
		for _, c := range centers {
			if !network.Within(c.RegionCode, bincheng) {
				t.Errorf("滨城区's admin sees center %s", c.Name)
			}
		}
		if len(regions) < 3 || len(centers) != 3 { // 滨城区 and its two township centers
			t.Fatalf("滨城区's subtree: %d regions, %d centers", len(regions), len(centers))
		}
		scope, regions, centers, err = svc.Overseen(ctx, audit.Actor{Username: "admin", Role: "admin", Center: demo.CenterCode})
		if err != nil || scope != "" || len(regions) != len(all) || len(centers) != len(allCenters) {
			t.Fatalf("the city's admin: scope %q, %d of %d regions, %d of %d centers, %v", scope, len(regions), len(all), len(centers), len(allCenters), err)
		}
	})
}
