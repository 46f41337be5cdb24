package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"banhao/cases"
	"banhao/catalog"
	"banhao/demo"
	"banhao/identity"
	"banhao/web"
)

// TestWhereFromAnUnknownRegion: "where can I do this" from a region that does not exist is a
// clear 400 naming the code, not a list with distances silently measured from somewhere else.
func TestWhereFromAnUnknownRegion(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	idCard := h.itemNamed(t, "居民身份证申领")
	resp := h.do(t, "GET", "/api/v1/items/"+url.PathEscape(idCard)+"/centers?from=371699000000", web.API, nil, nil, "")
	p := decode[problem](t, resp)
	if resp.StatusCode != 400 || len(p.Errors) == 0 || p.Errors[0].Field != "from" || !strings.Contains(p.Errors[0].Message, "区划 371699000000 不存在") {
		t.Errorf("from an unknown region: %d %+v", resp.StatusCode, p)
	}
	if resp := h.do(t, "GET", "/api/v1/items/"+url.PathEscape(idCard)+"/centers?from=371603000000", web.API, nil, nil, ""); resp.StatusCode != 200 {
		t.Errorf("from 沾化区: %d", resp.StatusCode)
	}
}

// TestTrackingNamesTheRoutesPlaces: the public tracking page's 办件流转 names the places
// (受理地 → 审批地 → 出件地) as the applicant reads them, and still nothing of who worked on it.
func TestTrackingNamesTheRoutesPlaces(t *testing.T) {
	h := newHarness(t, demoSQLite(t))
	ctx := context.Background()
	clerk := h.approverOf(t, "clerk_pengli")
	file := h.uploadAs(t, &clerk, "a.pdf", onePDF)
	code := h.itemNamed(t, "社会保障卡申领")
	it, _ := h.cat.Item(ctx, code)
	var refs []cases.MaterialRef
	for _, m := range it.Materials {
		if m.Required && m.Source != catalog.SourceShared {
			refs = append(refs, cases.MaterialRef{MaterialID: m.ID, FileID: file})
		}
	}
	applicant := cases.Applicant{Type: "person", Name: demo.CitizenName, IDNumber: demo.CitizenID, Phone: "13805431234"}
	c, _, err := h.cases.Create(ctx, clerk.User.Actor(), cases.CreateInput{Item: code, Applicant: applicant, Materials: refs,
		DecidingRegion: "371603000000", Accept: &cases.AcceptInput{}}, "")
	if err != nil {
		t.Fatal(err)
	}
	page := h.seen(t, "/track?number="+c.Number+"&phone4=1234", identity.Session{})
	if !strings.Contains(page, "办件流转：受理地：彭李街道便民服务中心 → 审批地：沾化区 沾化区人力资源和社会保障局 → 出件地：彭李街道便民服务中心") {
		t.Errorf("the tracking page's route does not name the places: %s", page)
	}
	if strings.Contains(page, "clerk_pengli") || strings.Contains(page, clerk.User.DisplayName) {
		t.Error("the tracking page names who worked on the case")
	}
}
