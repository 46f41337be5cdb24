package catalog

import (
	"context"
	"slices"

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

// Theme lists the published items and bundles of one theme.
func (s *Service) Theme(ctx context.Context, code string) (ThemeListing, error) {
	t, ok := ThemeByCode(code)
	if !ok {
		return ThemeListing{}, errs.NotFound("主题", code)
	}
	idx, err := s.index(ctx)
	if err != nil {
		return ThemeListing{}, err
	}
	out := ThemeListing{Theme: t, Items: []Summary{}, Bundles: []Bundle{}}
	for _, e := range idx.entries {
		if slices.Contains(idx.published[e.sum.Code].Themes, code) {
			out.Items = append(out.Items, e.sum)
		}
	}
	bundles, err := s.Bundles(ctx)
	if err != nil {
		return ThemeListing{}, err
	}
	for _, b := range bundles {
		if slices.Contains(b.Themes, code) {
			out.Bundles = append(out.Bundles, b)
		}
	}
	return out, nil
}
