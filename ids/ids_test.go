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

func TestMod3736(t *testing.T) {
	// The worked example of ISO/IEC 7064 for MOD 37,36.
	if c, ok := Mod3736Check("A12425GABC1234002"); !ok || c != 'M' {
		t.Errorf("ISO/IEC 7064 example: check %q %v, want M", c, ok)
	}
	if !ValidMod3736("A12425GABC1234002M") || ValidMod3736("A12425GABC1234002N") || ValidMod3736("A12425GABC1234020M") {
		t.Error("ValidMod3736")
	}
	// Any single changed character or swap of neighbours is caught.
	s := "1.2.156.3005.2.11100000000013338W001.91371600MA3C00001X.2026000001.001"
	c, _ := Mod3736Check(s)
	full := s + string(c)
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			continue
		}
		for _, r := range "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ" {
			if byte(r) == s[i] {
				continue
			}
			bad := full[:i] + string(r) + full[i+1:]
			if ValidMod3736(bad) {
				t.Fatalf("changing position %d to %c goes unnoticed", i, r)
			}
		}
	}
	if _, ok := Mod3736Check("abc"); ok {
		t.Error("lower case accepted")
	}
}

func TestValidPhone(t *testing.T) {
	for s, want := range map[string]bool{"13805431234": true, "0543-3161234": true, "05433161234": true, "12805431234": false,
		"1380543123": false, "+8613805431234": false, "0543-316": false, "": false} {
		if ValidPhone(s) != want {
			t.Errorf("ValidPhone(%q) = %v", s, !want)
		}
	}
}

func TestValidOfficePhone(t *testing.T) {
	for s, want := range map[string]bool{"0543-3161234": true, "0543-3161234-801": true, "12345": true, "05433161234": true,
		"abc": false, "123": false, "0543--3161234": false, "-0543": false, "0543-": false, "0543 3161234": false, "123456789012345678901": false} {
		if got := ValidOfficePhone(s); got != want {
			t.Errorf("ValidOfficePhone(%q) = %v, want %v", s, got, want)
		}
	}
}
