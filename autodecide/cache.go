package autodecide

import (
	"encoding/json"
	"sync"
)

// The compiled programs of the sets in use, by the set's JSON: an item version's rules are
// compiled once per process, however many cases it decides (item versions are immutable; a
// new version has other JSON, or the same and so the same program).
var cache struct {
	sync.RWMutex
	m map[string]*Program
}

// maxCached bounds the cache; past it, it starts again (there are a few 秒批 items).
const maxCached = 512

// Cached compiles a set, or returns its program compiled before.
func Cached(set *Set) (*Program, []Problem) {
	b, _ := json.Marshal(set)
	key := string(b)
	cache.RLock()
	p := cache.m[key]
	cache.RUnlock()
	if p != nil {
		return p, nil
	}
	p, probs := Compile(*set)
	if p == nil {
		return nil, probs
	}
	cache.Lock()
	if cache.m == nil || len(cache.m) >= maxCached {
		cache.m = map[string]*Program{}
	}
	cache.m[key] = p
	cache.Unlock()
	return p, nil
}
