package identity

import (
	"strings"
	"testing"
)

func TestPII(t *testing.T) {
	t.Parallel()
	p, err := NewPII([]byte("0123456789abcdef0123456789abcdef"), []byte("index-key-index-key-index-key-12"))
	if err != nil {
		t.Fatal(err)
	}
	id := "37160219900307123X"
	sealed := p.Seal(id)
	if strings.Contains(sealed, "1990") || sealed == p.Seal(id) {
		t.Fatalf("sealed %q leaks or repeats", sealed)
	}
	if got, err := p.Open(sealed); err != nil || got != id {
		t.Fatalf("open = %q, %v", got, err)
	}
	if p.Index(id) != p.Index(" 37160219900307123x ") || p.Index(id) == p.Index("371602199003071231") {
		t.Fatal("index is not a stable, distinguishing key")
	}
	other, _ := NewPII([]byte("ffffffffffffffffffffffffffffffff"), []byte("x"))
	if _, err := other.Open(sealed); err == nil {
		t.Fatal("opened with the wrong key")
	}
	for in, want := range map[string]string{"37160219900307123X": "3716**********123X", "13805431234": "138****1234"} {
		got := MaskID(in)
		if len(in) == 11 {
			got = MaskPhone(in)
		}
		if got != want {
			t.Errorf("mask(%s) = %s, want %s", in, got, want)
		}
	}
	if MaskName("欧阳娜娜") != "欧**" || MaskName("张三") != "张*" || MaskName("阿"+strings.Repeat("名", 27)) != "阿**" { // the length is not told
		t.Error(MaskName("欧阳娜娜"))
	}
}
