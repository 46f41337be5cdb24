package web

import (
	"bytes"
	"container/list"
	"net/http"
	"net/url"
	"sync"

	"banhao/catalog"
	"banhao/pdfdoc"
)

// The 一次性告知单 of an item is asked for again and again (downloads, every kiosk print) and
// costs tens of milliseconds of CPU to lay out, so rendered notices are kept: per item code and
// version, catalog generation (department and section names come from it), base URL (the QR
// code) and day (the date printed on it). A small LRU bounded in entries and bytes.
const (
	noticeCacheEntries = 256
	noticeCacheBytes   = 64 << 20
)

type noticeKey struct {
	code    string
	version int
	gen     int64
	base    string
	day     string
}

type noticeCache struct {
	mu    sync.Mutex
	order *list.List // most recently used at the front; values are *noticeEntry
	byKey map[noticeKey]*list.Element
	bytes int
}

type noticeEntry struct {
	key noticeKey
	pdf []byte
}

func newNoticeCache() *noticeCache {
	return &noticeCache{order: list.New(), byKey: map[noticeKey]*list.Element{}}
}

func (c *noticeCache) get(k noticeKey) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[k]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*noticeEntry).pdf, true
}

func (c *noticeCache) put(k noticeKey, pdf []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byKey[k]; ok {
		return
	}
	c.byKey[k] = c.order.PushFront(&noticeEntry{key: k, pdf: pdf})
	c.bytes += len(pdf)
	for c.order.Len() > noticeCacheEntries || c.bytes > noticeCacheBytes && c.order.Len() > 1 {
		last := c.order.Back()
		ent := last.Value.(*noticeEntry)
		c.order.Remove(last)
		delete(c.byKey, ent.key)
		c.bytes -= len(ent.pdf)
	}
}

// noticePDF is the 一次性告知单 of it as the site prints it, from the cache when it was made
// before for the same version, catalog, address and day.
func (s *Server) noticePDF(r *http.Request, it catalog.Item) ([]byte, error) {
	gen, err := s.Catalog.Generation(r.Context())
	if err != nil {
		return nil, err
	}
	now := s.Now().In(s.loc())
	k := noticeKey{code: it.Code, version: it.Version, gen: gen, base: s.baseURL(r), day: now.Format("2006-01-02")}
	if pdf, ok := s.notices.get(k); ok {
		return pdf, nil
	}
	var buf bytes.Buffer
	if err := pdfdoc.Notice(&buf, it, s.CenterName, k.base+"/items/"+url.PathEscape(it.Code), now); err != nil {
		return nil, err
	}
	s.metrics.noticeRenders.Inc()
	s.notices.put(k, buf.Bytes())
	return buf.Bytes(), nil
}
