package web

import (
	"strings"
	"testing"
)

// TestValidHost: finding 3 — only a plain host[:port] of reasonable length is taken from a
// request for the links printed in QR codes.
func TestValidHost(t *testing.T) {
	t.Parallel()
	for _, h := range []string{"localhost", "localhost:8080", "banhao.binzhou.gov.cn", "banhao.example.", "127.0.0.1:8080",
		"[::1]:8080", "[2001:db8::1]", "xn--fiq228c.cn", strings.Repeat("a", 63) + ".cn"} {
		if !validHost(h) {
			t.Errorf("validHost(%q) = false, want true", h)
		}
	}
	for _, h := range []string{"", strings.Repeat("a", 3000), strings.Repeat("a", 64) + ".cn", strings.Repeat("a.", 140) + "cn",
		"evil.example:99999", "evil.example:", "evil.example:0", "evil.example:+80", "evil.example:08", "ev il.example",
		"evil.example/x", "evil_example.com", "-evil.example", "evil-.example", "evil..example", "[::1", "::1", "[fe80::1%eth0]:80",
		"[127.0.0.1]", "evil.example@other", "\x00"} {
		if validHost(h) {
			t.Errorf("validHost(%.40q) = true, want false", h)
		}
	}
}
