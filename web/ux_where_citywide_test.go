package web_test

import (
	"context"
	"strings"
	"testing"

	"banhao/catalog"
	"banhao/identity"
)

// TestGuideWhereSaysAnyCenterForCitywide: a 全市通办 item's 去哪里办 does not name one center
// only: it says any center of the city accepts it and points to the list of centers.
func TestGuideWhereSaysAnyCenterForCitywide(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	ctx := context.Background()
	res, err := h.cat.Search(ctx, catalog.Query{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	code := ""
	for _, hit := range res.Items {
		it, err := h.cat.Item(ctx, hit.Code)
		if err == nil && it.Tongban == "city" && it.Where != "" {
			code = it.Code
			break
		}
	}
	if code == "" {
		t.Fatal("no 全市通办 demo item with a 办理地点")
	}
	page := h.seen(t, "/items/"+code, h.sessions[identity.Clerk])
	if !strings.Contains(page, "全市任一政务服务中心、便民服务中心均可受理， 见「在哪里办」") { // the link's tag reads as a space
		t.Errorf("the guide's 办理地点 of a 全市通办 item names one center only: %q", page)
	}
}
