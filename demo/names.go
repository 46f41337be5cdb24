package demo

import (
	"regexp"
	"strings"
)

// Names of the real district list (Guang'an District, Sichuan) are kept as published there, but
// what only makes sense in Sichuan does not reach a Binzhou guide: notes on Sichuan's delegation
// of powers ("据省政府令第349号,部分省级权限下放成都等８市"), level suffixes such as （县级） or
// （县级行使）, the province's name, and mixed half- and full-width punctuation.

var (
	// delegationNote is a bracketed note about who exercises the power in Sichuan.
	delegationNote = regexp.MustCompile(`（[^（）]*(?:省政府|成都|下放|市州|委托)[^（）]*）`)
	// levelNote is a bracketed administrative level: （县级）（市级）（县级行使）（县级权限）（市级/县级）.
	levelNote = regexp.MustCompile(`（(?:市级/县级|县级行使|县级权限|县级|市级)）`)
	// bracketed is one innermost bracketed part of a name.
	bracketed = regexp.MustCompile(`（[^（）]*）`)
	// sichuanText is text that places a name or a guide in Sichuan, or in a county, or shows
	// full-width digits.
	sichuanText = regexp.MustCompile(`四川|成都|广安|川省|县级|下放|市州|省政府令第349号|349号令|511602|[０-９]`)
)

// punctuation makes brackets and slashes full-width or plain as Chinese official names write
// them, and digits half-width.
var punctuation = strings.NewReplacer("(", "（", ")", "）", "\\", "/",
	"０", "0", "１", "1", "２", "2", "３", "3", "４", "4", "５", "5", "６", "6", "７", "7", "８", "8", "９", "9")

// SichuanText returns the first piece of s that only makes sense in the district's province (or
// at county level), or "" when s reads as a Binzhou text.
func SichuanText(s string) string {
	return sichuanText.FindString(s)
}

// cleanDistrictName gives the demo city's name of a district item: the published name without
// Sichuan's delegation notes and level suffixes, with uniform punctuation. ok is false when what
// is left still speaks of Sichuan or of a county (such an item has no Binzhou counterpart).
func cleanDistrictName(name string) (clean string, ok bool) {
	s := punctuation.Replace(strings.TrimSpace(name))
	s = delegationNote.ReplaceAllString(s, "")
	s = levelNote.ReplaceAllString(s, "")
	s = strings.ReplaceAll(s, "四川省", "山东省")
	s = strings.TrimSpace(s)
	return s, s != "" && SichuanText(s) == "" && balanced(s)
}

// balanced reports whether every full-width bracket of s is closed.
func balanced(s string) bool {
	depth := 0
	for _, r := range s {
		switch r {
		case '（':
			depth++
		case '）':
			depth--
			if depth < 0 {
				return false
			}
		}
	}
	return depth == 0
}

// nameSynonyms are words that make no difference between two item names.
var nameSynonyms = strings.NewReplacer("公民", "居民", "申领", "办理", "核发", "办理", "新办", "办理")

// nameKeys gives the forms of an item name that NearDuplicate compares: full keeps the words of
// bracketed qualifiers (without the brackets), bare drops them. Both leave out punctuation,
// spaces and 的, a leading 中国 or 对, and read the synonyms above as one word.
func nameKeys(name string) (full, bare string) {
	s := punctuation.Replace(name)
	b := s
	for t := bracketed.ReplaceAllString(b, ""); t != b; t = bracketed.ReplaceAllString(b, "") {
		b = t
	}
	return keyWords(s), keyWords(b)
}

func keyWords(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '（', '）', '《', '》', '“', '”', '"', '、', '，', ',', '·', '/', ' ', '　', '的':
			return -1
		}
		return r
	}, s)
	s = strings.TrimPrefix(s, "中国")
	s = strings.TrimPrefix(s, "对")
	return nameSynonyms.Replace(s)
}

// NearDuplicate reports whether two item names name the same item or one a sub-case of the
// other, so that the two must not be published side by side:
//   - the same name once punctuation, 的, brackets and synonyms are set aside
//     (《出生医学证明》首次签发 — 出生医学证明首次签发; 中国内地公民婚姻登记 — 内地居民婚姻登记);
//   - one is the other with a bracketed qualifier (企业投资项目备案（技术改造）);
//   - one is a sub-case of a plain name (one without brackets) of at least 4 characters: it
//     contains that name, or that name with one run of words inserted, its qualifiers set
//     aside (合伙企业设立登记, 食品（含保健食品）经营许可延续, 就业登记 of 就业失业登记); a
//     trailing 审批 of the plain name does not count (户口迁移审批 — 市内户口迁移).
//
// Variants that differ in their own qualifier or action (…（注销） and …（补办）, 采矿权注销登记
// and 探矿权注销登记) are different items.
func NearDuplicate(a, b string) bool {
	fa, ba := nameKeys(a)
	fb, bb := nameKeys(b)
	return fa == fb || ba == fb || fa == bb || subCase(fa, ba, bb) || subCase(fb, bb, ba)
}

// subCase reports whether the name with keys (full, bare) is plain and the other name (bare key
// other) is a sub-case of it.
func subCase(full, bare, other string) bool {
	if full != bare {
		return false // a name with a qualifier is itself a variant, not the general item
	}
	core := strings.TrimSuffix(bare, "审批")
	x, y := []rune(core), []rune(other)
	if len(x) < 4 || len(y) <= len(x) {
		return core == other
	}
	if strings.Contains(other, core) {
		return true
	}
	p := 0
	for p < len(x) && x[p] == y[p] {
		p++
	}
	s := 0
	for s < len(x)-p && x[len(x)-1-s] == y[len(y)-1-s] {
		s++
	}
	return p+s == len(x)
}
