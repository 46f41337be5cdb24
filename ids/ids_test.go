package ids

import "testing"

func TestCreditCode(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code string
		ok   bool
	}{
		{"91350100M000100Y43", true},  // a published example code
		{"91350100M000100Y44", false}, // wrong check character
		{"9135010OM000100Y43", false}, // O is not in the alphabet
		{"91350100M000100Y4", false},  // too short
	} {
		if got := ValidCreditCode(tc.code); got != tc.ok {
			t.Errorf("ValidCreditCode(%q) = %v, want %v", tc.code, got, tc.ok)
		}
	}
}

func TestIDNumber(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		id string
		ok bool
	}{
		{"11010519491231002X", true}, // the standard's own example
		{"11010519491231002x", true},
		{"110105194912310021", false}, // check digit wrong
		{"110105194913310028", false}, // month 13
		{"1101051949123100", false},
	} {
		if got := ValidIDNumber(tc.id); got != tc.ok {
			t.Errorf("ValidIDNumber(%q) = %v, want %v", tc.id, got, tc.ok)
		}
	}
}

func TestOrgCode(t *testing.T) {
	t.Parallel()
	// 91350100M000100Y43 embeds the organisation code M000100Y4.
	if c, ok := OrgCodeCheck("M000100Y"); !ok || c != '4' {
		t.Fatalf("OrgCodeCheck(M000100Y) = %c, %v; want 4", c, ok)
	}
}
