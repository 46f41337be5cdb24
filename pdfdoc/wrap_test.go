package pdfdoc

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// cells measures text in cells: a Chinese character is 2, anything else 1.
func cells(s string) float64 {
	w := 0.0
	for _, r := range s {
		if r >= 0x2E80 {
			w += 2
		} else {
			w++
		}
	}
	return w
}

func TestBreakLines(t *testing.T) {
	t.Parallel()
	cases := []struct {
		text  string
		width float64
		want  []string
	}{
		// Every character survives a break between Chinese characters.
		{"符合法律法规规定", 6, []string{"符合法", "律法规", "规定"}},
		{"居民身份证", 8, []string{"居民身份", "证"}},
		// Closing punctuation does not start a line; opening punctuation does not end one.
		{"核验地址：见下", 8, []string{"核验地", "址：见下"}},
		{"申请人（法人）", 8, []string{"申请人", "（法人）"}},
		// Latin words and numbers stay whole where they fit; spaces at a break are dropped.
		{"电话 0543-12345 咨询", 12, []string{"电话", "0543-12345", "咨询"}},
		{"hello world again", 11, []string{"hello world", "again"}},
		{"共 12345 项", 9, []string{"共 12345", "项"}},
		// A token longer than a line is broken between characters, from where the line stands.
		{"地址http://example.org/a", 10, []string{"地址http:/", "/example.o", "rg/a"}},
		// A hyphen does not end a line (text extraction would drop it as a hyphenation).
		{"A370001-371600", 8, []string{"A370001", "-371600"}},
		{"号码abc-中文", 8, []string{"号码abc", "-中文"}},
		// Explicit newlines and empty paragraphs are kept.
		{"甲\n\n乙", 10, []string{"甲", "", "乙"}},
		{"", 10, []string{""}},
	}
	for _, c := range cases {
		if got := breakLines(c.text, c.width, cells); !slices.Equal(got, c.want) {
			t.Errorf("breakLines(%q, %v) = %q, want %q", c.text, c.width, got, c.want)
		}
	}
}

// TestBreakLinesKeepsEveryCharacter: whatever the text and the width, the lines hold every
// character but the spaces at breaks, in order, and no line is wider than the width unless it is
// one unbreakable character or a mark glued to its neighbour.
func TestBreakLinesKeepsEveryCharacter(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(12, 2026))
	alphabet := []rune("符合法律法规规定居民身份证核验地址申请人材料ABCxyz0123456789 -./:（）《》，。、；：「」“”()[],.;")
	for range 3000 {
		rs := make([]rune, rng.IntN(120))
		for i := range rs {
			rs[i] = alphabet[rng.IntN(len(alphabet))]
		}
		text, width := string(rs), float64(2+rng.IntN(30))
		lines := breakLines(text, width, cells)
		if got, want := strings.ReplaceAll(strings.Join(lines, ""), " ", ""), strings.ReplaceAll(text, " ", ""); got != want {
			t.Fatalf("breakLines(%q, %v) lost text: %q", text, width, lines)
		}
		for i, l := range lines {
			if i < len(lines)-1 && strings.HasSuffix(l, "-") && strings.Trim(l, "-") != "" {
				t.Fatalf("breakLines(%q, %v): line %q ends in a hyphen", text, width, l)
			}
			if cells(l) > width && utf8.RuneCountInString(l) > 1 && !glued(l) {
				t.Fatalf("breakLines(%q, %v): line %q is wider than %v", text, width, l, width)
			}
		}
	}
}

// glued tells whether a line is a single piece that 禁则 keeps together.
func glued(l string) bool {
	return len(units(l)) == 1
}
