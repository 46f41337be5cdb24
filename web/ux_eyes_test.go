package web_test

import (
	"net/url"
	"strings"
	"testing"

	"banhao/store/storetest"
	"banhao/web"
)

// TestWhereFromAnUnknownRegion: "where can I do this" from a region that does not exist is a
// clear 400 naming the code, not a list with distances silently measured from somewhere else.
func TestWhereFromAnUnknownRegion(t *testing.T) {
	h := newHarness(t, storetest.SQLite(t))
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
