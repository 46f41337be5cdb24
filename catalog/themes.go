package catalog

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"banhao/errs"
)

// Theme is a life event (主题服务) that groups items and bundles for browsing without typing,
// as on the national platforms: one list for persons (个人), one for companies (法人).
type Theme struct {
	Code string `json:"code"`
	Name string `json:"name"`
	For  string `json:"for"` // "person" or "company"
}

// Themes are the life events, persons' first. Items and bundles name theirs by code.
var Themes = []Theme{
	{"birth", "生育收养", "person"},
	{"household", "户籍", "person"},
	{"marriage", "婚姻", "person"},
	{"education", "教育", "person"},
	{"employment", "就业创业", "person"},
	{"social_security", "社会保障", "person"},
	{"medical", "医疗", "person"},
	{"housing", "住房", "person"},
	{"transport", "交通出行", "person"},
	{"retirement", "退休养老", "person"},
	{"death", "身后事", "person"},
	{"company_setup", "设立变更", "company"},
	{"licences", "准营准办", "company"},
	{"construction", "工程建设", "company"},
	{"tax", "纳税缴费", "company"},
	{"human_resources", "人力资源", "company"},
	{"deregistration", "注销", "company"},
}

// themeWords are the everyday words of each theme; an item or bundle of the theme is found by
// them too ("老人" finds 退休养老, "去世" 身后事).
var themeWords = map[string]string{
	"birth":           "生育收养 生孩子 生育 怀孕 出生 新生儿 收养 宝宝",
	"household":       "户籍 户口 落户 身份证",
	"marriage":        "婚姻 结婚 离婚",
	"education":       "教育 上学 入学 学校 读书 学生",
	"employment":      "就业创业 就业 创业 找工作 失业 求职",
	"social_security": "社会保障 社保 救助 补贴 困难",
	"medical":         "医疗 看病 医保 就医 医院",
	"housing":         "住房 买房 房子 房产 租房",
	"transport":       "交通出行 出行 开车 车辆 出国",
	"retirement":      "退休养老 退休 养老 老人 老年人 高龄",
	"death":           "身后事 去世 死亡 丧葬 殡葬 后事 过世 抚恤",
	"company_setup":   "设立变更 开公司 开店 企业 公司",
	"licences":        "准营准办 许可证 经营许可",
	"construction":    "工程建设 盖楼 建设项目 施工",
	"tax":             "纳税缴费 纳税 税务 交税 缴费",
	"human_resources": "人力资源 招工 员工 用工 劳动",
	"deregistration":  "注销 关门 歇业",
}

// ThemeByCode finds a theme.
func ThemeByCode(code string) (Theme, bool) {
	i := slices.IndexFunc(Themes, func(t Theme) bool { return t.Code == code })
	if i < 0 {
		return Theme{}, false
	}
	return Themes[i], true
}

// ThemeListing is one theme with its published items and bundles.
type ThemeListing struct {
	Theme
	Items   []Summary `json:"items"`
	Bundles []Bundle  `json:"bundles"`
}

// Theme lists the published items and bundles of one theme, the most applied-for items first.
func (s *Service) Theme(ctx context.Context, code string) (_ ThemeListing, err error) {
	defer errs.Wrap(&err, "catalog.Theme")
	t, ok := ThemeByCode(code)
	if !ok {
		return ThemeListing{}, errs.NotFound("主题", code)
	}
	idx, err := s.index(ctx)
	if err != nil {
		return ThemeListing{}, err
	}
	out := ThemeListing{Theme: t, Items: []Summary{}, Bundles: []Bundle{}}
	var entries []*entry
	for i := range idx.entries {
		if slices.Contains(idx.entries[i].themes, code) {
			entries = append(entries, &idx.entries[i])
		}
	}
	slices.SortStableFunc(entries, func(a, b *entry) int { return b.freq - a.freq })
	for _, e := range entries {
		out.Items = append(out.Items, e.sum)
	}
	for _, b := range idx.bundles {
		if slices.Contains(b.Themes, code) {
			out.Bundles = append(out.Bundles, b)
		}
	}
	return out, nil
}

// ThemeCount is a theme with how many published items and bundles it lists.
type ThemeCount struct {
	Theme
	Items   int `json:"items"`
	Bundles int `json:"bundles"`
}

// ThemeCounts lists every theme, in the order of Themes, with its counts.
func (s *Service) ThemeCounts(ctx context.Context) (_ []ThemeCount, err error) {
	defer errs.Wrap(&err, "catalog.ThemeCounts")
	idx, err := s.index(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]ThemeCount, len(Themes))
	for i, t := range Themes {
		out[i].Theme = t
		for _, e := range idx.entries {
			if slices.Contains(e.themes, t.Code) {
				out[i].Items++
			}
		}
		for _, b := range idx.bundles {
			if slices.Contains(b.Themes, t.Code) {
				out[i].Bundles++
			}
		}
	}
	return out, nil
}

// Limits of the words attached to an item or a bundle.
const (
	MaxKeywords   = 30
	MaxKeywordLen = 20
)

// keywordSeparators split a list of keywords in a form or a table cell, so none may hold one.
const keywordSeparators = ",，;；、"

// SplitKeywords reads a list typed in one field or cell: "营业执照、开公司, 注册公司".
func SplitKeywords(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(keywordSeparators, r) || r == '\n' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// ThemeCodes reads a list of themes given by code or by name (生育收养).
func ThemeCodes(s string) []string {
	var out []string
	for _, p := range SplitKeywords(s) {
		for _, t := range Themes {
			if t.Name == p {
				p = t.Code
			}
		}
		out = append(out, p)
	}
	return out
}

// normalizeWords trims keywords and themes and drops empty ones.
func normalizeWords(list []string) []string {
	var out []string
	for _, w := range list {
		if w = strings.TrimSpace(w); w != "" {
			out = append(out, w)
		}
	}
	return out
}

// checkWords checks keywords and themes: at most MaxKeywords keywords of at most MaxKeywordLen
// characters each, no separators, no repeats, none starting like a spreadsheet formula; themes
// must be known codes. Messages quote at most a few characters of a word (a keyword may be
// anything a file held).
func checkWords(v *errs.Validation, keywords, themes []string) {
	v.Check(len(keywords) <= MaxKeywords, "keywords", fmt.Sprintf("关键词（别名/俗称）最多 %d 个", MaxKeywords))
	seen := map[string]bool{}
	for _, k := range keywords {
		switch {
		case strings.TrimSpace(k) == "":
			v.Add("keywords", "关键词（别名/俗称）不能为空")
		case utf8.RuneCountInString(k) > MaxKeywordLen:
			v.Add("keywords", fmt.Sprintf("关键词“%s”超过 %d 字", Excerpt(k), MaxKeywordLen))
		case strings.ContainsAny(k, keywordSeparators+"\n\r\t"):
			v.Add("keywords", fmt.Sprintf("关键词“%s”含有逗号、顿号或分号：多个关键词请分开填写", Excerpt(k)))
		case strings.ContainsAny(k[:1], "=+-@"):
			v.Add("keywords", fmt.Sprintf("关键词“%s”不能以 = + - @ 开头", Excerpt(k)))
		case seen[strings.ToLower(k)]:
			v.Add("keywords", fmt.Sprintf("关键词“%s”重复", Excerpt(k)))
		}
		seen[strings.ToLower(k)] = true
	}
	known := make([]string, len(Themes))
	for i, t := range Themes {
		known[i] = t.Code + "（" + t.Name + "）"
	}
	seenTheme := map[string]bool{}
	for _, t := range themes {
		if _, ok := ThemeByCode(t); !ok {
			v.Add("themes", fmt.Sprintf("主题“%s”不存在，可选：%s", Excerpt(t), strings.Join(known, "、")))
		} else if seenTheme[t] {
			v.Add("themes", fmt.Sprintf("主题“%s”重复", Excerpt(t)))
		}
		seenTheme[t] = true
	}
}

// excerptLen is how many characters of a value an error message quotes.
const excerptLen = 20

// Excerpt is s for quoting in a message: its first 20 characters, then "…" when it is longer.
func Excerpt(s string) string {
	i, n := 0, 0
	for i < len(s) && n < excerptLen {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		n++
	}
	if i < len(s) {
		return s[:i] + "…"
	}
	return s
}
