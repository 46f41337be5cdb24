package catalog

import (
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/mozillazg/go-pinyin"
	"golang.org/x/text/width"

	"banhao/errs"
)

// Search in citizens' words. Every published item and bundle is a doc: its name, its keywords
// (别名/俗称) and result name (strong text), its department, section and description (weak
// text), and the pinyin of its name and keywords, all prepared once when the snapshot loads.
// A query is lower-cased, its filler words (办理, 怎么办, 去哪里 …) are dropped, and it is split
// into parts; a doc is ranked by the strongest way it matches:
//
//	tierName     the whole query is the doc's name
//	tierKeyword  … one of its keywords, or the pinyin (full or initials) of its name or a keyword
//	tierResult   … its result name (营业执照)
//	tierContains the name or code contains the query (API.md: any part of the name or code matches)
//	tierStrong   a keyword or the result name contains the query
//	tierCover    the query's character pairs found in the doc cover enough of the query, and
//	             they weigh half of it, rare pairs weighing more (so "给孩子上户口" finds 出生登记
//	             by its keyword 上户口, but "死亡证明" nothing by 证明 alone)
//
// and, within a tier, by how much of the query it covers, then by how often it is applied for.

const (
	tierNone = iota
	tierCover
	tierStrong
	tierContains
	tierResult
	tierKeyword
	tierName
)

// doc is one searchable thing of the snapshot: an item (entry ≥ 0) or a bundle (bundle ≥ 0).
type doc struct {
	entry, bundle int
	name, code    string // lower-cased
	key           string // name \x00 code, for the substring rule
	strong        string // keywords and result name, \x00-separated
	weak          string // department, section, description
	theme         string // the everyday words of its themes
	keywords      []string
	result        string
	pinyin        []string // full pinyin and initials of the name and each keyword
	pinyinAll     string   // the same, \x00-separated, to rule a doc out with one look
	freq          int      // cases made for it
}

var pinyinArgs = pinyin.NewArgs()

// pinyinOf returns the full pinyin ("gongjijin") and the initials ("gjj") of s's Chinese
// characters, or "" when s has none.
func pinyinOf(s string) (full, initials string) {
	var f, i strings.Builder
	for _, p := range pinyin.LazyPinyin(s, pinyinArgs) {
		f.WriteString(p)
		if p != "" {
			i.WriteByte(p[0])
		}
	}
	return f.String(), i.String()
}

func newDoc(name, code string, keywords, themes []string, result, weak string) doc {
	d := doc{entry: -1, bundle: -1, name: fold(name), code: fold(code), result: fold(result), weak: fold(weak)}
	d.key = d.name + "\x00" + d.code
	for _, k := range keywords {
		if k = fold(k); k != "" {
			d.keywords = append(d.keywords, k)
		}
	}
	d.strong = strings.Join(append(slices.Clone(d.keywords), d.result), "\x00")
	for _, t := range themes {
		d.theme += "\x00" + strings.ReplaceAll(themeWords[t], " ", "\x00")
	}
	for _, s := range append([]string{d.name}, d.keywords...) {
		full, ini := pinyinOf(s)
		if full == "" {
			continue
		}
		d.pinyin = append(d.pinyin, full, ini)
	}
	d.pinyinAll = strings.Join(d.pinyin, "\x00")
	return d
}

// MaxQueryLen is the longest search accepted, in characters: the longest implementation code
// (an item may be looked up by its whole code, API.md). People type short phrases (the longest
// of the phrase test, 我要办理营业执照需要什么材料, has 14); a longer text is refused, so that no
// one can make a page print it.
const MaxQueryLen = 100

// CleanQuery prepares a search as typed: control and format characters (NUL, bidi overrides …)
// and invalid UTF-8 are dropped, tabs and line breaks become spaces. A query longer than
// MaxQueryLen characters is refused, naming the field q.
func CleanQuery(q string) (string, error) {
	q = stripControl(q)
	if n := utf8.RuneCountInString(strings.TrimSpace(q)); n > MaxQueryLen {
		return q, errs.Invalid("q", fmt.Sprintf("搜索内容不能超过 %d 个字（现有 %d 个字），请换个简短的说法", MaxQueryLen, n))
	}
	return q, nil
}

// stripControl drops control and format characters and invalid UTF-8; white space becomes a
// space. Names and codes are joined with NUL in the index, so a NUL must never reach it.
func stripControl(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case unicode.Is(unicode.Cc, r), unicode.Is(unicode.Cf, r):
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
}

// fold lower-cases, turns full-width letters and digits into ASCII and trims.
func fold(s string) string {
	return strings.ToLower(strings.TrimSpace(width.Fold.String(s)))
}

// fillers are words that say nothing about what is wanted, longest first so that 怎么办理 goes
// before 怎么 and 办理.
var fillers = sortedByLength([]string{
	"需要什么材料", "需要哪些材料", "要什么材料", "要带什么", "需要带什么", "带什么材料", "什么材料", "哪些材料", "要哪些",
	"怎么办理", "如何办理", "怎样办理", "在哪里办", "去哪里办", "到哪里办", "在哪办", "去哪办", "哪里办", "怎么申请", "如何申请",
	"怎么办", "怎么弄", "怎么样", "怎么", "怎样", "如何", "去哪里", "去哪儿", "去哪", "到哪里", "到哪", "在哪里", "在哪儿", "在哪", "哪里", "哪儿",
	"办理", "申请", "申办", "我要", "我想", "想要", "我们", "请问", "咨询", "手续", "流程", "需要", "多少钱", "多长时间", "多久", "什么",
	"能不能", "可不可以", "可以", "能否", "是否", "一下", "有关", "相关", "问题", "事情", "方面",
	"要办", "要交", "吗", "呢", "啊", "呀", "的", "了",
})

// leadVerbs are dropped at the start of a part when two characters or more remain:
// 办健康证 → 健康证, 给孩子上户口 → 孩子上户口 (but 去世 stays).
var leadVerbs = []string{"办个", "办张", "办", "领", "开个", "弄", "我", "给", "帮", "要", "想", "去"}

// synonyms map everyday words to the words guides use; a query is also tried with them
// replaced (驾照到期 → 驾驶证到期).
var synonyms = [][2]string{
	{"驾照", "驾驶证"}, {"身份证丢", "身份证补领"}, {"丢了", "补领"}, {"丢失", "补领"}, {"遗失", "补领"}, {"掉了", "补领"},
	{"小孩", "子女"}, {"孩子", "子女"}, {"宝宝", "新生儿"}, {"娃", "子女"}, {"老人", "老年人"},
	{"房子", "房屋"}, {"房产证", "不动产权证书"}, {"房本", "不动产权证书"}, {"买房", "购房"}, {"卖房", "存量房"},
	{"公司", "企业"}, {"开店", "个体工商户"}, {"看病", "就医"}, {"工作", "就业"}, {"找工作", "就业"}, {"养老金", "养老保险"},
	{"车牌", "号牌"}, {"上牌", "注册登记"}, {"新车", "机动车"}, {"汽车", "机动车"}, {"电动车", "电动自行车"},
	{"去世", "死亡"}, {"过世", "死亡"}, {"死了", "死亡"}, {"办后事", "丧葬"}, {"退休金", "养老金"},
	{"诊所", "医疗机构"}, {"补贴", "津贴"}, {"上学", "入学"}, {"网吧", "上网服务"}, {"狗", "犬"}, {"小卖部", "个体工商户"}, {"证丢", "证补领"},
}

func sortedByLength(ws []string) []string {
	slices.SortStableFunc(ws, func(a, b string) int { return utf8.RuneCountInString(b) - utf8.RuneCountInString(a) })
	return ws
}

// prepared is a query ready to score docs against.
type prepared struct {
	raw      string   // folded query: the substring rule of API.md
	variants []string // the query without fillers, parts joined by spaces; then with synonyms
	ascii    string   // letters only, for pinyin ("gong ji jin" → "gongjijin"), or ""
}

// soundOf is the full pinyin of a query of two Chinese characters or more, or "".
func (p prepared) soundOf() string {
	if len(p.variants) == 0 {
		return ""
	}
	flat := strings.ReplaceAll(p.variants[0], " ", "")
	if n := utf8.RuneCountInString(flat); n < 2 || n > MaxKeywordLen || strings.ContainsFunc(flat, func(r rune) bool { return !unicode.Is(unicode.Han, r) }) {
		return ""
	}
	full, _ := pinyinOf(flat)
	return full
}

// prepare cleans a query: the original words, then filler words dropped and parts split.
func prepare(q string) prepared {
	p := prepared{raw: fold(stripControl(q))}
	clean := cleanQuery(p.raw)
	if clean != "" {
		p.variants = append(p.variants, clean)
	}
	for _, s := range synonyms {
		for _, v := range p.variants {
			if strings.Contains(v, s[0]) && !strings.Contains(v, s[1]) && len(p.variants) < 4 {
				p.variants = append(p.variants, strings.ReplaceAll(v, s[0], s[1]))
				break
			}
		}
	}
	letters := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r
		case r == ' ' || r == '\'' || r == '-':
			return -1
		}
		return utf8.RuneError
	}, p.raw)
	if len(letters) >= 2 && !strings.ContainsRune(letters, utf8.RuneError) {
		p.ascii = letters
	}
	return p
}

func cleanQuery(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsPunct(r) || unicode.IsSpace(r) || unicode.IsSymbol(r) {
			return ' '
		}
		return r
	}, s)
	for _, f := range fillers {
		s = strings.ReplaceAll(s, f, " ")
	}
	parts := slices.DeleteFunc(strings.Fields(s), func(p string) bool { return p == "办" || p == "个" })
	for i := range parts {
		for again := true; again; {
			again = false
			for _, v := range leadVerbs {
				if rest, ok := strings.CutPrefix(parts[i], v); ok && utf8.RuneCountInString(rest) >= 2 {
					parts[i], again = rest, true
					break
				}
			}
		}
	}
	return strings.Join(parts, " ")
}

// pairs lists the character pairs (bigrams) of each part with the rune positions they cover in
// the variant with its spaces removed; a one-character part is its own "pair".
type pair struct {
	text string
	at   uint64 // bit mask of the positions covered
}

func pairsOf(v string) (out []pair, n int) {
	for _, part := range strings.Fields(v) {
		rs := []rune(part)
		if len(rs) == 1 && n < 64 {
			out = append(out, pair{string(rs), 1 << n})
		}
		for i := 0; i+1 < len(rs) && n+i+1 < 64; i++ {
			out = append(out, pair{string(rs[i : i+2]), 1<<(n+i) | 1<<(n+i+1)})
		}
		n += len(rs)
	}
	return out, min(n, 64)
}

// hit is how well one doc matches.
type hit struct {
	doc   int
	tier  int
	cover float64 // share of the query the doc covers, 0–1
}

// grams is the inverted index of character pairs: pair → docs whose strong (or weak) text, or
// name, holds it. Built once per snapshot.
type grams struct {
	strong, theme, weak map[string][]int32
}

func buildGrams(docs []doc) grams {
	g := grams{strong: map[string][]int32{}, theme: map[string][]int32{}, weak: map[string][]int32{}}
	add := func(m map[string][]int32, text string, i int32) {
		rs := []rune(text)
		seen := map[string]bool{}
		for j := range rs {
			for _, k := range []int{1, 2} {
				if j+k > len(rs) {
					continue
				}
				s := string(rs[j : j+k])
				if seen[s] || strings.ContainsRune(s, 0) {
					continue
				}
				seen[s] = true
				m[s] = append(m[s], i)
			}
		}
	}
	for i := range docs {
		d := &docs[i]
		add(g.strong, d.name+"\x00"+d.strong, int32(i))
		add(g.theme, d.theme, int32(i))
		add(g.weak, d.weak, int32(i))
	}
	return g
}

// match scores every doc against the query and returns those that match, best first. keep
// says which docs take part (filters); freq breaks ties.
func (idx *index) match(p prepared, keep func(d *doc) bool) []hit {
	docs := idx.docs
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	sc.reset(len(docs))
	best, strongAt, themeAt, weakAt := sc.best, sc.strongAt, sc.themeAt, sc.weakAt
	pairsAt, themePairs := sc.pairsAt, sc.themePairs
	strongest := tierNone
	raise := func(i int, tier int, cover float64) {
		strongest = max(strongest, tier)
		if tier > best[i].tier || tier == best[i].tier && cover > best[i].cover {
			best[i].tier, best[i].cover = tier, cover
		}
	}
	// Exact and substring rules on the raw query and on each cleaned variant.
	queries := append([]string{p.raw}, p.variants...)
	for qi, q := range queries {
		if qi > 0 && q == p.raw {
			continue
		}
		flat := strings.ReplaceAll(q, " ", "")
		if flat == "" {
			continue
		}
		for _, c := range idx.candidates(q) {
			i := int(c)
			d := &docs[i]
			switch {
			case d.name == flat || d.name == q:
				raise(i, tierName, 1)
			case slices.Contains(d.keywords, flat):
				raise(i, tierKeyword, 1)
			case d.result == flat:
				raise(i, tierResult, 1)
			case strings.Contains(d.key, q) || qi > 0 && strings.Contains(d.name, flat):
				raise(i, tierContains, float64(utf8.RuneCountInString(flat))/float64(max(1, utf8.RuneCountInString(d.name))))
			case qi > 0 && strings.Contains(d.strong, flat):
				raise(i, tierStrong, 1)
			}
		}
	}
	// Pinyin: the whole query is the pinyin or the initials of the name or a keyword, or a part of them.
	if p.ascii != "" {
		for i := range docs {
			d := &docs[i]
			if !strings.Contains(d.pinyinAll, p.ascii) {
				continue
			}
			for k, py := range d.pinyin {
				initials := k%2 == 1
				switch {
				case py == p.ascii:
					raise(i, tierKeyword, 1)
				case strings.HasPrefix(py, p.ascii) && (initials || len(p.ascii) >= 3):
					raise(i, tierStrong, float64(len(p.ascii))/float64(len(py)))
				case strings.Contains(py, p.ascii) && (initials && len(p.ascii) >= 2 && len(py) <= 8 || !initials && len(p.ascii) >= 4):
					raise(i, tierCover, 0.5+0.5*float64(len(p.ascii))/float64(len(py)))
				}
			}
		}
	}
	// Sound: a query in characters that reads as a keyword or a name (结昏 → 结婚, 社报卡 →
	// 社保卡, 公基金 → 公积金) is a typing slip, looked for only when the words themselves
	// matched nothing as strongly.
	sound := ""
	if strongest < tierStrong {
		sound = p.soundOf()
	}
	if sound != "" {
		for i := range docs {
			d := &docs[i]
			if !strings.Contains(d.pinyinAll, sound) {
				continue
			}
			for k := 0; k < len(d.pinyin); k += 2 {
				if d.pinyin[k] == sound {
					raise(i, tierStrong, 1)
				}
			}
		}
	}
	// Coverage: which of the query's characters the doc's words hold, pair by pair.
	for _, v := range p.variants {
		ps, n := pairsOf(v)
		if n == 0 {
			continue
		}
		clear(strongAt)
		clear(themeAt)
		clear(weakAt)
		clear(pairsAt)
		clear(themePairs)
		weights, total := idx.pairWeights(ps)
		for k, pr := range ps {
			bit := uint64(1) << min(k, 63)
			for _, i := range idx.grams.strong[pr.text] {
				strongAt[i] |= pr.at
				pairsAt[i] |= bit
			}
			for _, i := range idx.grams.theme[pr.text] {
				themeAt[i] |= pr.at
				themePairs[i] |= bit
			}
			for _, i := range idx.grams.weak[pr.text] {
				weakAt[i] |= pr.at
				pairsAt[i] |= bit
			}
		}
		need := 0.5 // of a short query, half; of a longer phrase, two fifths
		if n >= 4 {
			need = 0.4
		}
		for i := range docs {
			if pairsAt[i] == 0 && themePairs[i] == 0 {
				continue
			}
			s := bits.OnesCount64(strongAt[i])
			t := bits.OnesCount64(themeAt[i] &^ strongAt[i])
			w := bits.OnesCount64(weakAt[i] &^ strongAt[i] &^ themeAt[i])
			cover := (float64(s) + 0.8*float64(t) + 0.5*float64(w)) / float64(n)
			if cover >= need && s+t+w >= 2 && meaningful(pairsAt[i], themePairs[i], weights, total) {
				raise(i, tierCover, cover)
			}
		}
	}
	// Order: tier, coverage within a twentieth, cases made, then the items people have words
	// for (the common ones), then public order — packed into one number per hit.
	keys := sc.keys[:0]
	for i, h := range best {
		if h.tier == tierNone || keep != nil && !keep(&docs[i]) {
			continue
		}
		words := uint64(min(len(docs[i].keywords), 1))
		key := uint64(tierName-h.tier)<<60 | uint64(20-min(int(h.cover*20), 20))<<54 |
			uint64(1<<24-1-min(docs[i].freq, 1<<24-1))<<30 | (1-words)<<29 | uint64(i)
		keys = append(keys, key)
	}
	slices.Sort(keys)
	sc.keys = keys
	out := make([]hit, len(keys))
	for k, key := range keys {
		out[k] = best[key&(1<<29-1)]
	}
	return out
}

// pairWeights weighs each of the query's pairs by how rare it is among the docs (inverse
// document frequency): 死亡 says much, 证明, 备案 or 补办 little. A pair no doc holds (年检, or
// 亡证 across two words) weighs as a rare one: the query asks for something the doc lacks.
func (idx *index) pairWeights(ps []pair) (weights []float64, total float64) {
	n := float64(len(idx.docs) + 1)
	for _, pr := range ps {
		df := len(idx.grams.strong[pr.text]) + len(idx.grams.weak[pr.text])
		w := math.Log(n / float64(df+1))
		if df == 0 {
			w = math.Log(n) / 2
		}
		weights = append(weights, w)
		total += w
	}
	return weights, total
}

// meaningful tells whether the pairs a doc holds in its own words, or only in its themes' words
// (counting less), make a real share of the query's weight: half of it, so one common pair
// shared (证明, 合同, 补办) is not a match.
func meaningful(held, byTheme uint64, weights []float64, total float64) bool {
	got := 0.0
	for k, w := range weights {
		switch bit := uint64(1) << min(k, 63); {
		case held&bit != 0:
			got += w
		case byTheme&bit != 0:
			got += 0.8 * w
		}
	}
	return got >= 0.5*total
}

// scratch is the per-query working memory of match, reused across queries.
type scratch struct {
	best                      []hit
	strongAt, themeAt, weakAt []uint64
	pairsAt, themePairs       []uint64 // which of the query's pairs (a bit each) a doc holds, in its words or its themes'
	keys                      []uint64
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

func (sc *scratch) reset(n int) {
	if cap(sc.best) < n {
		sc.best, sc.strongAt, sc.themeAt, sc.weakAt = make([]hit, n), make([]uint64, n), make([]uint64, n), make([]uint64, n)
		sc.pairsAt, sc.themePairs = make([]uint64, n), make([]uint64, n)
	}
	sc.best, sc.strongAt, sc.themeAt, sc.weakAt = sc.best[:n], sc.strongAt[:n], sc.themeAt[:n], sc.weakAt[:n]
	sc.pairsAt, sc.themePairs = sc.pairsAt[:n], sc.themePairs[:n]
	for i := range sc.best {
		sc.best[i] = hit{doc: i}
	}
}

// candidates are the docs that may hold q in their name, code, keywords or result name: for a
// query starting with a Chinese character, those whose text holds its first characters (from
// the pair index); for others, all of them.
func (idx *index) candidates(q string) []int32 {
	rs := []rune(q)
	if rs[0] < utf8.RuneSelf {
		return idx.all
	}
	if len(rs) >= 2 && rs[1] != ' ' {
		return idx.grams.strong[string(rs[:2])]
	}
	return idx.grams.strong[string(rs[:1])]
}

// closest finds items for a query that matched nothing: those sharing its most meaningful words
// (character pairs weighed by rarity, so 二胎 counts and 证明 hardly), then, as a fallback, the
// common items (those people have words for), the most applied-for first. Never empty while the
// catalog has items.
func (idx *index) closest(p prepared, n int) []int {
	score := make([]float64, len(idx.docs))
	seen := map[string]bool{}
	for _, v := range append(p.variants, p.raw) {
		ps, _ := pairsOf(v)
		weights, _ := idx.pairWeights(ps)
		common := max(3, len(idx.docs)/100) // a pair in more docs than this says little (证明, 备案)
		for k, pr := range ps {
			if seen[pr.text] || len(idx.grams.strong[pr.text])+len(idx.grams.weak[pr.text]) > common {
				continue
			}
			seen[pr.text] = true
			for f, m := range []map[string][]int32{idx.grams.strong, idx.grams.theme, idx.grams.weak} {
				for _, i := range m[pr.text] {
					score[i] += weights[k] * []float64{1, 0.8, 0.5}[f]
				}
			}
		}
	}
	top := slices.Max(append(score, 0))
	for i := range score { // a share of one common word is no guess: the common items are better
		if score[i] < top/2 {
			score[i] = 0
		}
	}
	better := func(a, b int) bool {
		if sa, sb := score[a], score[b]; sa != sb {
			return sa > sb
		}
		if fa, fb := idx.docs[a].freq, idx.docs[b].freq; fa != fb {
			return fa > fb
		}
		return len(idx.docs[a].keywords) > len(idx.docs[b].keywords) // the more words people have for it, the commoner
	}
	var list []int // the best n so far, best first
	for i := range idx.docs {
		if idx.docs[i].entry < 0 || len(list) == n && !better(i, list[n-1]) {
			continue
		}
		at := len(list)
		for at > 0 && better(i, list[at-1]) {
			at--
		}
		list = slices.Insert(list, at, i)
		if len(list) > n {
			list = list[:n]
		}
	}
	out := []int{}
	for _, i := range list {
		out = append(out, idx.docs[i].entry)
	}
	return out
}
