package cases

import (
	"context"
	"fmt"

	"banhao/audit"
	"banhao/catalog"
	"banhao/errs"
	"banhao/network"
)

// LocalItems puts, in the items a window's clerk found, the implementing item of the region that
// will decide in place of its standard (清单标准全域统一):
//   - a standard of a region above the center's gives the center's region's own item where it
//     has one (at 沾化区's center the clerk finds 沾化区's 不动产转移登记 — its department, place and
//     limit — not the city's; at 彭李街道, 滨城区's), and one the center cannot accept likewise;
//   - a 通办 standard each county decides gives the implementing item of the applicant's region,
//     region ("" for the window's default, the center's county: DecidingRegion), where it
//     published one — at 彭李街道, for a 沾化区 resident, 沾化区's 失业保险金申领 with its 人社局 and
//     its 3 working days.
//
// Items without a local implementation stay; the second result marks those of the list the center
// still cannot accept (NotAcceptedAt).
func (s *Service) LocalItems(ctx context.Context, by audit.Actor, items []catalog.Summary, region string) (_ []catalog.Summary, _ map[string]bool, err error) {
	defer errs.Wrap(&err, "cases.LocalItems")
	codes := make([]string, 0, len(items))
	for _, it := range items {
		codes = append(codes, it.Code)
	}
	notHere, err := s.NotAcceptedAt(ctx, by, codes)
	if err != nil || len(items) == 0 {
		return items, notHere, err
	}
	centers, err := s.net.Centers(ctx)
	if err != nil || len(centers) == 0 {
		return items, notHere, err
	}
	var list []network.Dept
	out := make([]catalog.Summary, 0, len(items))
	for _, sum := range items {
		std, err := s.cat.Item(ctx, sum.Code)
		if err != nil || std.StandardCode != "" {
			out = append(out, sum) // an item found a moment ago and withdrawn since, or already local
			continue
		}
		at := network.Accepting(centers, "window", by.Center, std.Scope())
		deciding := CenterItemRegion(std, at, !notHere[sum.Code]) // the center's region's own item, where it has one
		if deciding == "" && std.Scope().DecidedBelow() {
			if deciding, err = network.DecidingRegion(std.Scope(), at, region); err != nil {
				deciding = "" // a region this item cannot be decided in: the form will say so
			}
		}
		if deciding != "" {
			if list == nil {
				if list, _, err = s.routeDepts(ctx, std); err != nil {
					return nil, nil, fmt.Errorf("local items: departments: %w", err)
				}
			}
			local, found, err := s.localItem(ctx, std, deciding, list)
			if err != nil {
				return nil, nil, fmt.Errorf("local items: %w", err)
			}
			if found {
				it := local.item
				delete(notHere, sum.Code) // the local item is accepted here: it is the region's own or 通办
				sum = catalog.Summary{Code: it.Code, Name: it.Name, Type: it.Type, Department: it.Department, Section: sum.Section,
					PromisedLimit: it.PromisedLimit, Visits: it.Visits, OnlineDepth: it.OnlineDepth, HandlingMode: it.HandlingMode, ReformMode: it.ReformMode}
			}
		}
		out = append(out, sum)
	}
	return out, notHere, nil
}
