package web

import (
	"strings"
	"testing"

	"banhao/queue"
)

// FuzzParseProfile: the counter form's "prefix:weight, …" field never panics, and what it
// accepts has one entry per non-empty part, each a line of the hall.
func FuzzParseProfile(f *testing.F) {
	for _, s := range []string{"Q-S01:3,Q-S02:1", "A", "A:", ":3", "A:x", ",,", "A:1:2", "A: 2 , B", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		svcs := []queue.QueueService{{Code: "Q-S01", Prefix: "A"}, {Code: "Q-S02", Prefix: "B"}}
		p, err := parseProfile(s, svcs)
		if err != nil {
			return
		}
		for _, e := range p {
			if e.Service != "Q-S01" && e.Service != "Q-S02" {
				t.Fatalf("%q gave the line %q", s, e.Service)
			}
		}
		parts := 0
		for _, x := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == '、' }) {
			if strings.TrimSpace(x) != "" {
				parts++
			}
		}
		if len(p) != parts {
			t.Fatalf("%q gave %d entries for %d parts", s, len(p), parts)
		}
	})
}

// TestDisplayCalls: the call now is the latest call while its ticket is at the counter; the
// display lists the five calls before it, or the latest five when nobody is called.
func TestDisplayCalls(t *testing.T) {
	call := func(n string, s queue.Status) queue.BoardCall {
		return queue.BoardCall{CallData: queue.CallData{Number: n}, Status: s}
	}
	numbers := func(cs []queue.BoardCall) string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Number)
		}
		return strings.Join(out, ",")
	}
	many := []queue.BoardCall{call("A7", queue.Serving), call("A6", queue.Done), call("A5", queue.Called), call("A4", queue.NoShow),
		call("A3", queue.Done), call("A2", queue.Done), call("A1", queue.Done)}
	for _, c := range []struct {
		calls       []queue.BoardCall
		now, before string
	}{
		{nil, "", ""},
		{[]queue.BoardCall{call("A1", queue.Called)}, "A1", ""},
		{[]queue.BoardCall{call("A1", queue.Done)}, "", "A1"},
		{many, "A7", "A6,A5,A4,A3,A2"},
		{many[1:], "", "A6,A5,A4,A3,A2"}, // A5 is still called, but a later call ended: nobody is called now
	} {
		cur, recent := displayCalls(c.calls)
		now := ""
		if cur != nil {
			now = cur.Number
		}
		if now != c.now || numbers(recent) != c.before {
			t.Errorf("%s: now %q before %q, want %q and %q", numbers(c.calls), now, numbers(recent), c.now, c.before)
		}
	}
}
