package wiring_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"banhao/wiring"
)

type svc struct{}

func TestRequireNamesEveryMissingDependency(t *testing.T) {
	var typedNil *svc
	var noClock func() time.Time
	err := wiring.Require("thing", wiring.Deps{"DB": &svc{}, "Audit": typedNil, "Now": noClock, "Logger": nil, "Center": ""})
	names, ok := wiring.Missing(err)
	if !ok || !slices.Equal(names, []string{"Audit", "Logger", "Now"}) {
		t.Fatalf("missing = %v, %v (err %v)", names, ok, err)
	}
	if !strings.Contains(err.Error(), "thing: missing dependency Audit, Logger, Now") {
		t.Errorf("message: %v", err)
	}
	if err := wiring.Require("thing", wiring.Deps{"DB": &svc{}, "Now": time.Now}); err != nil {
		t.Errorf("all given: %v", err)
	}
}

func TestMustPanicsOnARefusedConstruction(t *testing.T) {
	if got := wiring.Must(3, nil); got != 3 {
		t.Errorf("Must(3, nil) = %d", got)
	}
	defer func() {
		if _, ok := wiring.Missing(recover().(error)); !ok {
			t.Error("Must did not panic with the refusal")
		}
	}()
	wiring.Must(0, wiring.Require("thing", wiring.Deps{"DB": nil}))
}
