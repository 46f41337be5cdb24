// Package certs is the e-certificate library (电子证照): certificate types, certificates issued
// by decided cases or imported, their GB/T 36904 identifiers, revocation and public
// verification, the reuse of a certificate in place of an upload (免提交), and the record of who
// read a person's certificates or personal data, for which case and purpose (谁查看了我的数据).
package certs

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"banhao/calendar"
	"banhao/ids"
)

// Root is the identifier root of electronic certificates (电子证照根代码) in GB/T 36904.
const Root = "1.2.156.3005.2"

// Holder kinds.
const (
	Person = "person"
	Org    = "org"
)

// Statuses. A certificate row is valid or revoked; "expired" is derived from its expiry date.
const (
	Valid   = "valid"
	Revoked = "revoked"
	Expired = "expired"
)

// StatusNames are the Chinese names shown on pages and printed certificates.
var StatusNames = map[string]string{Valid: "有效", Revoked: "已注销", Expired: "已过期"}

// WithDecision begins the reason of a certificate revoked because the decision that issued it
// was revoked (RevokeTx: 告知承诺不实): such a certificate reads 已撤销, not 已注销.
const WithDecision = "撤销许可"

// StatusName is the Chinese name of a status, given the revocation's reason: 已撤销 for a
// certificate revoked with its decision, 已注销 for one revoked by hand.
func StatusName(status, reason string) string {
	if status == Revoked && strings.HasPrefix(reason, WithDecision) {
		return "已撤销"
	}
	return StatusNames[status]
}

var (
	typeCodeRe   = regexp.MustCompile(`^[0-9A-Z]{2,20}$`)
	identifierRe = regexp.MustCompile(`^1\.2\.156\.3005\.2\.([0-9A-Z]{2,20})\.([0-9A-Z]{18})\.([0-9]{8,})\.([0-9]{1,3})\.([0-9A-Z])$`)
)

// ValidTypeCode reports whether a type code may appear in identifiers: 2–20 digits or
// upper-case letters.
func ValidTypeCode(s string) bool { return typeCodeRe.MatchString(s) }

// Identifier builds a certificate's identifier in the GB/T 36904 pattern: the root, the
// certificate type code, the issuer's unified social credit code, a serial number per type and
// issuer, a version, and the ISO 7064 MOD 37,36 check character over all of it (dots skipped).
func Identifier(typeCode, issuerCode string, serial int64, version int) string {
	body := fmt.Sprintf("%s.%s.%s.%08d.%d", Root, typeCode, issuerCode, serial, version)
	c, _ := ids.Mod3736Check(body)
	return body + "." + string(c)
}

// ParseIdentifier checks an identifier's shape and check character and returns its parts.
func ParseIdentifier(s string) (typeCode, issuerCode string, serial int64, version int, ok bool) {
	m := identifierRe.FindStringSubmatch(s)
	if m == nil || !ids.ValidMod3736(strings.ReplaceAll(s, ".", "")) {
		return "", "", 0, 0, false
	}
	serial, err1 := strconv.ParseInt(m[3], 10, 64)
	version, err2 := strconv.Atoi(m[4])
	if err1 != nil || err2 != nil {
		return "", "", 0, 0, false
	}
	return m[1], m[2], serial, version, true
}

// StatusOn is a certificate's status on a day: revoked wins, then expiry (the expiry day itself
// is still valid).
func StatusOn(status string, expires *calendar.Date, today calendar.Date) string {
	if status == Revoked {
		return Revoked
	}
	if expires != nil && today > *expires {
		return Expired
	}
	return Valid
}

// ExpiryFor is the default expiry of a certificate issued on a day for a type valid for years
// (0 = no expiry): the day before the same date years later (2026-11-26 + 5 → 2031-11-25).
func ExpiryFor(issued calendar.Date, years int) *calendar.Date {
	if years <= 0 {
		return nil
	}
	t := issued.Time(time.UTC).AddDate(years, 0, -1)
	d := calendar.DateOf(t, time.UTC)
	return &d
}
