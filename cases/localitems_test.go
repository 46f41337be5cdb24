package cases_test

import (
	"testing"

	"banhao/cases"
	"banhao/catalog"
)

// TestLocalImplementation: a center takes the published implementing item of its own region or
// the nearest region above it; a draft, another county's or none gives "".
func TestLocalImplementation(t *testing.T) {
	item := func(code, region string, published int) catalog.DerivedItem {
		var d catalog.DerivedItem
		d.Code, d.RegionCode, d.PublishedVersion = code, region, published
		return d
	}
	derived := []catalog.DerivedItem{
		item("ZH", "371603000000", 1), // 沾化区
		item("BC", "371602000000", 1), // 滨城区
		item("HM", "371621000000", 0), // 惠民县: a draft only
		item("PL", "371602007000", 1), // 彭李街道's own
	}
	for _, c := range []struct{ region, want string }{
		{"371603000000", "ZH"}, // the county's center
		{"371602001000", "BC"}, // a township of 滨城区 without its own: the county's
		{"371602007000", "PL"}, // a township with its own: the nearest
		{"371621000000", ""},   // only a draft
		{"371600000000", ""},   // the city's center: the standard is its own
		{"371622000000", ""},   // 阳信县: none
	} {
		if got := cases.LocalImplementation(derived, c.region); got != c.want {
			t.Errorf("%s: %q, want %q", c.region, got, c.want)
		}
	}
}
