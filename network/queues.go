package network

import (
	"context"
	"strings"

	"banhao/errs"
)

// Waiting is a center's halls now (就近能办): the people waiting in its halls today and, when
// asked for (Queues.Waits), the average wait of those called today.
type Waiting struct {
	People int `json:"waiting"`
	// AvgWaitMinutes is nil when nobody has been called today, or when not asked for.
	AvgWaitMinutes *float64 `json:"avg_wait_minutes,omitempty"`
}

// Queues tells how long the queues of each center's halls are now (the hall service, queue).
// A center without halls is not in the maps.
type Queues interface {
	// Lengths are the people waiting now per center: a cheap read for every guide.
	Lengths(ctx context.Context) (map[string]int, error)
	// Waits are the people waiting now and today's average wait per center, for the statistics.
	Waits(ctx context.Context) (map[string]Waiting, error)
}

// NoQueues is the stand-in of a process without halls (a test of the network alone): no center
// has anyone waiting.
type NoQueues struct{}

// Lengths: nobody waits anywhere.
func (NoQueues) Lengths(context.Context) (map[string]int, error) { return map[string]int{}, nil }

// Waits: nobody waits anywhere.
func (NoQueues) Waits(context.Context) (map[string]Waiting, error) { return map[string]Waiting{}, nil }

// Waits are the centers' halls now, the main center's halls also under "" (halls of an
// installation older than its centers).
func (s *Service) Waits(ctx context.Context) (_ map[string]Waiting, err error) {
	defer errs.Wrap(&err, "network.Waits")
	return s.queues.Waits(ctx)
}

// From is where an applicant starts from: a chosen region (its main center's location) or a
// location (a phone's); neither lists the centers by level and code.
type From struct {
	Region string
	Point  *Point
}

// Where lists the centers that accept an item (scope), nearest first from `from`, each with the
// people waiting in its halls now when the installation has halls there: the guide's and the
// API's 在哪里办.
func (s *Service) Where(ctx context.Context, scope Scope, from From) (_ []Place, err error) {
	defer errs.Wrap(&err, "network.Where")
	list, err := s.Centers(ctx)
	if err != nil {
		return nil, err
	}
	p := from.Point
	if p == nil && strings.TrimSpace(from.Region) != "" {
		p = PointOf(list, from.Region)
	}
	places := Nearest(list, scope, p)
	if len(places) == 0 {
		return places, nil
	}
	lengths, err := s.queues.Lengths(ctx)
	if err != nil {
		return nil, err
	}
	main, _ := MainCenter(list)
	for i := range places {
		n, ok := lengths[places[i].Code]
		if places[i].Code == main.Code {
			m, mok := lengths[""]
			n, ok = n+m, ok || mok
		}
		if ok {
			places[i].Waiting = &n
		}
	}
	return places, nil
}

// ValidPoint checks a location given as latitude and longitude (degrees, WGS 84).
func ValidPoint(lat, lng float64) bool {
	return lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180 && (lat != 0 || lng != 0)
}
