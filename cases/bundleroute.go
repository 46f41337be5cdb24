package cases

import (
	"context"
	"fmt"
	"strings"

	"banhao/audit"
	"banhao/catalog"
	"banhao/errs"
)

// Bundles (一件事) routed like single cases (收受分离): the bundle is accepted where it is taken
// (the parent's accepted_center), each member is decided by the competent department of its own
// region (Route, per item), and the bundle has one 出件地 for all its members' results — the
// one chosen, else, when the members' defaults differ (online: each where it is decided), the
// accepting center. Each member opens its own paper hand-offs (Legs).

// BundleDelivery is the one 出件地 of a bundle whose members were routed as routes: theirs
// when all agree (a chosen center always does), else the accepting center.
func BundleDelivery(routes []Route) (code, name string) {
	if len(routes) == 0 {
		return "", ""
	}
	code, name = routes[0].Delivery, routes[0].DeliveryName
	for _, r := range routes[1:] {
		if r.Delivery != code {
			return routes[0].AcceptedCenter, routes[0].AcceptedName
		}
	}
	return code, name
}

// bundleRoutes routes the first stage's members (items) of bundle b applied for as in, and
// checks that the window's center accepts every member of every stage, so that no later stage
// is refused after the bundle was accepted. ok is false for an installation without centers.
// parent is the bundle's own route: where it was accepted and is handed out.
func (s *Service) bundleRoutes(ctx context.Context, by audit.Actor, b catalog.Bundle, items []catalog.Item, in CreateInput) (routes []Route, parent Route, ok bool, err error) {
	routeOne := func(it catalog.Item) (Route, bool, error) {
		chosen := in.DecidingRegion // the applicant's region, for the members each county decides
		if !it.Scope().DecidedBelow() {
			chosen = ""
		}
		r, ok, err := s.route(ctx, by, it, in.Applicant, in.Channel, chosen, in.DeliveryCenter)
		if e, isErr := errs.As(err); isErr {
			return r, false, &errs.Error{Code: e.Code, Message: "「" + it.Name + "」" + e.Message, Fields: e.Fields}
		}
		return r, ok, err
	}
	below := false // a member decided in the applicant's region: the bundle keeps the one chosen
	for _, it := range items {
		r, ok, err := routeOne(it)
		if err != nil || !ok {
			return nil, parent, false, err
		}
		routes = append(routes, r)
		below = below || it.Scope().DecidedBelow()
	}
	for _, stage := range b.Stages[1:] {
		for _, code := range stage.Items {
			it, err := s.cat.Item(ctx, code)
			if err != nil {
				return nil, parent, false, fmt.Errorf("bundle item %s: %w", code, err)
			}
			if _, _, err := routeOne(it); err != nil {
				return nil, parent, false, err
			}
			below = below || it.Scope().DecidedBelow()
		}
	}
	code, name := BundleDelivery(routes)
	for i := range routes {
		routes[i].Delivery, routes[i].DeliveryName = code, name
	}
	first := routes[0]
	parent = Route{AcceptedCenter: first.AcceptedCenter, AcceptedName: first.AcceptedName, AcceptedRegion: first.AcceptedRegion,
		Delivery: code, DeliveryName: name, DeliveryChosen: first.DeliveryChosen}
	if below { // the applicant's region chosen at intake, for the later stages' members (stageRoute)
		parent.Region = strings.TrimSpace(in.DecidingRegion)
	}
	return routes, parent, true, nil
}

// stageRoute routes a member of a bundle's later stage like those of the first: accepted where
// the bundle was, decided by its competent department — in the applicant's region chosen at
// intake (kept as the bundle's deciding_region) when it is decided below its own region — and
// handed out at the bundle's 出件地. ok is false when it cannot be routed (no centers, or the
// network changed since intake): the member is then its own region's, as before routing.
func (s *Service) stageRoute(ctx context.Context, parent Case, it catalog.Item) (Route, bool) {
	chosen := ""
	if it.Scope().DecidedBelow() && parent.DecidingRegion != it.RegionCode {
		chosen = parent.DecidingRegion
	}
	by := audit.Actor{Username: audit.System.Username, Role: audit.System.Role, Center: parent.AcceptedCenter}
	r, ok, err := s.route(ctx, by, it, parent.Applicant, parent.Channel, chosen, parent.DeliveryCenter)
	if err != nil {
		s.logger.WarnContext(ctx, "bundle stage member not routed", "bundle", parent.Number, "item", it.Code, "err", err)
		return r, false
	}
	r.DeliveryChosen = parent.DeliveryChosen
	return r, ok
}
