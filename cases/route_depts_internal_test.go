package cases

import (
	"slices"
	"testing"

	"banhao/catalog"
	"banhao/network"
)

// TestKeptDepts: the kept list is every department as routing sees it (code, name, region,
// kind), kept for the same snapshot slice only; the item's own department is found in it with the
// item's region (the city's 公安局 deciding a city item), or made from the item when the catalog
// lacks it.
func TestKeptDepts(t *testing.T) {
	depts := []catalog.Department{
		{Code: "GAJ", Name: "滨州市公安局", RegionCode: "371600000000", Kind: "GAJ"},
		{Code: "GAJ-371603", Name: "沾化区公安局", RegionCode: "371603000000", Kind: "GAJ"},
	}
	kept := newKeptDepts(depts)
	want := []network.Dept{
		{Code: "GAJ", Name: "滨州市公安局", Region: "371600000000", Kind: "GAJ"},
		{Code: "GAJ-371603", Name: "沾化区公安局", Region: "371603000000", Kind: "GAJ"},
	}
	if !slices.Equal(kept.list, want) {
		t.Errorf("kept %+v, want %+v", kept.list, want)
	}
	if !kept.from(depts) || kept.from(slices.Clone(depts)) || kept.from(depts[:1]) {
		t.Error("from: want true for the same snapshot slice only")
	}
	if !newKeptDepts(nil).from(nil) || len(newKeptDepts(nil).list) != 0 {
		t.Error("an empty catalog: want an empty list kept for it")
	}

	item := catalog.Item{Department: catalog.Ref{Code: "GAJ-371603", Name: "沾化区公安局"}, RegionCode: "371603000000"}
	if own := ownDept(item, kept.list); own != want[1] {
		t.Errorf("own department %+v, want %+v", own, want[1])
	}
	item = catalog.Item{Department: catalog.Ref{Code: "NEW", Name: "新设部门"}, RegionCode: "371600000000"}
	if own := ownDept(item, kept.list); own != (network.Dept{Code: "NEW", Name: "新设部门", Region: "371600000000", Kind: "NEW"}) {
		t.Errorf("own department not in the catalog: %+v", own)
	}
}
