package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
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
}

// Query filters the public item list. Q matches any part of the name or the code.
type Query struct {
	Q          string
	Section    string
	Department string
	Type       string
	Limit      int
	Offset     int
}

// Result is one page of items and the total that matched.
type Result struct {
	Items []Summary `json:"items"`
	Total int       `json:"total"`
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
}

type entry struct {
	sum Summary
	key string // lower-cased name and code, for substring search
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
	if cur != nil && nowMono-s.idx.checked.Load() < int64(s.IndexStaleness) {
		return cur, nil
	}
	s.idx.mu.Lock()
	defer s.idx.mu.Unlock()
	cur = s.idx.cur.Load()
	if cur != nil && nowMono-s.idx.checked.Load() < int64(s.IndexStaleness) {
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
	idx := &index{gen: gen, sections: map[string]Section{}, depts: map[string]Department{}, published: map[string]Item{}}
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
	rows, err = s.db.QueryContext(ctx, `SELECT code, name, credit_code, region_code, phone, status FROM departments ORDER BY code`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var d Department
		if err := rows.Scan(&d.Code, &d.Name, &d.CreditCode, &d.RegionCode, &d.Phone, &d.Status); err != nil {
			rows.Close()
			return nil, err
		}
		idx.depts[d.Code] = d
	}
	rows.Close()

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
		it.Version, it.UpdatedAt = version, updated
		idx.published[it.Code] = it
		sum := Summary{Code: it.Code, Name: it.Name, Type: it.Type, Department: Ref{Code: it.Department.Code}, Section: Ref{Code: it.Section.Code},
			PromisedLimit: it.PromisedLimit, Visits: it.Visits, OnlineDepth: it.OnlineDepth}
		sum.Department.Name = idx.depts[sum.Department.Code].Name
		sum.Section.Name = idx.sections[sum.Section.Code].Name
		idx.entries = append(idx.entries, entry{sum: sum, key: strings.ToLower(it.Name + "\x00" + it.Code)})
		secCount[sum.Section.Code]++
		deptCount[sum.Department.Code]++
	}
	if err := rows.Err(); err != nil {
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
	return idx, nil
}

// MaxPage is the largest page a search returns.
const MaxPage = 500

// Search finds published items. Q matches any part of the name or the code, case-insensitively.
func (s *Service) Search(ctx context.Context, q Query) (Result, error) {
	idx, err := s.index(ctx)
	if err != nil {
		return Result{}, err
	}
	return idx.search(q), nil
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
	needle := strings.ToLower(strings.TrimSpace(q.Q))
	res := Result{Items: []Summary{}}
	for i := range idx.entries {
		e := &idx.entries[i]
		if q.Section != "" && e.sum.Section.Code != q.Section ||
			q.Department != "" && e.sum.Department.Code != q.Department ||
			q.Type != "" && e.sum.Type != q.Type ||
			needle != "" && !strings.Contains(e.key, needle) {
			continue
		}
		if res.Total >= q.Offset && len(res.Items) < q.Limit {
			res.Items = append(res.Items, e.sum)
		}
		res.Total++
	}
	return res
}

// PublishedCodes returns every published item's code in public order (the guide book).
func (s *Service) PublishedCodes(ctx context.Context) ([]string, int64, error) {
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
