package web

import (
	"testing"

	"banhao/cases"
)

// TestSuperviseLeavesOutRowsOfZeros: a department whose month had cases but whose period has
// none comes out of the period's pieces as a row of zeros; the page leaves it out and says how
// many, a row with any case or an open warning stays.
func TestSuperviseLeavesOutRowsOfZeros(t *testing.T) {
	t.Parallel()
	rows := []cases.StatsRow{{Key: "A", Submitted: 3}, {Key: "B"}, {Key: "C", Red: 1}, {Key: "D"}, {Key: "E", Late: 1}}
	shown, empty := withCases(rows)
	if empty != 2 || len(shown) != 3 || shown[0].Key != "A" || shown[1].Key != "C" || shown[2].Key != "E" {
		t.Errorf("shown %+v, %d left out; want A, C, E and 2", shown, empty)
	}
}
