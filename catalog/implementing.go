package catalog

import (
	"context"

	"banhao/errs"
	"banhao/network"
)

// ImplementingItem is the published implementing item of the standard item for region (清单标准
// 全域统一): the one derived for region itself or, failing that, for the nearest region above it
// (a township takes its county's); ok is false when none is published. It reads the snapshot:
// routing a case to the deciding region's own item (its department, its promised limit) costs no
// query.
func (s *Service) ImplementingItem(ctx context.Context, standard, region string) (_ Item, _ bool, err error) {
	defer errs.Wrap(&err, "catalog.ImplementingItem")
	if standard == "" || region == "" {
		return Item{}, false, nil
	}
	idx, err := s.index(ctx)
	if err != nil {
		return Item{}, false, err
	}
	best, depth := Item{}, -1
	for _, code := range idx.implementing[standard] {
		it, ok := idx.published[code]
		if !ok || it.RegionCode == "" || !network.Within(region, it.RegionCode) {
			continue
		}
		if n := len(network.Prefix(it.RegionCode)); n > depth || n == depth && it.Code < best.Code {
			best, depth = it, n
		}
	}
	if depth < 0 {
		return Item{}, false, nil
	}
	it, err := s.named(ctx, best)
	return it, err == nil, err
}
