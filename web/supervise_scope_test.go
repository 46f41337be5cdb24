package web_test

import (
	"strings"
	"testing"

	"banhao/store"
)

// TestSuperviseSaysWhatEachCountCounts: 每日提交 counts by the deciding department, 各中心's 受理
// by the accepting center — 滨城区's supervisor reads both, each with what it counts.
func TestSuperviseSaysWhatEachCountCounts(t *testing.T) {
	eachDemo(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		page := h.seen(t, "/supervise", h.staffSession(t, "supervisor_bincheng"))
		for _, want := range []string{"每日提交的办件 （按审批部门计：所列部门审批的办件，不论在哪个中心受理", "“受理”为在该中心受理的办件，含由其他区划审批的"} {
			if !strings.Contains(page, want) {
				t.Errorf("滨城区's /supervise does not say what is counted: %s", want)
			}
		}
	})
}
