package web

import (
	"strings"
	"testing"
)

// FuzzParseProfile: the counter form's "service:weight, …" field never panics, and what it
// accepts has one entry per non-empty part.
func FuzzParseProfile(f *testing.F) {
	for _, s := range []string{"Q-S01:3,Q-S02:1", "A", "A:", ":3", "A:x", ",,", "A:1:2", "A: 2 , B", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parseProfile(s)
		if err != nil {
			return
		}
		parts := 0
		for _, x := range strings.Split(s, ",") {
			if strings.TrimSpace(x) != "" {
				parts++
			}
		}
		if len(p) != parts {
			t.Fatalf("%q gave %d entries for %d parts", s, len(p), parts)
		}
	})
}
