package cases

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"time"

	"banhao/network"
	"banhao/store"
)

// passedOn is a case as a command has just written it, with the materials it has, handed to the
// command's next step so that the step need not read the case again under the write lock (on
// SQLite's one writer a read of the case and one of its materials per step). ok is false when
// the case could not be told without reading it; the step then reads it.
type passedOn struct {
	c        Case
	supplied map[string]bool
	ok       bool
}

// verifyPassedOn makes every step given a passed-on case read it afresh too and fail when the
// two differ (set by the package's tests).
var verifyPassedOn = false

// asRegistered is the case insertCase has just written, field for field as s.scan reads it
// back, when everything in the row is known here: a routed item's case (the route names its
// centers, region and department) outside a bundle, with an empty form (PostgreSQL hands a
// form back in its own JSON spelling). Its materials are the ones written.
func (s *Service) asRegistered(d store.Dialect, n newCase, number string, now time.Time) passedOn {
	r := n.route
	if r == nil || n.bundle != nil || n.parent != nil || n.form != "{}" {
		return passedOn{}
	}
	region := cmp.Or(r.Region, n.item.RegionCode)
	if r.AcceptedCenter == "" || r.Delivery == "" || region == "" || region != r.Region {
		return passedOn{} // a code or name only the database knows (the main center's, …)
	}
	c := Case{
		Number: number, Item: n.item.Code, ItemName: n.item.Name, ItemVersion: n.item.Version,
		Department: n.item.Department, Status: n.status, StatusName: StatusNames[n.status], Channel: n.channel,
		Applicant:      Applicant{Type: n.applicant.Type, Name: n.applicant.Name, IDNumber: n.applicant.IDNumber},
		SubmittedAt:    now,
		Limit:          n.item.PromisedLimit,
		Missing:        []string{}, // as the column's '[]' reads
		Form:           []byte(n.form),
		Stage:          n.stage,
		AcceptedCenter: r.AcceptedCenter, DecidingRegion: region, DeliveryCenter: r.Delivery,
		AcceptedCenterName: r.AcceptedName, DecidingRegionName: r.RegionName, DeliveryCenterName: r.DeliveryName,
		DeliveryChosen: r.DeliveryChosen,
		phone:          n.applicant.Phone,
	}
	if d == store.Postgres { // its driver hands timestamps back in the local zone
		c.SubmittedAt = now.Local()
	}
	if c.DeliveryCenter == network.ByMail {
		c.DeliveryCenterName = "邮寄送达"
	}
	supplied := make(map[string]bool, len(n.materials))
	for _, m := range n.materials {
		supplied[m.MaterialID] = true
	}
	return passedOn{c: c, supplied: supplied, ok: true}
}

// readForStep reads a case, locked, and which materials it has — or takes them as passed on,
// when they are (pass not nil and ok). found is false when there is no such case.
func (s *Service) readForStep(ctx context.Context, tx *store.Tx, number string, pass *passedOn) (c Case, supplied map[string]bool, found bool, err error) {
	if pass != nil && pass.ok && pass.c.Number == number {
		if verifyPassedOn {
			fresh, freshSupplied, _, err := s.readForStep(ctx, tx, number, nil)
			if err != nil {
				return Case{}, nil, false, err
			}
			if !reflect.DeepEqual(fresh, pass.c) || !reflect.DeepEqual(freshSupplied, pass.supplied) {
				return Case{}, nil, false, fmt.Errorf("cases: the case passed on differs from the case read afresh:\npassed %#v %v\nfresh  %#v %v", pass.c, pass.supplied, fresh, freshSupplied)
			}
		}
		return pass.c, pass.supplied, true, nil
	}
	supplied = map[string]bool{}
	err = tx.ReadTogether(ctx,
		store.Read{Query: `SELECT ` + caseColumns + ` FROM cases WHERE number = ?` + tx.ForUpdate(), Args: []any{number},
			Row: func(scan func(...any) error) (err error) {
				found = true
				c, err = s.scan(store.ScanFunc(scan))
				return err
			}},
		suppliedRead(number, supplied))
	return c, supplied, found, err
}
