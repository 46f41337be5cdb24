package network_test

import (
	"testing"

	"banhao/network"
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
