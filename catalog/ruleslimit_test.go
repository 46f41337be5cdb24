package catalog_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"banhao/catalog"
	"banhao/store"
	"banhao/store/storetest"
)

// TestRulesLimitOnlyOnChange: a 秒批 item may not be given 即办 as its promised limit, but a
// version stored before that rule (即办) can still be exported and imported unchanged, edited
// with its limit kept, derived from (the county keeps the standard's limit) and retired (废止).
func TestRulesLimitOnlyOnChange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc, _ := newService(t, db)
		seedNetwork(t, db, svc)
		std := rulesItem()
		std.Code, std.RegionCode = stdItemKey, cityCode
		if _, err := svc.PutItem(ctx, admin, std, catalog.StatusPublished); err != nil {
			t.Fatal(err)
		}
		// Setting 即办 now is refused, naming 承诺时限.
		bad := std
		bad.PromisedLimit = catalog.Limit{Unit: catalog.Immediate}
		_, err := svc.PutItem(ctx, admin, bad, catalog.StatusPublished)
		wantField(t, "秒批 set to 即办", err, "promised_limit", "不能是即办")
		_, err = svc.PutItem(ctx, admin, bad, catalog.StatusDraft)
		wantField(t, "秒批 draft set to 即办", err, "promised_limit", "不能是即办")

		// A version stored before the rule.
		if _, err := db.ExecContext(ctx, `UPDATE item_versions SET doc = REPLACE(REPLACE(doc, '"promised_limit":{"value":5,"unit":"working_day"}', '"promised_limit":{"value":0,"unit":"immediate"}'), '"handling":"promised"', '"handling":"immediate"') WHERE code = ?`, stdItemKey); err != nil {
			t.Fatal(err)
		}
		if got, err := svc.LatestItem(ctx, stdItemKey); err != nil || got.PromisedLimit.Unit != catalog.Immediate {
			t.Fatalf("stored 即办 version: %+v, %v", got.PromisedLimit, err)
		}

		// Export → import of the catalog as it is.
		f, err := svc.Export(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := catalog.WriteJSON(&buf, f, time.Now()); err != nil {
			t.Fatal(err)
		}
		back, err := catalog.ParseJSON(buf.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Import(ctx, admin, back); err != nil {
			t.Errorf("re-import of the exported catalog: %v", err)
		}
		// An edit that keeps the limit.
		kept, _ := svc.LatestItem(ctx, stdItemKey)
		kept.Name = "城乡居民养老保险参保登记（改）"
		if _, err := svc.PutItem(ctx, admin, kept, catalog.StatusPublished); err != nil {
			t.Errorf("edit keeping the stored 即办: %v", err)
		}

		// Derive: the county keeps the standard's limit.
		d, err := svc.Derive(ctx, admin, stdItemKey, catalog.Local{Department: "XZSP-371603"})
		if err != nil {
			t.Errorf("derive from a 秒批 standard stored with 即办: %v", err)
		} else if d.PromisedLimit.Unit != catalog.Immediate {
			t.Errorf("derived limit %+v, want the standard's 即办", d.PromisedLimit)
		}

		// Retire (废止).
		if r, err := svc.Retire(ctx, admin, stdItemKey); err != nil || r.Status != catalog.StatusRetired {
			t.Errorf("retire: %+v, %v", r.Status, err)
		}
	})
}
