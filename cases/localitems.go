package cases

import (
	"context"
	"fmt"

	"banhao/audit"
	"banhao/catalog"
	"banhao/network"
)

// LocalImplementation is the implementing item of a standard for a center in region: the
// published item derived for region or the nearest region above it (a township's center takes
// its county's), "" when none.
func LocalImplementation(derived []catalog.DerivedItem, region string) string {
	best, depth := "", -1
	for _, d := range derived {
		if d.PublishedVersion == 0 || d.RegionCode == "" || !network.Within(region, d.RegionCode) {
			continue
		}
		if n := len(network.Prefix(d.RegionCode)); n > depth {
			best, depth = d.Code, n
		}
	}
	return best
}

// LocalItems puts, in the items a window's clerk found, their region's implementing item in place
// of a standard item this center cannot accept (清单标准全域统一): at 沾化区's center the clerk finds
// 沾化区's 不动产转移登记 — its department, place and limit — not the city's, which only the city's
// center accepts. Items the center accepts, and those without a local implementation, stay; the
// second result marks those of the list the center still cannot accept (NotAcceptedAt).
func (s *Service) LocalItems(ctx context.Context, by audit.Actor, items []catalog.Summary) ([]catalog.Summary, map[string]bool, error) {
	codes := make([]string, 0, len(items))
	for _, it := range items {
		codes = append(codes, it.Code)
	}
	notHere, err := s.NotAcceptedAt(ctx, by, codes)
	if err != nil || by.Center == "" || len(notHere) == 0 {
		return items, notHere, err
	}
	center, err := s.net.Center(ctx, by.Center)
	if err != nil {
		return nil, nil, fmt.Errorf("local items: the clerk's center: %w", err)
	}
	out := make([]catalog.Summary, 0, len(items))
	for _, sum := range items {
		if notHere[sum.Code] {
			derived, err := s.cat.Derived(ctx, sum.Code)
			if err != nil {
				return nil, nil, fmt.Errorf("local items: derived of %s: %w", sum.Code, err)
			}
			if code := LocalImplementation(derived, center.RegionCode); code != "" {
				it, err := s.cat.Item(ctx, code)
				if err != nil {
					return nil, nil, fmt.Errorf("local items: %s: %w", code, err)
				}
				delete(notHere, sum.Code) // the local item is accepted here: it is the region's own
				sum = catalog.Summary{Code: it.Code, Name: it.Name, Type: it.Type, Department: it.Department, Section: sum.Section,
					PromisedLimit: it.PromisedLimit, Visits: it.Visits, OnlineDepth: it.OnlineDepth, HandlingMode: it.HandlingMode, ReformMode: it.ReformMode}
			}
		}
		out = append(out, sum)
	}
	return out, notHere, nil
}
