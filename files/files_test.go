package files_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"banhao/errs"
	"banhao/files"
)

// pngDeclaring is a valid 1×1 PNG whose header declares w × h pixels (its CRC fixed).
func pngDeclaring(t *testing.T, w, h uint32) []byte {
	t.Helper()
	return pngOf(t, image.NewGray(image.Rect(0, 0, 1, 1)), w, h)
}

// pngOf encodes a 1×1 image and patches its header to declare w×h (with a valid CRC).
func pngOf(t *testing.T, img image.Image, w, h uint32) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	binary.BigEndian.PutUint32(b[16:], w)
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

func TestCheckImagePixelLimit(t *testing.T) {
	var small, photo bytes.Buffer
	png.Encode(&small, image.NewGray(image.Rect(0, 0, 40, 30)))
	jpeg.Encode(&photo, image.NewRGBA(image.Rect(0, 0, 64, 48)), nil)
	for name, c := range map[string]struct {
		ct   string
		data []byte
		want string // "" accepted, else part of the message
	}{
		"small png":              {"image/png", small.Bytes(), ""},
		"jpeg":                   {"image/jpeg", photo.Bytes(), ""},
		"50000² declared":        {"image/png", pngDeclaring(t, 50000, 50000), "50000×50000"},
		"one side too long":      {"image/png", pngDeclaring(t, files.MaxSide+1, 1), "20001×1"},
		"pixels over the limit":  {"image/png", pngDeclaring(t, 8000, 6000), "8000×6000"},
		"header lies (1×1 data)": {"image/png", pngDeclaring(t, 400, 300), "无法解码"},
		"16-bit 6320² (320 MB)":  {"image/png", pngOf(t, image.NewRGBA64(image.Rect(0, 0, 1, 1)), 6320, 6320), "高位深"},
		"truncated":              {"image/png", small.Bytes()[:small.Len()-20], "无法解码"},
		"png named jpeg":         {"image/jpeg", small.Bytes(), "不符"},
		"not an image":           {"image/png", []byte("\x89PNG\r\n\x1a\nnonsense"), "无法读取"},
	} {
		err := files.CheckImage(c.ct, c.data)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: refused: %v", name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: %v, want a refusal naming %q", name, err, c.want)
		case err != nil:
			if e, ok := errs.As(err); !ok || e.Code != errs.CodeInvalid || len(e.Fields) == 0 || e.Fields[0].Field != "file" {
				t.Errorf("%s: %#v, want invalid on field file", name, err)
			}
		}
	}
}
