package web

import "testing"

// TestLocalPathUnder: a return path stays in its pages once read as a browser reads it — dot
// segments resolved, percent-encoding decoded — and never holds a backslash or an empty segment.
func TestLocalPathUnder(t *testing.T) {
	for _, tc := range []struct {
		path, dir string
		kept      bool
	}{
		{"/kiosk/apply/11371600MB0000000X", "/kiosk", true},
		{"/kiosk/guide/A?x=1#top", "/kiosk", true},
		{"/kiosk", "/kiosk", true},
		{"/kiosk/./apply/X", "/kiosk", true},   // resolves within
		{"/kiosk/%2e%2e%2e/x", "/kiosk", true}, // three dots are a name, not a step up
		{"/my", "/my", true},
		{"/my?tab=cases", "/my", true},
		{"/my/cases/371600-20260101-00001", "/my", true},

		{"/kiosk/../admin/users", "/kiosk", false},
		{"/kiosk/%2e%2e/admin/users", "/kiosk", false},
		{"/kiosk/%2E%2E/admin", "/kiosk", false},
		{"/kiosk/.%2e/admin", "/kiosk", false},
		{"/kiosk/%2e./admin", "/kiosk", false},
		{"/kiosk/..", "/kiosk", false},
		{"/kiosk/a/../../admin", "/kiosk", false},
		{"/kiosk/..%2fadmin", "/kiosk", false},
		{"/kiosk/%2e%2e%2fadmin", "/kiosk", false},
		{"/kiosk/..%5cadmin", "/kiosk", false},
		{"/kiosk/..\\admin", "/kiosk", false},
		{"/kiosk//evil.example", "/kiosk", false},
		{"/kiosk/%2f%2fevil.example", "/kiosk", false},
		{"/kiosk/..?next=/kiosk/x", "/kiosk", false},
		{"/kiosks/x", "/kiosk", false},
		{"/kioskx", "/kiosk", false},
		{"https://evil.example/kiosk/", "/kiosk", false},
		{"//evil.example/kiosk/", "/kiosk", false},
		{"/\t/evil.example/kiosk/", "/kiosk", false},
		{"/kiosk/%zz", "/kiosk", false},
		{"", "/kiosk", false},
		{"/my/../admin", "/my", false},
		{"/my/%2e%2e/admin", "/my", false},
		{"/my/./../admin", "/my", false},
		{"/my/..", "/my", false},
		{"/myself", "/my", false},
		{"/my//evil.example", "/my", false},
	} {
		got := localPathUnder(tc.path, tc.dir, "FALLBACK")
		if kept := got == tc.path; kept != tc.kept || !kept && got != "FALLBACK" {
			t.Errorf("localPathUnder(%q, %q) = %q, want kept %v", tc.path, tc.dir, got, tc.kept)
		}
	}
}
