package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"banhao/errs"
)

// Summary is one row of the public item list (API.md GET /api/v1/items).
type Summary struct {
	Code          string `json:"code"`
	Name          string `json:"name"`
	Type          string `json:"type"`
	Department    Ref    `json:"department"`
	Section       Ref    `json:"section"`
	PromisedLimit Limit  `json:"promised_limit"`
	Visits        int    `json:"visits"`
	OnlineDepth   int    `json:"online_depth"`
	HandlingMode  string `json:"handling_mode"`
	ReformMode    string `json:"reform_mode"`
}

// Query filters the public item list. Q matches any part of the name or the code.
type Query struct {
	Q          string
	Section    string
	Department string
	Type       string
	// HandlingMode and ReformMode keep the items of one 办理方式 or one 证照分离 mode.
	HandlingMode string
	ReformMode   string
	Limit        int
	Offset       int
}

// Result is one page of items and the total that matched. A search by words also returns the
// bundles (一件事) it matches; when nothing matched, the closest items and the themes to browse.
type Result struct {
	Items   []Summary       `json:"items"`
	Total   int             `json:"total"`
	Bundles []BundleSummary `json:"bundles"`
	// Suggestions and SuggestedThemes are filled only when a search by words found nothing.
	Suggestions     []Summary `json:"suggestions,omitempty"`
	SuggestedThemes []Theme   `json:"suggested_themes,omitempty"`
}

// BundleSummary is one bundle in a search result or a theme.
type BundleSummary struct {
	Code          string   `json:"code"`
	Name          string   `json:"name"`
	Description   string   `json:"description,omitempty"`
	Items         []string `json:"items"`
	PromisedLimit Limit    `json:"promised_limit"`
}

func summarize(b Bundle) BundleSummary {
	return BundleSummary{Code: b.Code, Name: b.Name, Description: b.Description, Items: b.Items(), PromisedLimit: b.PromisedLimit}
}

// index is an immutable snapshot of the published catalog. Searching a few thousand short
// names in memory takes microseconds, where a LIKE scan takes milliseconds per request.
type index struct {
	gen         int64
	entries     []entry
	sections    map[string]Section
	depts       map[string]Department
	sectionList []Section
	deptList    []Department
	// published holds every published item's current version, so that applying for an item
	// reads no row (a version is immutable; which one is current moves with the generation).
	published map[string]Item
	// implementing lists, by standard code, the codes of its published implementing items
	// (ImplementingItem: routing a case to the deciding region's own item reads no row).
	implementing map[string][]string
	// bundles are the published bundles by code order; docs and grams serve search (search.go).
	bundles []Bundle
	docs    []doc
	grams   grams
	all     []int32 // every doc, for scans
}

type entry struct {
	sum    Summary
	themes []string
	freq   int // cases made for the item: ties in search go to the more applied-for
}

// indexHolder keeps the current snapshot and when the database generation was last checked.
type indexHolder struct {
	cur     atomic.Pointer[index]
	checked atomic.Int64 // monotonic nanoseconds of the last generation check
	mu      sync.Mutex   // one reload at a time
}

var start = time.Now()

func (s *Service) invalidate() { s.idx.checked.Store(0); s.idx.cur.Store(nil) }

// index returns a current snapshot, reloading when another write (on any node) moved the
// catalog generation.
func (s *Service) index(ctx context.Context) (*index, error) {
	cur := s.idx.cur.Load()
	nowMono := int64(time.Since(start))
	if cur != nil && nowMono-s.idx.checked.Load() < int64(s.staleness) {
		return cur, nil
	}
	s.idx.mu.Lock()
	defer s.idx.mu.Unlock()
	cur = s.idx.cur.Load()
	if cur != nil && nowMono-s.idx.checked.Load() < int64(s.staleness) {
		return cur, nil
	}
	var gen int64
	if err := s.db.QueryRowContext(ctx, `SELECT generation FROM catalog_meta WHERE id = 1`).Scan(&gen); err != nil {
		return nil, fmt.Errorf("catalog generation: %w", err)
	}
	if cur == nil || cur.gen != gen {
		fresh, err := s.load(ctx, gen)
		if err != nil {
			return nil, err
		}
		cur = fresh
		s.idx.cur.Store(cur)
	}
	s.idx.checked.Store(nowMono)
	return cur, nil
}

func (s *Service) load(ctx context.Context, gen int64) (*index, error) {
	idx := &index{gen: gen, sections: map[string]Section{}, depts: map[string]Department{}, published: map[string]Item{},
		implementing: map[string][]string{}}
	rows, err := s.db.QueryContext(ctx, `SELECT code, name, description, sort, status FROM sections ORDER BY sort, code`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var sec Section
		if err := rows.Scan(&sec.Code, &sec.Name, &sec.Description, &sec.Sort, &sec.Status); err != nil {
			rows.Close()
			return nil, err
		}
		idx.sections[sec.Code] = sec
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("catalog index: %w", err)
	}
	rows, err = s.db.QueryContext(ctx, `SELECT code, name, credit_code, region_code, kind, phone, status FROM departments ORDER BY code`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var d Department
		if err := rows.Scan(&d.Code, &d.Name, &d.CreditCode, &d.RegionCode, &d.Kind, &d.Phone, &d.Status); err != nil {
			rows.Close()
			return nil, err
		}
		idx.depts[d.Code] = d
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("catalog index: %w", err)
	}

	rows, err = s.db.QueryContext(ctx, `SELECT v.doc, v.version, v.created_at FROM items i JOIN item_versions v ON v.code = i.code AND v.version = i.published_version
		WHERE i.status = 'published'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	secCount, deptCount := map[string]int{}, map[string]int{}
	for rows.Next() {
		var doc string
		var it Item
		if err := rows.Scan(&doc, &it.Version, &it.UpdatedAt); err != nil {
			return nil, err
		}
		version, updated := it.Version, it.UpdatedAt
		if err := json.Unmarshal([]byte(doc), &it); err != nil {
			return nil, fmt.Errorf("catalog index: %w", err)
		}
		it.legacy()
		it.Version, it.UpdatedAt = version, updated
		idx.published[it.Code] = it
		if it.StandardCode != "" {
			idx.implementing[it.StandardCode] = append(idx.implementing[it.StandardCode], it.Code)
			// An implementing item derived for a region is on its region's list (RegionList),
			// not a second hit in search: the public finds the standard and where to do it.
			continue
		}
		sum := Summary{Code: it.Code, Name: it.Name, Type: it.Type, Department: Ref{Code: it.Department.Code}, Section: Ref{Code: it.Section.Code},
			PromisedLimit: it.PromisedLimit, Visits: it.Visits, OnlineDepth: it.OnlineDepth, HandlingMode: it.HandlingMode, ReformMode: it.ReformMode}
		sum.Department.Name = idx.depts[sum.Department.Code].Name
		sum.Section.Name = idx.sections[sum.Section.Code].Name
		idx.entries = append(idx.entries, entry{sum: sum, themes: it.Themes})
		secCount[sum.Section.Code]++
		deptCount[sum.Department.Code]++
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("catalog index: %w", err)
	}
	if idx.bundles, err = s.Bundles(ctx); err != nil {
		return nil, err
	}
	itemFreq, bundleFreq, err := s.caseCounts(ctx)
	if err != nil {
		return nil, err
	}
	// Public order: by section, then by code, so that lists and pages are stable.
	sort.Slice(idx.entries, func(a, b int) bool {
		ea, eb := idx.entries[a].sum, idx.entries[b].sum
		sa, sb := idx.sections[ea.Section.Code].Sort, idx.sections[eb.Section.Code].Sort
		if ea.Section.Code == "" {
			sa = 1 << 30
		}
		if eb.Section.Code == "" {
			sb = 1 << 30
		}
		if sa != sb {
			return sa < sb
		}
		return ea.Code < eb.Code
	})
	for _, sec := range idx.sections {
		if sec.Status == StatusRetired {
			continue
		}
		sec.ItemCount = secCount[sec.Code]
		idx.sectionList = append(idx.sectionList, sec)
	}
	sort.Slice(idx.sectionList, func(a, b int) bool {
		if idx.sectionList[a].Sort != idx.sectionList[b].Sort {
			return idx.sectionList[a].Sort < idx.sectionList[b].Sort
		}
		return idx.sectionList[a].Code < idx.sectionList[b].Code
	})
	for _, d := range idx.depts {
		if d.Status == StatusRetired {
			continue
		}
		d.ItemCount = deptCount[d.Code]
		idx.deptList = append(idx.deptList, d)
	}
	sort.Slice(idx.deptList, func(a, b int) bool { return idx.deptList[a].Code < idx.deptList[b].Code })

	for i := range idx.entries {
		e := &idx.entries[i]
		it := idx.published[e.sum.Code]
		e.freq = itemFreq[e.sum.Code]
		d := newDoc(it.Name, it.Code, it.Keywords, it.Themes, it.ResultName, e.sum.Department.Name+"\x00"+e.sum.Section.Name)
		d.entry, d.freq = i, e.freq
		idx.docs = append(idx.docs, d)
	}
	for i, b := range idx.bundles {
		d := newDoc(b.Name, b.Code, b.Keywords, b.Themes, "", b.Description)
		d.bundle, d.freq = i, bundleFreq[b.Code]
		idx.docs = append(idx.docs, d)
	}
	idx.grams = buildGrams(idx.docs)
	for i := range idx.docs {
		idx.all = append(idx.all, int32(i))
	}
	return idx, nil
}

// caseCounts counts the cases made for each item and each bundle (index cases_item).
func (s *Service) caseCounts(ctx context.Context) (items, bundles map[string]int, err error) {
	items, bundles = map[string]int{}, map[string]int{}
	for _, q := range []struct {
		sql string
		out map[string]int
	}{{`SELECT item_code, COUNT(*) FROM cases GROUP BY item_code`, items},
		{`SELECT bundle_code, COUNT(*) FROM cases WHERE bundle_code IS NOT NULL AND parent_number IS NULL GROUP BY bundle_code`, bundles}} {
		rows, err := s.db.QueryContext(ctx, q.sql)
		if err != nil {
			return nil, nil, fmt.Errorf("catalog case counts: %w", err)
		}
		for rows.Next() {
			var code string
			var n int
			if err := rows.Scan(&code, &n); err != nil {
				rows.Close()
				return nil, nil, err
			}
			q.out[code] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, nil, err
		}
	}
	return items, bundles, nil
}

// MaxPage is the largest page a search returns.
const MaxPage = 500

// Search finds published items. Q matches any part of the name or the code, case-insensitively;
// it is cleaned and bounded by CleanQuery (a longer Q is refused, field q).
func (s *Service) Search(ctx context.Context, q Query) (_ Result, err error) {
	defer errs.Wrap(&err, "catalog.Search")
	if q.Q, err = CleanQuery(q.Q); err != nil {
		return Result{}, err
	}
	if q.HandlingMode, q.ReformMode, err = QueryModes(q.HandlingMode, q.ReformMode); err != nil {
		return Result{}, err
	}
	idx, err := s.index(ctx)
	if err != nil {
		return Result{}, err
	}
	return idx.search(q), nil
}

// Generation is the catalog generation of the current snapshot: it moves with every change of
// an item, bundle, department or section (caches of rendered documents key on it).
func (s *Service) Generation(ctx context.Context) (_ int64, err error) {
	defer errs.Wrap(&err, "catalog.Generation")
	idx, err := s.index(ctx)
	if err != nil {
		return 0, err
	}
	return idx.gen, nil
}

func (idx *index) search(q Query) Result {
	if q.Limit <= 0 {
		q.Limit = 20
	}
	if q.Limit > MaxPage {
		q.Limit = MaxPage
	}
	if q.Offset < 0 {
		q.Offset = 0
	}
	filtered := func(e *entry) bool {
		return q.Section != "" && e.sum.Section.Code != q.Section ||
			q.Department != "" && e.sum.Department.Code != q.Department ||
			q.Type != "" && e.sum.Type != q.Type ||
			q.HandlingMode != "" && e.sum.HandlingMode != q.HandlingMode ||
			q.ReformMode != "" && e.sum.ReformMode != q.ReformMode
	}
	res := Result{Items: []Summary{}, Bundles: []BundleSummary{}}
	p := prepare(q.Q)
	if p.raw == "" { // no words: the list in public order
		for i := range idx.entries {
			e := &idx.entries[i]
			if filtered(e) {
				continue
			}
			if res.Total >= q.Offset && len(res.Items) < q.Limit {
				res.Items = append(res.Items, e.sum)
			}
			res.Total++
		}
		return res
	}
	noFilter := q.Section == "" && q.Department == "" && q.Type == "" && q.HandlingMode == "" && q.ReformMode == ""
	hits := idx.match(p, func(d *doc) bool {
		if d.bundle >= 0 {
			return noFilter
		}
		return !filtered(&idx.entries[d.entry])
	})
	// A bundle is shown (above the items) only when it matches as strongly as the best item
	// and at least by its name, code or words containing the query: a bundle that merely
	// shares a word of its description (失业金 → 开办企业's 社保登记) would hide the right item.
	itemTier := tierNone
	for _, h := range hits {
		if idx.docs[h.doc].bundle < 0 {
			itemTier = h.tier
			break
		}
	}
	for _, h := range hits {
		d := &idx.docs[h.doc]
		if d.bundle >= 0 {
			if bundleShown(h.tier, itemTier) && q.Offset == 0 && len(res.Bundles) < maxBundleHits {
				res.Bundles = append(res.Bundles, summarize(idx.bundles[d.bundle]))
			}
			continue
		}
		if res.Total >= q.Offset && len(res.Items) < q.Limit {
			res.Items = append(res.Items, idx.entries[d.entry].sum)
		}
		res.Total++
	}
	if res.Total == 0 && len(res.Bundles) == 0 && noFilter {
		seen := map[string]bool{}
		for _, i := range idx.closest(p, 5) {
			e := &idx.entries[i]
			res.Suggestions = append(res.Suggestions, e.sum)
			for _, t := range e.themes {
				if th, ok := ThemeByCode(t); ok && !seen[t] {
					seen[t] = true
					res.SuggestedThemes = append(res.SuggestedThemes, th)
				}
			}
		}
		if len(res.SuggestedThemes) < 4 {
			for _, th := range Themes {
				if !seen[th.Code] && th.For == "person" && len(res.SuggestedThemes) < 6 {
					seen[th.Code] = true
					res.SuggestedThemes = append(res.SuggestedThemes, th)
				}
			}
		}
	}
	return res
}

// bundleShown tells whether a bundle that matched at tier goes with items whose best matched
// at itemTier: only as strong a match, and never by shared words alone.
func bundleShown(tier, itemTier int) bool {
	return tier >= tierStrong && tier >= itemTier
}

// maxBundleHits is how many bundles a search shows with its items.
const maxBundleHits = 3

// PublishedCodes returns every published item's code in public order (the guide book).
func (s *Service) PublishedCodes(ctx context.Context) (_ []string, _ int64, err error) {
	defer errs.Wrap(&err, "catalog.PublishedCodes")
	idx, err := s.index(ctx)
	if err != nil {
		return nil, 0, err
	}
	out := make([]string, len(idx.entries))
	for i, e := range idx.entries {
		out[i] = e.sum.Code
	}
	return out, idx.gen, nil
}
