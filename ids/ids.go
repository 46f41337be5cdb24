// Package ids validates Chinese identifiers by their check characters: the citizen ID number
// (GB 11643), the unified social credit code (GB 32100), the organisation code (GB 11714) and
// the ISO/IEC 7064 MOD 37,36 character of electronic certificate identifiers (GB/T 36904).
package ids

import (
	"regexp"
	"strings"
	"time"
)

const creditCharset = "0123456789ABCDEFGHJKLMNPQRTUWXY" // GB 32100: no I, O, S, V, Z

var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// CreditCodeCheck returns the check character for the first 17 characters of a unified social
// credit code, or false when they hold a character outside the code's alphabet.
func CreditCodeCheck(first17 string) (byte, bool) {
	if len(first17) != 17 {
		return 0, false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(creditCharset, first17[i])
		if v < 0 {
			return 0, false
		}
		sum += v * creditWeights[i]
	}
	c := (31 - sum%31) % 31
	return creditCharset[c], true
}

// ValidCreditCode reports whether s is an 18-character unified social credit code whose check
// character is right (upper case, as issued).
func ValidCreditCode(s string) bool {
	if len(s) != 18 {
		return false
	}
	c, ok := CreditCodeCheck(s[:17])
	return ok && c == s[17]
}

var orgWeights = [8]int{3, 7, 9, 10, 5, 8, 4, 2}

// OrgCodeCheck returns the GB 11714 check character for an 8-character organisation code body.
func OrgCodeCheck(first8 string) (byte, bool) {
	if len(first8) != 8 {
		return 0, false
	}
	sum := 0
	for i := 0; i < 8; i++ {
		ch := first8[i]
		var v int
		switch {
		case ch >= '0' && ch <= '9':
			v = int(ch - '0')
		case ch >= 'A' && ch <= 'Z':
			v = int(ch-'A') + 10
		default:
			return 0, false
		}
		sum += v * orgWeights[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 'X', true
	case 11:
		return '0', true
	default:
		return byte('0' + c), true
	}
}

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const idChecks = "10X98765432"

// IDNumberCheck returns the GB 11643 check character for the first 17 digits of an ID number.
func IDNumberCheck(first17 string) (byte, bool) {
	if len(first17) != 17 {
		return 0, false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		ch := first17[i]
		if ch < '0' || ch > '9' {
			return 0, false
		}
		sum += int(ch-'0') * idWeights[i]
	}
	return idChecks[sum%11], true
}

// ValidIDNumber reports whether s is an 18-character citizen ID number with a real birth date
// and a correct check character (a lower-case x is accepted).
func ValidIDNumber(s string) bool {
	if len(s) != 18 {
		return false
	}
	s = strings.ToUpper(s)
	c, ok := IDNumberCheck(s[:17])
	if !ok || c != s[17] {
		return false
	}
	birth, err := time.Parse("20060102", s[6:14])
	return err == nil && birth.Year() >= 1900
}

const mod3736Charset = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"

// Mod3736Check returns the ISO/IEC 7064 (GB/T 17710) MOD 37,36 check character of s — the
// hybrid system over digits and upper-case letters that GB/T 36904 prescribes for electronic
// certificate identifiers. Characters outside 0–9 and A–Z are skipped (the identifier's dots);
// it returns false when s has no character it counts or has lower-case letters.
func Mod3736Check(s string) (byte, bool) {
	const m = 36
	p, n := m, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' {
			return 0, false
		}
		v := strings.IndexByte(mod3736Charset, c)
		if v < 0 {
			continue
		}
		n++
		sum := (p + v) % m
		if sum == 0 {
			sum = m
		}
		p = sum * 2 % (m + 1)
	}
	if n == 0 {
		return 0, false
	}
	return mod3736Charset[(m+1-p)%m], true
}

// ValidMod3736 reports whether the last character of s is the MOD 37,36 check character of
// the rest.
func ValidMod3736(s string) bool {
	if len(s) < 2 {
		return false
	}
	c, ok := Mod3736Check(s[:len(s)-1])
	return ok && c == s[len(s)-1]
}

var phoneRe = regexp.MustCompile(`^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$`)

var officePhoneRe = regexp.MustCompile(`^[0-9]+(-[0-9]+)*$`)

// OfficePhoneRule is what ValidOfficePhone asks for, as a form says it (an optional field).
const OfficePhoneRule = "须为数字，区号与号码之间可用“-”连接，如 0543-3161234 或 12345（可不填）"

// ValidOfficePhone reports whether s is an office's telephone number as people write it: digits,
// groups joined by single hyphens (0543-3161234, 0543-3161234-801, 12345), 5 to 20 characters.
func ValidOfficePhone(s string) bool {
	return len(s) >= 5 && len(s) <= 20 && officePhoneRe.MatchString(s)
}

// ValidPhone reports whether s is a mainland mobile number (11 digits) or a fixed line with its
// area code (0543-1234567).
func ValidPhone(s string) bool { return phoneRe.MatchString(s) }
