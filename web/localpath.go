package web

import (
	"net/url"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// localPath returns p if it is a path on this site, else fallback. Every redirect whose target
// comes from a request (next=, back=) goes through it. Browsers drop tabs and newlines from a
// URL and read a backslash as a slash, so "/\t/evil.example" or "/\\evil.example" would take the
// visitor to evil.example: the rule is strict rather than clever — one leading slash, no
// second slash after it and no backslash, control character or white space anywhere (nor in the
// path once percent-decoded), and net/url must find neither scheme nor host.
func localPath(p, fallback string) string {
	if !isLocalPath(p) {
		return fallback
	}
	return p
}

func isLocalPath(p string) bool {
	if !strings.HasPrefix(p, "/") || !clean(p) {
		return false
	}
	// The path part once percent-decoded (a proxy or a framework may decode it): the same
	// rules. (An encoded space in the query, "?q=a%20b", is fine.)
	path, _, _ := strings.Cut(p, "?")
	path, _, _ = strings.Cut(path, "#")
	decoded, err := url.PathUnescape(path)
	if err != nil || !clean(decoded) {
		return false
	}
	u, err := url.Parse(p)
	return err == nil && u.Scheme == "" && u.Host == "" && u.User == nil && u.Opaque == ""
}

// clean: valid UTF-8 without a second leading slash, a backslash, a control character or white
// space.
func clean(s string) bool {
	if !utf8.ValidString(s) || strings.HasPrefix(s, "//") || strings.ContainsRune(s, '\\') {
		return false
	}
	for _, c := range s {
		if unicode.IsControl(c) || unicode.IsSpace(c) {
			return false
		}
	}
	return true
}

// localPathUnder returns p if it is a local path (localPath) that stays within dir once read as
// a browser reads it, else fallback. The path is percent-decoded and its dot segments resolved
// first: "/kiosk/../admin" and "/kiosk/%2e%2e/admin" are /admin, and http.Redirect and browsers
// would go there. A backslash or an empty segment ("//") is refused outright.
func localPathUnder(p, dir, fallback string) string {
	if !isLocalPath(p) {
		return fallback
	}
	pth, _, _ := strings.Cut(p, "?")
	pth, _, _ = strings.Cut(pth, "#")
	decoded, err := url.PathUnescape(pth)
	if err != nil || strings.ContainsRune(decoded, '\\') || strings.Contains(decoded, "//") {
		return fallback
	}
	if c := path.Clean(decoded); c != dir && !strings.HasPrefix(c, dir+"/") {
		return fallback
	}
	return p
}
