package catalog

import "testing"

func TestByNameIsPinyinOrder(t *testing.T) {
	ds := []Department{{Code: "A01", Name: "市住房和城乡建设局"}, {Code: "A02", Name: "市公安局"}, {Code: "A03", Name: "市财政局"},
		{Code: "A04", Name: "12345 热线"}, {Code: "A05", Name: "市行政审批服务局"}, {Code: "A06", Name: "市市场监督管理局"}}
	got := ByName(ds)
	want := []string{"12345 热线", "市财政局", "市公安局", "市市场监督管理局", "市行政审批服务局", "市住房和城乡建设局"}
	for i, d := range got {
		if d.Name != want[i] {
			t.Fatalf("order %d: %s, want %s (all: %v)", i, d.Name, want[i], got)
		}
	}
	if ds[0].Name != "市住房和城乡建设局" {
		t.Fatal("ByName changed the list it was given")
	}
}

func TestPublishing(t *testing.T) {
	t.Parallel()
	ds := []Department{{Code: "RSJ", ItemCount: 12}, {Code: "RSJ-371602"}, {Code: "GAJ-371603"}, {Code: "XZSP", ItemCount: 3}}
	got := Publishing(ds, "")
	if len(got) != 2 || got[0].Code != "RSJ" || got[1].Code != "XZSP" {
		t.Fatalf("departments with items: %+v", got)
	}
	if got := Publishing(ds, "GAJ-371603"); len(got) != 3 || got[1].Code != "GAJ-371603" {
		t.Fatalf("the chosen department kept: %+v", got)
	}
	if ds[1].Code != "RSJ-371602" {
		t.Fatal("the list given was changed")
	}
}
