package catalog

import (
	"slices"
	"strings"

	"github.com/mozillazg/go-pinyin"
)

// pinyinKey is a name as a dictionary orders it: the pinyin of each Han character (tone marks
// left off, tone numbers kept to break ties), other characters as they are.
func pinyinKey(name string) string {
	args := pinyin.NewArgs()
	args.Style = pinyin.Tone3
	args.Fallback = func(r rune, _ pinyin.Args) []string { return []string{string(r)} }
	return strings.Join(pinyin.LazyPinyin(name, args), " ")
}

// CompareNames orders two names as a dictionary does (by pinyin), for any list a person picks
// a name from.
func CompareNames(a, b string) int { return strings.Compare(pinyinKey(a), pinyinKey(b)) }

// ByName returns the departments in the order a person looks a name up in a list: by the
// pinyin of their names (行政审批服务局 after 公安局), not by code. The list given is not changed.
func ByName(ds []Department) []Department {
	keys := make(map[string]string, len(ds))
	for _, d := range ds {
		keys[d.Code] = pinyinKey(d.Name)
	}
	out := slices.Clone(ds)
	slices.SortStableFunc(out, func(a, b Department) int {
		if c := strings.Compare(keys[a.Code], keys[b.Code]); c != 0 {
			return c
		}
		return strings.Compare(a.Code, b.Code)
	})
	return out
}

// Publishing are the departments a search of the public list can find items of (ItemCount > 0:
// a county's department whose items are all derived from the city's standard items finds
// nothing there, they are on its region's list), and the one already chosen (keep), so a filter
// offers no choice that lists nothing and never loses the one in use.
func Publishing(ds []Department, keep string) []Department {
	return slices.DeleteFunc(slices.Clone(ds), func(d Department) bool { return d.ItemCount == 0 && d.Code != keep })
}
