package web

import (
	"mime"
	"strings"
	"testing"
)

// TestContentDisposition: the header names the file in UTF-8 (RFC 6266/8187) with an ASCII
// fallback, and no name can break out of it or point elsewhere.
func TestContentDisposition(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		inline         bool
		name           string
		kind, fallback string
		utf8           string // the name a browser decodes from filename*
	}{
		{true, "营业执照.pdf", "inline", "material.pdf", "营业执照.pdf"},
		{false, "lease.pdf", "attachment", "lease.pdf", "lease.pdf"},
		{false, `a"; filename=evil.html`, "attachment", "a_; filename=evil.html", `a_; filename=evil.html`},
		{false, "../../etc/passwd", "attachment", ".._.._etc_passwd", ".._.._etc_passwd"},
		{false, "line\r\nSet-Cookie: x=1.png", "attachment", "line__Set-Cookie_ x=1.png", "line__Set-Cookie_ x=1.png"},
		{false, "租赁合同 (2).jpg", "attachment", "____ (2).jpg", "租赁合同 (2).jpg"},
		{false, "", "attachment", "material", "material"},
	} {
		h := contentDisposition(tc.inline, tc.name)
		if strings.ContainsAny(h, "\r\n") {
			t.Fatalf("%q: header %q holds a line break", tc.name, h)
		}
		kind, params, err := mime.ParseMediaType(h)
		if err != nil {
			t.Fatalf("%q: %q does not parse: %v", tc.name, h, err)
		}
		if kind != tc.kind || params["filename"] != tc.utf8 {
			t.Errorf("%q: %s %q, want %s %q", tc.name, kind, params["filename"], tc.kind, tc.utf8)
		}
		if !strings.Contains(h, `filename="`+tc.fallback+`"`) {
			t.Errorf("%q: %q lacks the ASCII fallback %q", tc.name, h, tc.fallback)
		}
	}
}
