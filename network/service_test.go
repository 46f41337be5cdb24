package network_test

import (
	"context"
	"testing"
	"time"

	"banhao/audit"
	"banhao/errs"
	"banhao/network"
	"banhao/store"
	"banhao/store/storetest"
	"banhao/wiring"
)

var admin = audit.Actor{Username: "admin", Role: "admin"}

func newService(t *testing.T, db *store.DB) *network.Service {
	t.Helper()
	now := func() time.Time { return time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC) }
	s, err := network.New(db, wiring.Must(audit.New([]byte("network-test-key-network-test-key"), now)), now, network.NoQueues{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestNewRefusesMissingDependencies: the network service without the halls' queues is refused,
// by name (network.NoQueues is the stand-in where there are none).
func TestNewRefusesMissingDependencies(t *testing.T) {
	now := time.Now
	_, err := network.New(&store.DB{}, wiring.Must(audit.New([]byte("network-test-key-network-test-key"), now)), now, nil)
	if names, ok := wiring.Missing(err); !ok || len(names) != 1 || names[0] != "queues" {
		t.Fatalf("err = %v", err)
	}
}

func mustRegion(t *testing.T, svc *network.Service, code, name, parent string) {
	t.Helper()
	if _, err := svc.PutRegion(context.Background(), admin, network.Region{Code: code, Name: name, Parent: parent}); err != nil {
		t.Fatalf("region %s %s: %v", code, name, err)
	}
}

func TestRegionTreeAndCenters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := newService(t, db)
		if tree, err := svc.Tree(ctx); err != nil || len(tree) != 0 {
			t.Fatalf("an installation without regions has a tree: %v %v", tree, err)
		}
		if _, ok, err := svc.Main(ctx); err != nil || ok {
			t.Fatalf("a main center without centers: %v %v", ok, err)
		}

		mustRegion(t, svc, "371600000000", "滨州市", "")
		mustRegion(t, svc, "371603000000", "沾化区", "371600000000")
		mustRegion(t, svc, "371602000000", "滨城区", "371600000000")
		mustRegion(t, svc, "371602002000", "彭李街道", "371602000000")
		mustRegion(t, svc, "371602001000", "市中街道", "371602000000")

		// The tree's rules hold in the service: a child under its parent's prefix, a parent
		// that exists, the level the code names.
		for _, bad := range []network.Region{
			{Code: "371502000000", Name: "东昌府区", Parent: "371600000000"},
			{Code: "371621000000", Name: "惠民县", Parent: "371699000000"},
			{Code: "371621000000", Name: "惠民县", Level: "乡", Parent: "371600000000"},
			{Code: "12345", Name: "x"},
		} {
			if _, err := svc.PutRegion(ctx, admin, bad); !errs.Is(err, errs.CodeInvalid) {
				t.Errorf("region %+v: %v, want invalid", bad, err)
			}
		}
		// One root: a county without its city and another province are refused.
		for _, extra := range []network.Region{{Code: "371602000000", Name: "滨城区", Parent: ""}, {Code: "370000000000", Name: "山东省"}, {Code: "371621000000", Name: "惠民县"}} {
			if _, err := svc.PutRegion(ctx, admin, extra); !errs.Is(err, errs.CodeInvalid) {
				t.Errorf("a second root %s: %v, want invalid", extra.Name, err)
			}
		}
		// A township is not re-parented straight under the city.
		if _, err := svc.PutRegion(ctx, admin, network.Region{Code: "371602001000", Name: "市中街道", Parent: "371600000000"}); !errs.Is(err, errs.CodeInvalid) {
			t.Errorf("a township under the city: %v, want invalid", err)
		}
		// Renaming is fine.
		mustRegion(t, svc, "371602000000", "滨城区", "371600000000")

		tree, err := svc.Tree(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(tree) != 1 || tree[0].Name != "滨州市" || len(tree[0].Children) != 2 || tree[0].Children[0].Name != "滨城区" ||
			len(tree[0].Children[0].Children) != 2 || tree[0].Children[0].Children[0].Name != "市中街道" || tree[0].Children[1].Children == nil {
			t.Fatalf("tree: %+v", tree)
		}

		for _, c := range []network.Center{
			{Code: "BZ", Name: "滨州市政务服务中心", RegionCode: "371600000000", Address: "黄河五路 391 号", Hours: "周一至周五", Location: &network.Point{Lat: 37.3835, Lng: 117.9707}},
			{Code: "BC", Name: "滨城区政务服务中心", RegionCode: "371602000000", Location: &network.Point{Lat: 37.4321, Lng: 118.0204}},
			{Code: "ZH", Name: "沾化区政务服务中心", RegionCode: "371603000000", Location: &network.Point{Lat: 37.6988, Lng: 118.1322}},
			{Code: "PL", Name: "彭李街道便民服务中心", RegionCode: "371602002000", Location: &network.Point{Lat: 37.3883, Lng: 118.0166}},
		} {
			if _, err := svc.PutCenter(ctx, admin, c); err != nil {
				t.Fatalf("center %s: %v", c.Code, err)
			}
		}
		for _, bad := range []network.Center{
			{Code: "X", Name: "无区划", RegionCode: "371699000000"},
			{Code: "Y", Name: "层级不符", RegionCode: "371602000000", Level: "市"},
			{Code: "Z", Name: "", RegionCode: "371602000000"},
			{Code: "W", Name: "零点", RegionCode: "371602000000", Location: &network.Point{}},
		} {
			if _, err := svc.PutCenter(ctx, admin, bad); !errs.Is(err, errs.CodeInvalid) {
				t.Errorf("center %+v: %v, want invalid", bad, err)
			}
		}
		pl, err := svc.Center(ctx, "PL")
		if err != nil || pl.Level != "乡" || pl.Location == nil || pl.Location.Lat != 37.3883 {
			t.Fatalf("center PL: %+v %v", pl, err)
		}
		if _, err := svc.Center(ctx, "NOPE"); !errs.Is(err, errs.CodeNotFound) {
			t.Errorf("unknown center: %v", err)
		}
		if m, ok, err := svc.Main(ctx); err != nil || !ok || m.Code != "BZ" {
			t.Errorf("main center: %+v %v %v", m, ok, err)
		}
		// The first center stays the main one: a later city center whose code sorts first does not
		// take its place, in Go or in SQL.
		if _, err := svc.PutCenter(ctx, admin, network.Center{Code: "AA", Name: "滨州市第二政务服务中心", RegionCode: "371600000000"}); err != nil {
			t.Fatal(err)
		}
		var inSQL string
		if err := db.QueryRowContext(ctx, `SELECT `+network.MainCenterSQL).Scan(&inSQL); err != nil || inSQL != "BZ" {
			t.Errorf("main center in SQL after AA: %q %v", inSQL, err)
		}
		if m, ok, err := svc.Main(ctx); err != nil || !ok || m.Code != "BZ" || !m.Main {
			t.Errorf("main center after AA: %+v %v %v", m, ok, err)
		}

		// Where: a 全市通办 item from 彭李街道 — the township first; without 通办, a 沾化区 item only in 沾化区.
		places, err := svc.Where(ctx, network.Scope{Region: "371603000000", Tongban: "city"}, network.From{Region: "371602002000"})
		if err != nil {
			t.Fatal(err)
		}
		if got := codes(places); !equal(got, []string{"PL", "BZ", "BC", "ZH", "AA"}) {
			t.Errorf("全市通办 from 彭李街道: %v", got)
		}
		places, err = svc.Where(ctx, network.Scope{Region: "371603000000"}, network.From{Region: "371602002000"})
		if err != nil || !equal(codes(places), []string{"ZH"}) {
			t.Errorf("沾化区 item: %v %v", codes(places), err)
		}

		// Every change is in the audit log.
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action IN ('region.put', 'center.put')`).Scan(&n); err != nil || n != 11 {
			t.Errorf("audit entries: %d %v, want 11", n, err)
		}
	})
}

// The network is read from memory: a write here shows at once, a write on another node (another
// Service on the same database) within Staleness, through the generation both move.
func TestNetworkSnapshotAcrossNodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, b := newService(t, db), newService(t, db)
		a.SetStaleness(time.Hour)
		b.SetStaleness(time.Hour)
		mustRegion(t, a, "371600000000", "滨州市", "")
		if _, err := a.PutCenter(ctx, admin, network.Center{Code: "BZ", Name: "滨州市政务服务中心", RegionCode: "371600000000"}); err != nil {
			t.Fatal(err)
		}
		if cs, err := b.Centers(ctx); err != nil || len(cs) != 1 || cs[0].Name != "滨州市政务服务中心" {
			t.Fatalf("node B's first read: %v %v", cs, err)
		}
		// Node A renames the center and adds a region: A sees both at once.
		if _, err := a.PutCenter(ctx, admin, network.Center{Code: "BZ", Name: "滨州市民中心", RegionCode: "371600000000"}); err != nil {
			t.Fatal(err)
		}
		mustRegion(t, a, "371603000000", "沾化区", "371600000000")
		if c, err := a.Center(ctx, "BZ"); err != nil || c.Name != "滨州市民中心" {
			t.Fatalf("node A after its own write: %+v %v", c, err)
		}
		if r, err := a.Region(ctx, "371603000000"); err != nil || r.Name != "沾化区" {
			t.Fatalf("node A's new region: %+v %v", r, err)
		}
		// Node B keeps its snapshot until its staleness runs out, then reloads by the generation.
		if c, _ := b.Center(ctx, "BZ"); c.Name != "滨州市政务服务中心" {
			t.Fatalf("node B reloaded before its staleness ran out: %+v", c)
		}
		b.SetStaleness(0) // its staleness runs out
		if c, err := b.Center(ctx, "BZ"); err != nil || c.Name != "滨州市民中心" {
			t.Fatalf("node B after staleness: %+v %v", c, err)
		}
		if _, err := b.Region(ctx, "371603000000"); err != nil {
			t.Fatalf("node B does not see the new region: %v", err)
		}
		if _, err := b.Region(ctx, "371699000000"); !errs.Is(err, errs.CodeNotFound) {
			t.Fatalf("unknown region: %v, want not found", err)
		}
		// A caller changing the list it got does not change the snapshot.
		cs, _ := a.Centers(ctx)
		cs[0].Name = "x"
		if c, _ := a.Center(ctx, "BZ"); c.Name != "滨州市民中心" {
			t.Fatalf("snapshot changed through a returned slice: %+v", c)
		}
	})
}
